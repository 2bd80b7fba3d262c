//! Claude Code's OTLP log events → usage records. `claude_code.api_request` is one API
//! request with its tokens, model, speed and request id; every other Claude Code event
//! (`user_prompt`, `tool_result`, `api_error`, …) carries no usage and is passed over; a log
//! record that is no Claude Code event at all is refused.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::logs::v1::LogRecord;

use super::attrs::{self, Attrs};
use super::mapped::Mapped;
use crate::money::Money;
use crate::usage::{
    Attribution, EventKind, Modifiers, Tier, Tokens, UsageEvent, dedupe_key, request_key,
};

/// The event costtop counts.
const API_REQUEST: &str = "claude_code.api_request";
/// Prefix of every Claude Code event name.
const CLAUDE_CODE: &str = "claude_code.";
/// Claude Code's instrumentation scope for events (its `event.name` lacks the prefix).
const EVENTS_SCOPE: &str = "com.anthropic.claude_code";

/// Attributes of an `api_request` event kept as tags (who and why).
const EVENT_TAGS: [&str; 4] = [
    "user.email",
    "user.account_uuid",
    "organization.id",
    "query_source",
];

/// Maps every log record of the request.
pub(super) fn map(req: &ExportLogsServiceRequest, now: DateTime<Utc>, out: &mut Mapped) {
    for resource_logs in &req.resource_logs {
        let resource = attrs::resource(resource_logs.resource.as_ref());
        let resource_tags = attrs::resource_tags(resource);
        let mut sent = false;
        for scope_logs in &resource_logs.scope_logs {
            let scope = scope_logs.scope.as_ref().map_or("", |s| s.name.as_str());
            for record in &scope_logs.log_records {
                match event_name(record, scope).as_deref() {
                    Some(API_REQUEST) => {
                        sent = true;
                        match api_request(record, &resource_tags, now) {
                            Ok((event, assumed)) => {
                                out.ttl_assumed += u64::from(assumed);
                                out.accept(event);
                            }
                            Err(reason) => out.reject(|| format!("{API_REQUEST}: {reason}")),
                        }
                    }
                    Some(name) if name.starts_with(CLAUDE_CODE) => sent = true,
                    Some(name) => out.reject(|| format!("unknown event name {name:?}")),
                    None => out.reject(|| "a log record that names no event".into()),
                }
            }
        }
        if sent {
            out.sender(attrs::sender_identity(resource));
        }
    }
}

/// The record's event name: the `event_name` field, a `claude_code.*` body, or the
/// `event.name` attribute (a bare name such as `api_request` under Claude Code's events
/// scope is prefixed with `claude_code.`).
fn event_name(record: &LogRecord, scope: &str) -> Option<String> {
    if !record.event_name.is_empty() {
        return Some(prefixed(&record.event_name, scope));
    }
    if let Some(Value::StringValue(body)) = record.body.as_ref().and_then(|b| b.value.as_ref())
        && body.starts_with(CLAUDE_CODE)
    {
        return Some(body.clone());
    }
    Attrs(&record.attributes)
        .text("event.name")
        .map(|name| prefixed(name, scope))
}

fn prefixed(name: &str, scope: &str) -> String {
    if scope.starts_with(EVENTS_SCOPE) && !name.contains('.') {
        format!("{CLAUDE_CODE}{name}")
    } else {
        name.to_string()
    }
}

