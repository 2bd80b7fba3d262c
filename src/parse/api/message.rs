//! A Messages API response as one JSON document (`"stream": false`): its `id`, `model`,
//! `usage` and `stop_reason` are captured as the body passes; the content is never held.

use super::super::json_paths::{Found, PathScanner, Step, Target};
use super::parts::{ApiContext, CAPTURE_LIMIT, Parts, Unaccounted, record, scalar, usage};
use crate::usage::UsageEvent;

const TYPE: usize = 0;
const ID: usize = 1;
const MODEL: usize = 2;
const USAGE: usize = 3;
const STOP: usize = 4;
const DOCUMENT: usize = 5;

static TARGETS: [Target; 6] = [
    Target {
        path: &[Step::Key("type")],
        capture: true,
    },
    Target {
        path: &[Step::Key("id")],
        capture: true,
    },
    Target {
        path: &[Step::Key("model")],
        capture: true,
    },
    Target {
        path: &[Step::Key("usage")],
        capture: true,
    },
    Target {
        path: &[Step::Key("stop_reason")],
        capture: true,
    },
    Target {
        path: &[],
        capture: false,
    },
];

/// Reads a JSON Messages response as it passes.
#[derive(Debug)]
pub(crate) struct MessageReader {
    scanner: PathScanner,
    captured: [Option<Vec<u8>>; 5],
    too_long: Option<&'static str>,
    malformed: bool,
    whole: bool,
}

impl Default for MessageReader {
    fn default() -> Self {
        MessageReader::new()
    }
}

impl MessageReader {
    /// A reader at the start of a body.
    pub(crate) fn new() -> MessageReader {
        MessageReader {
            scanner: PathScanner::new(&TARGETS, CAPTURE_LIMIT, false),
            captured: Default::default(),
            too_long: None,
            malformed: false,
            whole: false,
        }
    }

    /// Reads the next chunk of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        let Self {
            scanner,
            captured,
            too_long,
            malformed,
            whole,
        } = self;
        scanner.feed(chunk, &mut |found| match found {
            Found::Value { target, bytes } if target < DOCUMENT => {
                captured[target] = Some(bytes.to_vec());
            }
            Found::TooLong { target } => {
                *too_long = Some(["type", "id", "model", "usage", "stop_reason"][target.min(4)]);
            }
            Found::End { target: DOCUMENT } => *whole = true,
            Found::Malformed => *malformed = true,
            _ => {}
        });
    }

    /// What the whole body was worth: the request's usage record, or why there is none.
    pub(crate) fn finish(&self, ctx: &ApiContext<'_>) -> Result<UsageEvent, Unaccounted> {
        if self.malformed {
            return Err(Unaccounted::Malformed);
        }
        if !self.whole || !self.scanner.at_rest() {
            return Err(Unaccounted::Incomplete(
                "the body ended before the message did",
            ));
        }
        if let Some(field) = self.too_long {
            return Err(Unaccounted::TooLarge(field));
        }
        let get = |i: usize| self.captured[i].as_deref();
        match scalar(get(TYPE))? {
            Some(t) if t.as_str() == Some("message") => {}
            _ => {
                return Err(Unaccounted::Schema(super::super::fields::schema(
                    "type",
                    "not \"message\"",
                )));
            }
        }
        let parts = Parts {
            id: scalar(get(ID))?,
            model: scalar(get(MODEL))?,
            usage: usage(get(USAGE), "usage")?,
            stop_reason: scalar(get(STOP))?,
        };
        record(&parts, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{StopReason, Tier, Tokens, request_key};
    use chrono::Utc;

    const BODY: &str = r#"{"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"{\"usage\": fake}"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":300,"cache_read_input_tokens":4000,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},"output_tokens":50,"service_tier":"standard","inference_geo":"us","speed":"fast"}}"#;

    fn read(body: &[u8], size: usize, request_id: Option<&str>) -> Result<UsageEvent, Unaccounted> {
        let mut r = MessageReader::new();
        for chunk in body.chunks(size) {
            r.feed(chunk);
        }
        r.finish(&ApiContext {
            request_id,
            at: Utc::now(),
        })
    }

    #[test]
    fn a_message_gives_its_usage_keyed_by_the_request_id() {
        for size in [1, 13, BODY.len()] {
            let e = read(BODY.as_bytes(), size, Some("req_1")).unwrap();
            assert_eq!(
                e.tokens,
                Tokens {
                    input: 12,
                    cache_write_5m: 100,
                    cache_write_1h: 200,
                    cache_read: 4000,
                    output: 50,
                    web_search_requests: 0,
                }
            );
            assert_eq!(e.key, Some(request_key("req_1")));
            assert_eq!(e.alt_key, Some(crate::usage::message_key("msg_01A")));
            assert_eq!(&*e.model, "claude-sonnet-4-6");
            assert_eq!(e.stop_reason, Some(StopReason::MaxTokens));
            assert_eq!(e.tier, Tier::Standard);
            assert!(e.modifiers.fast && e.modifiers.us_only);
        }
        // Without a request id, the message id keys it, as a transcript line without one.
        let e = read(BODY.as_bytes(), 64, None).unwrap();
        assert_eq!(e.key, Some(crate::usage::message_key("msg_01A")));
        assert_eq!(e.alt_key, None);
    }

    #[test]
    fn bodies_that_are_not_whole_messages_say_why() {
        let cut = &BODY.as_bytes()[..BODY.len() - 1];
        assert!(matches!(
            read(cut, 64, None),
            Err(Unaccounted::Incomplete(_))
        ));
        assert_eq!(read(b"<html>", 64, None), Err(Unaccounted::Malformed));
        let error = br#"{"type":"error","error":{"type":"overloaded_error","message":"x"}}"#;
        assert!(matches!(read(error, 64, None), Err(Unaccounted::Schema(_))));
        let no_usage = br#"{"type":"message","model":"m"}"#;
        assert!(matches!(
            read(no_usage, 64, None),
            Err(Unaccounted::Schema(_))
        ));
    }
}
