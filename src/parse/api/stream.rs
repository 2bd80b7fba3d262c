//! A streamed Messages response (`text/event-stream`): `message_start` carries the message's
//! id, model and opening usage (a placeholder `output_tokens`), `message_delta` the final
//! usage and stop reason; together they are the request's usage. Every other event passes
//! unread, and only those two are held, each up to [`EVENT_LIMIT`].

use super::super::json_paths::{Found, PathScanner, Step, Target};
use super::super::raw::RawUsage;
use super::super::sse::{SseFound, SseScanner};
use super::parts::{ApiContext, CAPTURE_LIMIT, Parts, Unaccounted, record, scalar, usage};
use crate::usage::UsageEvent;

/// Largest `message_start` or `message_delta` event read; a larger one is skipped (and the
/// request is not counted) but still forwarded.
pub(crate) const EVENT_LIMIT: usize = 16 << 10;

const START_ID: usize = 0;
const START_MODEL: usize = 1;
const START_USAGE: usize = 2;
const DELTA_STOP: usize = 3;
const DELTA_USAGE: usize = 4;
const KIND: usize = 5;

static TARGETS: [Target; 6] = [
    Target {
        path: &[Step::Key("message"), Step::Key("id")],
        capture: true,
    },
    Target {
        path: &[Step::Key("message"), Step::Key("model")],
        capture: true,
    },
    Target {
        path: &[Step::Key("message"), Step::Key("usage")],
        capture: true,
    },
    Target {
        path: &[Step::Key("delta"), Step::Key("stop_reason")],
        capture: true,
    },
    Target {
        path: &[Step::Key("usage")],
        capture: true,
    },
    Target {
        path: &[Step::Key("type")],
        capture: true,
    },
];

fn usage_events(name: &str) -> bool {
    matches!(name, "message_start" | "message_delta")
}

/// Reads a streamed Messages response as it passes.
#[derive(Debug)]
pub(crate) struct StreamReader {
    sse: SseScanner,
    start: Option<[Option<Vec<u8>>; 3]>,
    delta: Option<[Option<Vec<u8>>; 2]>,
    /// A usage event that could not be read, and why.
    failed: Option<Unaccounted>,
    /// Usage events larger than [`EVENT_LIMIT`].
    oversized: u64,
}

impl Default for StreamReader {
    fn default() -> Self {
        StreamReader::new()
    }
}

impl StreamReader {
    /// A reader at the start of a stream.
    pub(crate) fn new() -> StreamReader {
        StreamReader {
            sse: SseScanner::new(usage_events, EVENT_LIMIT),
            start: None,
            delta: None,
            failed: None,
            oversized: 0,
        }
    }

    /// Usage events skipped so far for being larger than [`EVENT_LIMIT`].
    pub(crate) fn oversized(&self) -> u64 {
        self.oversized
    }

    /// Reads the next chunk of the stream.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        let Self {
            sse,
            start,
            delta,
            failed,
            oversized,
        } = self;
        sse.feed(chunk, &mut |found| match found {
            SseFound::Event { data, .. } => {
                if let Err(e) = event(data, start, delta) {
                    failed.get_or_insert(e);
                }
            }
            SseFound::TooLong { name, head } => {
                let named = usage_events(name);
                let typed = name.is_empty()
                    && [&b"\"message_start\""[..], b"\"message_delta\""]
                        .iter()
                        .any(|t| memchr::memmem::find(head, t).is_some());
                if named || typed {
                    *oversized += 1;
                    failed.get_or_insert(Unaccounted::TooLarge("a usage event"));
                }
            }
        });
    }

    /// What the whole stream was worth: the request's usage record, or why there is none.
    pub(crate) fn finish(&self, ctx: &ApiContext<'_>) -> Result<UsageEvent, Unaccounted> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let Some(start) = &self.start else {
            return Err(Unaccounted::Incomplete("the stream has no message_start"));
        };
        let Some(delta) = &self.delta else {
            return Err(Unaccounted::Incomplete(
                "the stream ended before message_delta",
            ));
        };
        let opening = usage(start[2].as_deref(), "message.usage")?.unwrap_or_default();
        let last = usage(delta[1].as_deref(), "usage")?.unwrap_or_default();
        let parts = Parts {
            id: scalar(start[0].as_deref())?,
            model: scalar(start[1].as_deref())?,
            usage: Some(merge(opening, last)),
            stop_reason: scalar(delta[0].as_deref())?,
        };
        record(&parts, ctx)
    }
}

