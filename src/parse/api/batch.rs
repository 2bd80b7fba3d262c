//! Message Batches as they pass a proxy: the results download (JSON Lines, one result per
//! line, read by the same rules as a results file: [`super::super::batch`]) and the create
//! request (each request's `custom_id` and `params.metadata.user_id`, to attribute its result
//! when it is downloaded). Content is never held, however large the lines.

use super::super::batch;
use super::super::json_paths::{Found, PathScanner, Step, Target};
use super::super::lenient::Obj;
use super::super::parsed::{LineContext, Parsed};
use super::super::raw::{RawMessage, RawResult};
use super::parts::{CAPTURE_LIMIT, Unaccounted, scalar, usage};
use super::request::user_text;
use crate::usage::UsageEvent;

const CUSTOM_ID: usize = 0;
const OUTCOME: usize = 1;
const ID: usize = 2;
const MODEL: usize = 3;
const USAGE: usize = 4;
const STOP: usize = 5;
const LINE: usize = 6;

static RESULT_TARGETS: [Target; 7] = [
    Target {
        path: &[Step::Key("custom_id")],
        capture: true,
    },
    Target {
        path: &[Step::Key("result"), Step::Key("type")],
        capture: true,
    },
    Target {
        path: &[Step::Key("result"), Step::Key("message"), Step::Key("id")],
        capture: true,
    },
    Target {
        path: &[
            Step::Key("result"),
            Step::Key("message"),
            Step::Key("model"),
        ],
        capture: true,
    },
    Target {
        path: &[
            Step::Key("result"),
            Step::Key("message"),
            Step::Key("usage"),
        ],
        capture: true,
    },
    Target {
        path: &[
            Step::Key("result"),
            Step::Key("message"),
            Step::Key("stop_reason"),
        ],
        capture: true,
    },
    Target {
        path: &[],
        capture: false,
    },
];

/// One result line read: its `custom_id` and its record (at the batch tier; errored,
/// canceled and expired results are failed requests), or why it could not be read.
pub(crate) type BatchResult = Result<(String, UsageEvent), Unaccounted>;

/// Reads a Message Batches results download as it passes.
#[derive(Debug)]
pub(crate) struct BatchResultsReader {
    scanner: PathScanner,
    line: [Option<Vec<u8>>; 6],
    too_long: bool,
}

impl Default for BatchResultsReader {
    fn default() -> Self {
        BatchResultsReader::new()
    }
}

impl BatchResultsReader {
    /// A reader at the start of a download.
    pub(crate) fn new() -> BatchResultsReader {
        BatchResultsReader {
            scanner: PathScanner::new(&RESULT_TARGETS, CAPTURE_LIMIT, true),
            line: Default::default(),
            too_long: false,
        }
    }

    /// Reads the next chunk; each result line completed is passed to `each`. Results carry
    /// no time: they take `ctx.fallback_time`.
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        ctx: &LineContext<'_>,
        each: &mut impl FnMut(BatchResult),
    ) {
        let Self {
            scanner,
            line,
            too_long,
        } = self;
        scanner.feed(chunk, &mut |found| match found {
            Found::Value { target, bytes } if target < LINE => line[target] = Some(bytes.to_vec()),
            Found::TooLong { .. } => *too_long = true,
            Found::End { target: LINE } => {
                let result = if *too_long {
                    Err(Unaccounted::TooLarge("a result's usage"))
                } else {
                    read_result(line, ctx)
                };
                each(result);
                *line = Default::default();
                *too_long = false;
            }
            Found::Malformed => {
                each(Err(Unaccounted::Malformed));
                *line = Default::default();
                *too_long = false;
            }
            Found::End { .. } | Found::Value { .. } => {}
        });
    }

    /// Whether the download ended between lines (a cut last line is not counted).
    pub(crate) fn whole(&self) -> bool {
        self.scanner.at_rest()
    }
}

fn read_result(line: &[Option<Vec<u8>>; 6], ctx: &LineContext<'_>) -> BatchResult {
    let get = |i: usize| line[i].as_deref();
    let Some(custom_id) = scalar(get(CUSTOM_ID))? else {
        return Err(Unaccounted::Schema(super::super::fields::schema(
            "custom_id",
            "missing",
        )));
    };
    let message = RawMessage {
        id: scalar(get(ID))?,
        model: scalar(get(MODEL))?,
        usage: usage(get(USAGE), "result.message.usage")?.map(Obj::Map),
        stop_reason: scalar(get(STOP))?,
        ..RawMessage::default()
    };
    let has_message = message.id.is_some() || message.model.is_some() || message.usage.is_some();
    let result = RawResult {
        kind: scalar(get(OUTCOME))?,
        message: has_message.then_some(Obj::Map(message)),
    };
    match batch::parse(&custom_id, &result, ctx) {
        Parsed::Usage(event) => Ok((custom_id.to_text().unwrap_or_default().into_owned(), event)),
        Parsed::Invalid(e) => Err(Unaccounted::Schema(e)),
        Parsed::NotUsage | Parsed::Estimates(_) | Parsed::Compaction(_) => {
            Err(Unaccounted::Incomplete("not a result"))
        }
    }
}