/// One `api_request` event as a usage record; the flag says its cache TTL was assumed.
fn api_request(
    record: &LogRecord,
    resource_tags: &[(Arc<str>, Arc<str>)],
    now: DateTime<Utc>,
) -> Result<(UsageEvent, bool), String> {
    let a = Attrs(&record.attributes);
    let model = a.text("model").ok_or("model: missing")?;
    let writes = a.count("cache_creation_tokens")?.unwrap_or(0);
    // 2.1.328 and later give the 5m/1h split; older events do not, and their writes are
    // priced as 5-minute writes, as the parsers do when a transcript line lacks the split.
    let five = a.count("cache_creation_5m_tokens")?;
    let hour = a.count("cache_creation_1h_tokens")?;
    let given = attrs::ttl_split(writes, five, hour);
    let split = given.is_some();
    let (short, long) = given.unwrap_or((writes, 0));
    let tokens = Tokens {
        input: a.required_count("input_tokens")?,
        output: a.required_count("output_tokens")?,
        cache_read: a.count("cache_read_tokens")?.unwrap_or(0),
        cache_write_5m: short,
        cache_write_1h: long,
        ..Tokens::default()
    };
    let timestamp = match attrs::time(
        &[record.time_unix_nano, record.observed_time_unix_nano],
        now,
    ) {
        Ok(t) => t,
        Err(e) => match a.text("event.timestamp") {
            Some(text) => DateTime::parse_from_rfc3339(text)
                .map_err(|_| format!("event.timestamp: not RFC 3339 ({e})"))
                .and_then(|t| attrs::check_time(t.to_utc(), now))?,
            None => return Err(e),
        },
    };
    let key = match a.text("request_id") {
        Some(id) => Some(request_key(id)),
        None => a.text("session.id").map(|session| {
            let sequence = match a.get("event.sequence") {
                Some(Value::IntValue(n)) => n.to_le_bytes(),
                _ => record.time_unix_nano.to_le_bytes(),
            };
            dedupe_key(&[b"otlp-event", session.as_bytes(), &sequence])
        }),
    };
    let estimate = match a.get("cost_usd_micros") {
        Some(Value::IntValue(micros)) if *micros >= 0 => {
            Some(Money(i128::from(*micros) * 1_000_000))
        }
        _ => a.dollars("cost_usd").map(Money::from_usd),
    };
    let mut tags = Vec::with_capacity(EVENT_TAGS.len() + resource_tags.len());
    attrs::copy_tags(a, &EVENT_TAGS, &mut tags);
    tags.extend(resource_tags.iter().cloned());
    let event = UsageEvent {
        key,
        alt_key: None,
        // Below any transcript line of the same request (token total × 2, plus one when
        // final), so the transcript wins whichever comes first; with the split, above an
        // event or span of the same request without one.
        rank: if split {
            tokens.total().saturating_mul(2)
        } else {
            tokens.total()
        },
        timestamp,
        model: Arc::from(model),
        tokens,
        tier: Tier::Standard,
        modifiers: Modifiers {
            fast: a.text("speed") == Some("fast"),
            ..Modifiers::default()
        },
        stop_reason: None,
        kind: EventKind::Request,
        attribution: Attribution {
            project: None,
            session: a.text("session.id").map(Arc::from),
            tags: attrs::finish_tags(tags),
        },
        iterations: Vec::new(),
        estimate,
    };
    Ok((event, writes > 0 && !split))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::otlp::decode::{Encoding, Export, Signal, decode};
    use crate::sources::otlp::testing::{decoded, now};

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/otlp/claude-code-api-request.json"
    ));

    fn mapped(json: &str) -> Mapped {
        let Export::Logs(req) = decoded(Signal::Logs, json) else {
            panic!("a logs export")
        };
        let mut out = Mapped::default();
        map(&req, now(), &mut out);
        out
    }

    #[test]
    fn the_fixture_event_becomes_one_request_keyed_by_its_request_id() {
        let m = mapped(FIXTURE);
        assert_eq!((m.records, m.rejected, m.ttl_assumed), (1, 0, 1));
        let e = &m.events[0];
        assert_eq!(&*e.model, "claude-opus-4-8");
        assert_eq!(
            e.tokens,
            Tokens {
                input: 1201,
                output: 43,
                cache_read: 15000,
                cache_write_5m: 3000,
                ..Tokens::default()
            }
        );
        assert_eq!(e.key, Some(request_key("req_011CExampleTelemetry01")));
        assert_eq!(e.rank, 1201 + 43 + 15000 + 3000);
        assert_eq!(e.estimate, Some(Money(40_830_000_000)));
        assert_eq!(e.timestamp.to_rfc3339(), "2026-12-01T21:56:19.873+00:00");
        assert_eq!(
            e.attribution.session.as_deref(),
            Some("239f9f22-6bef-46d5-b40e-e46900c78d1d")
        );
        assert_eq!(
            e.attribution.tag("query_source"),
            Some("generate_session_title")
        );
        assert_eq!(e.attribution.tag("service.name"), Some("claude-code"));
        assert!(!e.modifiers.fast);
        assert_eq!(m.senders.len(), 1);
    }

    fn with(edit: impl Fn(&mut LogRecord)) -> Mapped {
        let Export::Logs(mut req) =
            decode(Signal::Logs, Encoding::Json, FIXTURE.as_bytes()).unwrap()
        else {
            panic!()
        };
        edit(&mut req.resource_logs[0].scope_logs[0].log_records[0]);
        let mut out = Mapped::default();
        map(&req, now(), &mut out);
        out
    }

    fn set(record: &mut LogRecord, key: &str, value: Option<Value>) {
        record.attributes.retain(|kv| kv.key != key);
        if let Some(v) = value {
            record
                .attributes
                .push(opentelemetry_proto::tonic::common::v1::KeyValue {
                    key: key.into(),
                    value: Some(opentelemetry_proto::tonic::common::v1::AnyValue {
                        value: Some(v),
                    }),
                    ..Default::default()
                });
        }
    }

    #[test]
    fn bad_events_are_refused_with_a_reason() {
        type Edit = Box<dyn Fn(&mut LogRecord)>;
        let cases: [(&str, Edit); 6] = [
            ("model: missing", Box::new(|r| set(r, "model", None))),
            (
                "input_tokens: missing",
                Box::new(|r| set(r, "input_tokens", None)),
            ),
            (
                "output_tokens: negative",
                Box::new(|r| set(r, "output_tokens", Some(Value::IntValue(-4)))),
            ),
            (
                "cache_read_tokens: not a number",
                Box::new(|r| {
                    set(
                        r,
                        "cache_read_tokens",
                        Some(Value::StringValue("lots".into())),
                    );
                }),
            ),
            (
                "implausible timestamp",
                Box::new(|r| {
                    r.time_unix_nano = 4_102_444_800_000_000_000; // 2100
                    r.observed_time_unix_nano = 0;
                    set(r, "event.timestamp", None);
                }),
            ),
            (
                "unknown event name \"something.else\"",
                Box::new(|r| {
                    r.body = None;
                    r.event_name = "something.else".into();
                }),
            ),
        ];
        for (reason, edit) in cases {
            let m = with(edit);
            assert_eq!(
                (m.records, m.rejected, m.events.len()),
                (1, 1, 0),
                "{reason}"
            );
            let got = m.first_rejection.unwrap();
            assert!(got.contains(reason), "{got} lacks {reason}");
        }
    }

    #[test]
    fn claude_code_2_1_328_events_carry_the_ttl_split() {
        let m = with(|r| {
            set(r, "cache_creation_5m_tokens", Some(Value::IntValue(1000)));
            set(r, "cache_creation_1h_tokens", Some(Value::IntValue(2000)));
        });
        assert_eq!(m.ttl_assumed, 0);
        let t = m.events[0].tokens;
        assert_eq!((t.cache_write_5m, t.cache_write_1h), (1000, 2000));
        // Ranked above an event without the split, below the transcript line.
        assert_eq!(m.events[0].rank, 2 * t.total());
    }

    #[test]
    fn other_claude_code_events_are_passed_over_and_fast_mode_is_read() {
        let m = with(|r| {
            r.body = None;
            set(
                r,
                "event.name",
                Some(Value::StringValue("user_prompt".into())),
            );
        });
        assert_eq!((m.records, m.rejected), (0, 0));
        let m = with(|r| set(r, "speed", Some(Value::StringValue("fast".into()))));
        assert!(m.events[0].modifiers.fast);
    }
}