/// Reads one kept event's data: a `message_start` or a `message_delta` (by its `type`).
fn event(
    data: &[u8],
    start: &mut Option<[Option<Vec<u8>>; 3]>,
    delta: &mut Option<[Option<Vec<u8>>; 2]>,
) -> Result<(), Unaccounted> {
    let mut scanner = PathScanner::new(&TARGETS, CAPTURE_LIMIT, false);
    let mut got: [Option<Vec<u8>>; 6] = Default::default();
    let mut problem = None;
    scanner.feed(data, &mut |found| match found {
        Found::Value { target, bytes } => got[target] = Some(bytes.to_vec()),
        Found::TooLong { .. } => problem = Some(Unaccounted::TooLarge("a usage field")),
        Found::Malformed => problem = Some(Unaccounted::Malformed),
        Found::End { .. } => {}
    });
    if let Some(p) = problem {
        return Err(p);
    }
    if !scanner.at_rest() {
        return Err(Unaccounted::Malformed);
    }
    let kind = scalar(got[KIND].as_deref())?;
    match kind.as_ref().and_then(|k| k.as_str()) {
        Some("message_start") => {
            *start = Some([
                got[START_ID].take(),
                got[START_MODEL].take(),
                got[START_USAGE].take(),
            ]);
        }
        // The last one counts: its figures are cumulative.
        Some("message_delta") => *delta = Some([got[DELTA_STOP].take(), got[DELTA_USAGE].take()]),
        _ => {}
    }
    Ok(())
}

/// The final usage: `message_delta`'s fields where it has them (they are cumulative), else
/// `message_start`'s.
fn merge<'a>(start: RawUsage<'a>, last: RawUsage<'a>) -> RawUsage<'a> {
    RawUsage {
        kind: None,
        model: None,
        iterations: last.iterations.or(start.iterations),
        input_tokens: last.input_tokens.or(start.input_tokens),
        cache_creation_input_tokens: last
            .cache_creation_input_tokens
            .or(start.cache_creation_input_tokens),
        cache_read_input_tokens: last
            .cache_read_input_tokens
            .or(start.cache_read_input_tokens),
        output_tokens: last.output_tokens.or(start.output_tokens),
        cache_creation: last.cache_creation.or(start.cache_creation),
        server_tool_use: last.server_tool_use.or(start.server_tool_use),
        service_tier: last.service_tier.or(start.service_tier),
        speed: last.speed.or(start.speed),
        inference_geo: last.inference_geo.or(start.inference_geo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{StopReason, Tokens, request_key};
    use chrono::Utc;

    fn stream(delta_usage: &str) -> String {
        let start = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":700,"cache_read_input_tokens":2000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":700},"output_tokens":1,"service_tier":"standard"}}}"#;
        let delta = format!(
            r#"{{"type":"message_delta","delta":{{"stop_reason":"end_turn","stop_sequence":null}},"usage":{delta_usage}}}"#
        );
        format!(
            "event: message_start\ndata: {start}\n\nevent: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"delta\":{{\"text\":\"\\\"message_delta\\\"\"}}}}\n\nevent: message_delta\ndata: {delta}\n\nevent: message_stop\ndata: {{\"type\":\"message_stop\"}}\n\n"
        )
    }

    fn read(body: &[u8], size: usize) -> Result<UsageEvent, Unaccounted> {
        let mut r = StreamReader::new();
        for chunk in body.chunks(size) {
            r.feed(chunk);
        }
        r.finish(&ApiContext {
            request_id: Some("req_9"),
            at: Utc::now(),
        })
    }

    #[test]
    fn start_and_delta_make_the_final_usage() {
        let body = stream(r#"{"output_tokens":321}"#);
        for size in [1, 17, body.len()] {
            let e = read(body.as_bytes(), size).unwrap();
            assert_eq!(
                e.tokens,
                Tokens {
                    input: 10,
                    cache_write_5m: 0,
                    cache_write_1h: 700,
                    cache_read: 2000,
                    output: 321,
                    web_search_requests: 0,
                }
            );
            assert_eq!(e.stop_reason, Some(StopReason::Other));
            assert_eq!(e.key, Some(request_key("req_9")));
        }
        // A delta that restates every count wins over the start's.
        let full = stream(
            r#"{"input_tokens":11,"cache_creation_input_tokens":700,"cache_read_input_tokens":2001,"output_tokens":5,"server_tool_use":{"web_search_requests":2}}"#,
        );
        let e = read(full.as_bytes(), 64).unwrap();
        assert_eq!((e.tokens.input, e.tokens.cache_read), (11, 2001));
        assert_eq!(e.tokens.web_search_requests, 2);
        assert_eq!(
            e.tokens.cache_write_1h, 700,
            "the TTL split stays the start's"
        );
    }

    #[test]
    fn a_cut_stream_or_an_oversized_usage_event_counts_nothing() {
        let body = stream(r#"{"output_tokens":321}"#);
        let cut = body.find("event: message_delta").unwrap();
        assert!(matches!(
            read(&body.as_bytes()[..cut], 64),
            Err(Unaccounted::Incomplete(_))
        ));
        let padded = stream(&format!(
            r#"{{"output_tokens":3,"pad":"{}"}}"#,
            "x".repeat(EVENT_LIMIT)
        ));
        let mut r = StreamReader::new();
        r.feed(padded.as_bytes());
        assert_eq!(r.oversized(), 1);
        assert!(matches!(
            read(padded.as_bytes(), 4096),
            Err(Unaccounted::TooLarge(_))
        ));
        assert!(matches!(
            read(b"garbage", 3),
            Err(Unaccounted::Incomplete(_))
        ));
    }
}