static REQUEST_TARGETS: [Target; 3] = [
    Target {
        path: &[Step::Key("requests"), Step::Each, Step::Key("custom_id")],
        capture: true,
    },
    Target {
        path: &[
            Step::Key("requests"),
            Step::Each,
            Step::Key("params"),
            Step::Key("metadata"),
            Step::Key("user_id"),
        ],
        capture: true,
    },
    Target {
        path: &[Step::Key("requests"), Step::Each],
        capture: false,
    },
];

/// Most users remembered from one create request (the API takes 100,000 requests a batch).
pub(crate) const MAX_BATCH_USERS: usize = 100_000;

/// Reads a `POST /v1/messages/batches` body as it passes: the user of each request that
/// names one (`params.metadata.user_id`), by `custom_id`.
#[derive(Debug)]
pub(crate) struct BatchRequestReader {
    scanner: PathScanner,
    custom_id: Option<Vec<u8>>,
    user: Option<Vec<u8>>,
    users: Vec<(String, String)>,
    dropped: u64,
}

impl Default for BatchRequestReader {
    fn default() -> Self {
        BatchRequestReader::new()
    }
}

impl BatchRequestReader {
    /// A reader at the start of a body.
    pub(crate) fn new() -> BatchRequestReader {
        BatchRequestReader {
            scanner: PathScanner::new(&REQUEST_TARGETS, CAPTURE_LIMIT, false),
            custom_id: None,
            user: None,
            users: Vec::new(),
            dropped: 0,
        }
    }

    /// Reads the next chunk of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        let Self {
            scanner,
            custom_id,
            user,
            users,
            dropped,
            ..
        } = self;
        scanner.feed(chunk, &mut |found| match found {
            Found::Value { target: 0, bytes } => *custom_id = Some(bytes.to_vec()),
            Found::Value { target: 1, bytes } => *user = Some(bytes.to_vec()),
            Found::End { target: 2 } => {
                let id = user_text(custom_id.take().as_deref());
                if let (Some(id), Some(who)) = (id, user_text(user.take().as_deref())) {
                    if users.len() < MAX_BATCH_USERS {
                        users.push((id, who));
                    } else {
                        *dropped += 1;
                    }
                }
            }
            _ => {}
        });
    }

    /// The `(custom_id, user)` pairs read, and how many were beyond [`MAX_BATCH_USERS`].
    pub(crate) fn into_users(self) -> (Vec<(String, String)>, u64) {
        (self.users, self.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{EventKind, Tier};
    use chrono::Utc;

    #[test]
    fn result_lines_become_batch_records_and_bad_lines_are_told() {
        let body = concat!(
            r#"{"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_a","type":"message","model":"claude-haiku-5-5","content":[{"type":"text","text":"long"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":7}}}}"#,
            "\n",
            r#"{"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error"}}}}"#,
            "\n",
            "not json\n",
            r#"{"custom_id":"c","result":{"type":"succeeded","message":{"id":"msg_c","model":"claude-haiku-5-5","usage":{"input_tokens":1,"output_tokens":2}}}}"#,
        );
        let ctx = LineContext {
            fallback_time: Utc::now(),
            path: "",
        };
        for size in [1, 50, body.len()] {
            let mut r = BatchResultsReader::new();
            let mut got = Vec::new();
            for chunk in body.as_bytes().chunks(size) {
                r.feed(chunk, &ctx, &mut |res| got.push(res));
            }
            assert!(
                r.whole(),
                "a last line without its newline is whole once it closes"
            );
            assert_eq!(got.len(), 4, "chunks of {size}: {got:?}");
            let (id, a) = got[0].clone().unwrap();
            assert_eq!(
                (id.as_str(), a.tier, a.tokens.output),
                ("a", Tier::Batch, 7)
            );
            let (id, b) = got[1].clone().unwrap();
            assert_eq!((id.as_str(), b.kind), ("b", EventKind::FailedRequest));
            assert_eq!(got[2], Err(Unaccounted::Malformed));
            assert_eq!(got[3].clone().unwrap().0, "c");
        }
        let mut cut = BatchResultsReader::new();
        let mut got = Vec::new();
        cut.feed(&body.as_bytes()[..body.len() - 2], &ctx, &mut |res| {
            got.push(res);
        });
        assert!(!cut.whole());
        assert_eq!(got.len(), 3, "the cut last line is not read");
    }

    #[test]
    fn create_requests_give_each_custom_ids_user() {
        let body = br#"{"requests":[{"custom_id":"a","params":{"model":"m","metadata":{"user_id":"u1"},"messages":[]}},{"custom_id":"b","params":{"model":"m"}},{"params":{"metadata":{"user_id":7}},"custom_id":"c"}]}"#;
        let mut r = BatchRequestReader::new();
        for chunk in body.chunks(3) {
            r.feed(chunk);
        }
        let (users, dropped) = r.into_users();
        assert_eq!(
            users,
            [
                ("a".to_owned(), "u1".to_owned()),
                ("c".to_owned(), "7".to_owned())
            ]
        );
        assert_eq!(dropped, 0);
    }
}
