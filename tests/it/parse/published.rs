//! Line parsers against the published shapes (`tests/fixtures/claude-code/`, `messages-api/`).

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use costtop::parse::{LineContext, ParseError, Parsed, parse_line};
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, dedupe_key,
    message_key, request_key,
};

const CLAUDE_CODE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/claude-code/assistant.jsonl"
));
const BATCH: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/messages-api/batch-results.jsonl"
));

fn fallback() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

fn ctx() -> LineContext<'static> {
    LineContext {
        fallback_time: fallback(),
        path: "",
    }
}

fn usage(line: &str) -> UsageEvent {
    match parse_line(line.as_bytes(), &ctx()) {
        Parsed::Usage(event) => event,
        other => panic!("expected usage, got {other:?}"),
    }
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(Arc<str>, Arc<str>)> {
    pairs
        .iter()
        .map(|(k, v)| (Arc::from(*k), Arc::from(*v)))
        .collect()
}

#[test]
fn claude_code_fixture_parses_to_the_exact_record() {
    let line = CLAUDE_CODE.lines().next().unwrap();
    let tokens = Tokens {
        input: 3,
        cache_write_5m: 0,
        cache_write_1h: 2849,
        cache_read: 9493,
        output: 527,
        web_search_requests: 0,
    };
    let expected = UsageEvent {
        key: Some(request_key("req_011CaggwfaCLxM1JdpaaXsV2")),
        alt_key: Some(message_key("msg_013L5LaAZe5mRf4MVY1gBB3U")),
        rank: (3 + 2849 + 9493 + 527) * 2 + 1,
        timestamp: "2026-05-04T01:50:18.499Z".parse().unwrap(),
        model: Arc::from("claude-sonnet-4-6"),
        tokens,
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            project: Some(Arc::from("/home/me/dev/app")),
            session: Some(Arc::from("dac472d2-1379-4e28-be38-cf9abf4ac4f0")),
            tags: tags(&[("git_branch", "main")]),
        },
        iterations: Vec::new(),
        estimate: None,
    };
    assert_eq!(usage(line), expected);
}

#[test]
fn batch_fixture_success_is_batch_tier_with_fallback_time() {
    let line = BATCH.lines().next().unwrap();
    let tokens = Tokens {
        input: 10,
        output: 12,
        ..Tokens::default()
    };
    let expected = UsageEvent {
        key: Some(dedupe_key(&[
            b"batch",
            b"my-first-request",
            b"msg_017SY5ievvNM8fnNvtSeLZN6",
        ])),
        alt_key: Some(message_key("msg_017SY5ievvNM8fnNvtSeLZN6")),
        rank: 22 * 2 + 1,
        timestamp: fallback(),
        model: Arc::from("claude-sonnet-4-5-20250929"),
        tokens,
        tier: Tier::Batch,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution::default(),
        iterations: Vec::new(),
        estimate: None,
    };
    assert_eq!(usage(line), expected);
}

#[test]
fn batch_fixture_error_is_a_failed_request_without_tokens() {
    let line = BATCH.lines().nth(1).unwrap();
    let expected = UsageEvent {
        alt_key: None,
        key: Some(dedupe_key(&[b"batch", b"my-second-request", b"errored"])),
        rank: 0,
        timestamp: fallback(),
        model: Arc::from(""),
        tokens: Tokens::default(),
        tier: Tier::Batch,
        modifiers: Modifiers::default(),
        stop_reason: None,
        kind: EventKind::FailedRequest,
        attribution: Attribution::default(),
        iterations: Vec::new(),
        estimate: None,
    };
    assert_eq!(usage(line), expected);
}

#[test]
fn every_published_fixture_line_is_usage() {
    for line in CLAUDE_CODE.lines().chain(BATCH.lines()) {
        assert!(matches!(
            parse_line(line.as_bytes(), &ctx()),
            Parsed::Usage(_)
        ));
    }
}

#[test]
fn tool_result_mentioning_usage_is_not_usage() {
    let line = r#"{"parentUuid":"a","isSidechain":false,"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"usage"}]},"toolUseResult":{"usage":{"input_tokens":-1},"totalTokens":5},"uuid":"b","timestamp":"2026-11-03T10:00:00Z"}"#;
    assert!(costtop::parse::looks_like_usage(line.as_bytes()));
    assert_eq!(parse_line(line.as_bytes(), &ctx()), Parsed::NotUsage);
}

#[test]
fn truncated_usage_line_is_malformed_json() {
    let line = CLAUDE_CODE.lines().next().unwrap();
    let cut = &line.as_bytes()[..line.len() / 2];
    assert!(matches!(
        parse_line(cut, &ctx()),
        Parsed::Invalid(ParseError::Json(_))
    ));
}

#[test]
fn blank_and_whitespace_lines_are_not_usage() {
    for line in ["", " ", "\t\r", "\r"] {
        assert_eq!(parse_line(line.as_bytes(), &ctx()), Parsed::NotUsage);
    }
}

#[test]
fn crlf_line_ending_is_accepted() {
    let line = format!("{}\r\n", CLAUDE_CODE.lines().next().unwrap());
    assert!(matches!(
        parse_line(line.as_bytes(), &ctx()),
        Parsed::Usage(_)
    ));
}

#[test]
fn batch_request_line_is_not_a_result() {
    let line = r#"{"custom_id":"t-1","params":{"model":"claude-haiku-4-5","max_tokens":10,"messages":[]}}"#;
    assert_eq!(parse_line(line.as_bytes(), &ctx()), Parsed::NotUsage);
}

#[test]
fn messages_api_response_at_top_level_is_an_application_record() {
    let line = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":3,"service_tier":"priority","speed":"fast"},"created_at":"2026-11-18T09:00:01+01:00"}"#;
    let event = usage(line);
    assert_eq!(event.key, Some(message_key("msg_1")));
    assert_eq!(event.tier, Tier::Priority);
    assert!(event.modifiers.fast);
    assert_eq!(
        event.timestamp,
        "2026-11-18T08:00:01Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[test]
fn application_record_without_time_or_id_uses_fallback_and_no_key() {
    let line = r#"{"model":"claude-haiku-4-5","usage":{"input_tokens":7,"output_tokens":3}}"#;
    let event = usage(line);
    assert_eq!(event.timestamp, fallback());
    assert_eq!(event.key, None);
    assert_eq!(event.rank, 20);
}

#[test]
fn assistant_line_without_usage_is_not_usage() {
    let line = r#"{"type":"assistant","message":{"model":"claude-haiku-4-5","content":[{"type":"text","text":"usage"}]},"timestamp":"2026-11-18T09:00:01Z"}"#;
    assert_eq!(parse_line(line.as_bytes(), &ctx()), Parsed::NotUsage);
}

#[test]
fn errors_never_quote_the_line() {
    let secret = "sk-ant-admin01-VERYSECRET";
    let lines = [
        format!(r#"{{"usage":{{"input_tokens":1,"output_tokens":2}},"model":"m","tags":"{secret}"#),
        format!(r#"{{"usage":{{"input_tokens":"{secret}","output_tokens":2}},"model":"m"}}"#),
        format!(r#"["usage","{secret}"]"#),
        format!(r#"{{"usage":{{}},"model":"m","ts":"{secret}"}}"#),
    ];
    for line in lines {
        match parse_line(line.as_bytes(), &ctx()) {
            Parsed::Invalid(error) => assert!(!error.to_string().contains("VERYSECRET")),
            other => panic!("expected an error, got {other:?}"),
        }
    }
}
