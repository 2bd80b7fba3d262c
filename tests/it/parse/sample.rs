//! Line parsers against the sample we ship (`tests/fixtures/sample/`) and the bad inputs
//! (`tests/fixtures/bad/`): every line's outcome, and the deduplicated ground truth.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use costtop::parse::{LineContext, ParseError, Parsed, parse_line};
use costtop::usage::{EventKind, StopReason, Tier, Tokens, UsageEvent, message_key, request_key};

use super::kinds;

const PROJECT: &str = "tests/fixtures/sample/claude/projects/-home-dev-shop";
const SESSION_A: &str = "6f1c0a52-3b7e-4c1d-9a2e-5d8f00000001";
const SESSION_B: &str = "9b2d7e31-8c4a-4f6e-b1d3-7e2a00000002";

fn fallback() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

/// Every line of a fixture file (relative to the crate root), parsed.
fn parse_file(relative: &str) -> Vec<Parsed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ctx = LineContext {
        fallback_time: fallback(),
        path: relative,
    };
    bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| parse_line(line, &ctx))
        .collect()
}

fn session_file(session: &str) -> String {
    format!("{PROJECT}/{session}.jsonl")
}

fn events(parsed: &[Parsed]) -> Vec<&UsageEvent> {
    parsed
        .iter()
        .filter_map(|p| match p {
            Parsed::Usage(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn time(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn streamed_response_lines_share_a_key_and_rank_the_final_line_highest() {
    let parsed = parse_file(&session_file(SESSION_A));
    let stream: Vec<_> = events(&parsed)
        .into_iter()
        .filter(|e| &*e.model == "claude-sonnet-4-5-20250929")
        .collect();
    assert_eq!(stream.len(), 3);
    let key = request_key("req_011CStreamCart4pR8sT2uV6wY");
    assert!(stream.iter().all(|e| e.key == Some(key)));
    let outputs: Vec<u64> = stream.iter().map(|e| e.tokens.output).collect();
    assert_eq!(outputs, [1, 1, 412]);
    assert_eq!(stream[2].stop_reason, Some(StopReason::Other));
    assert!(stream[0].stop_reason.is_none() && stream[1].stop_reason.is_none());
    assert!(stream[2].rank > stream[1].rank && stream[1].rank >= stream[0].rank);
    assert_eq!(
        stream[2].tokens,
        Tokens {
            input: 4,
            cache_write_5m: 1800,
            cache_read: 12000,
            output: 412,
            ..Tokens::default()
        }
    );
    assert_eq!(stream[2].attribution.tag("git_branch"), Some("main"));
    assert_eq!(stream[2].attribution.session.as_deref(), Some(SESSION_A));
    assert_eq!(
        stream[2].attribution.project.as_deref(),
        Some("/home/dev/shop")
    );
}

#[test]
fn session_file_skips_summary_user_tool_result_and_synthetic_lines() {
    let parsed = parse_file(&session_file(SESSION_A));
    let kinds = kinds(&parsed);
    // summary, user, 3 streamed, tool result, Opus, <synthetic>, costUSD-era line
    assert_eq!(
        kinds,
        [
            "skip", "skip", "usage", "usage", "usage", "skip", "usage", "skip", "usage"
        ]
    );
}

#[test]
fn older_cost_usd_line_puts_all_cache_writes_in_5m() {
    let parsed = parse_file(&session_file(SESSION_A));
    let old = *events(&parsed).last().unwrap();
    assert_eq!(&*old.model, "claude-3-5-sonnet-20241022");
    assert_eq!(old.key, Some(message_key("msg_01OldStyle5tG7hJ9kL")));
    assert_eq!(old.tier, Tier::Standard);
    assert_eq!(old.timestamp, time("2026-11-17T10:02:00Z"));
    assert_eq!(
        old.tokens,
        Tokens {
            input: 120,
            cache_write_5m: 900,
            cache_read: 3000,
            output: 45,
            ..Tokens::default()
        }
    );
    assert!(old.attribution.tags.is_empty());
}

#[test]
fn max_tokens_line_reads_one_hour_cache_writes() {
    let parsed = parse_file(&session_file(SESSION_A));
    let opus = events(&parsed)[3];
    assert_eq!(&*opus.model, "claude-opus-4-5-20251101");
    assert_eq!(opus.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(opus.tokens.cache_write_1h, 2500);
    assert_eq!(opus.tokens.cache_write_5m, 0);
}

#[test]
fn resumed_session_copy_is_identical_to_the_original() {
    let original = parse_file(&session_file(SESSION_A));
    let resumed = parse_file(&session_file(SESSION_B));
    assert_eq!(resumed[0], Parsed::NotUsage);
    assert_eq!(resumed[1], original[6]);
    let search = events(&resumed)[1];
    assert_eq!(&*search.model, "claude-opus-4-6");
    assert_eq!(search.tokens.web_search_requests, 2);
    assert!(search.modifiers.fast && search.modifiers.us_only);
    assert_eq!(search.attribution.tag("git_branch"), Some("fix/tax-rates"));
    assert_eq!(search.attribution.session.as_deref(), Some(SESSION_B));
}

#[test]
fn subagent_lines_are_tagged_with_the_agent() {
    let parsed = parse_file(&format!("{PROJECT}/{SESSION_A}/subagents/agent-xyz.jsonl"));
    assert_eq!(parsed[0], Parsed::NotUsage);
    let agents: Vec<_> = events(&parsed)
        .iter()
        .map(|e| e.attribution.tag("agent").unwrap().to_owned())
        .collect();
    assert_eq!(agents, ["xyz", "sidechain"]);
}

#[test]
fn claude_sample_dedupes_to_seven_requests() {
    let mut best: HashMap<u64, UsageEvent> = HashMap::new();
    for file in [
        session_file(SESSION_A),
        session_file(SESSION_B),
        format!("{PROJECT}/{SESSION_A}/subagents/agent-xyz.jsonl"),
    ] {
        for event in events(&parse_file(&file)) {
            let slot = best
                .entry(event.key.unwrap())
                .or_insert_with(|| event.clone());
            if event.rank > slot.rank {
                *slot = event.clone();
            }
        }
    }
    assert_eq!(best.len(), 7);
    let output: u64 = best.values().map(|e| e.tokens.output).sum();
    assert_eq!(output, 412 + 8192 + 45 + 640 + 85 + 120 + 60);
}

#[test]
fn application_log_sample_reads_every_time_format_tier_and_tag() {
    let parsed = parse_file("tests/fixtures/sample/app/requests.jsonl");
    let all = events(&parsed);
    assert_eq!(all.len(), 8);
    let times: Vec<_> = all.iter().map(|e| e.timestamp).collect();
    let expected = [
        "2026-11-18T09:00:01Z",
        "2026-11-18T09:00:02Z",
        "2026-11-18T09:05:03Z",
        "2026-11-18T09:10:00.250Z",
        "2026-11-18T09:15:00Z",
        "2026-11-18T09:18:30Z",
        "2026-11-18T09:20:07Z",
        "2026-11-18T09:25:08.500Z",
    ];
    assert_eq!(times, expected.map(time));
    let features: Vec<_> = all
        .iter()
        .map(|e| e.attribution.tag("feature").unwrap())
        .collect();
    assert_eq!(
        features,
        [
            "chat", "classify", "classify", "chat", "classify", "chat", "chat", "chat"
        ]
    );
    assert_eq!(all[0].key, Some(request_key("req_app_0001")));
    assert_eq!(all[4].tier, Tier::Batch);
    assert_eq!(&*all[5].model, "claude-mystery-1");
    assert_eq!(all[7].tokens.web_search_requests, 3);
}

#[test]
fn nested_response_wins_and_tags_merge_over_metadata() {
    let parsed = parse_file("tests/fixtures/sample/app/requests.jsonl");
    let nested = events(&parsed)[3];
    assert_eq!(&*nested.model, "claude-sonnet-4-5-20250929");
    assert_eq!(nested.key, Some(message_key("msg_01AppNested6tY8uI")));
    assert_eq!(nested.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(nested.tokens.cache_write_1h, 4096);
    let tags: Vec<_> = nested
        .attribution
        .tags
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(tags, ["feature=chat", "team=support", "user=u_42"]);
}

#[test]
fn project_and_session_tags_fill_attribution_and_scalars_become_text() {
    let parsed = parse_file("tests/fixtures/sample/app/requests.jsonl");
    let tagged = events(&parsed)[6];
    assert_eq!(tagged.attribution.project.as_deref(), Some("support-bot"));
    assert_eq!(tagged.attribution.session.as_deref(), Some("conv-981"));
    assert_eq!(tagged.attribution.tag("retry"), Some("false"));
    assert_eq!(tagged.attribution.tag("attempt"), Some("2"));
    let keys: Vec<_> = tagged.attribution.tags.iter().map(|(k, _)| &**k).collect();
    assert_eq!(keys, ["attempt", "feature", "project", "retry", "session"]);
}

#[test]
fn batch_sample_counts_the_errored_result_as_a_failed_request() {
    let parsed = parse_file("tests/fixtures/sample/batch/results.jsonl");
    let all = events(&parsed);
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .all(|e| e.tier == Tier::Batch && e.timestamp == fallback())
    );
    assert_eq!(all[0].kind, EventKind::Request);
    assert_eq!(all[0].tokens.input, 850);
    assert_eq!(all[1].kind, EventKind::FailedRequest);
    assert_eq!(all[1].tokens, Tokens::default());
    assert!(all.iter().all(|e| e.attribution.tags.is_empty()));
}

#[test]
fn malformed_truncated_and_binary_lines_are_json_errors() {
    for file in ["malformed.jsonl", "truncated.jsonl", "binary.jsonl"] {
        let parsed = parse_file(&format!("tests/fixtures/bad/{file}"));
        assert!(
            !parsed.iter().any(|p| matches!(p, Parsed::Usage(_))),
            "{file}"
        );
        let errors = parsed
            .iter()
            .filter(|p| matches!(p, Parsed::Invalid(ParseError::Json(_))))
            .count();
        assert!(errors >= 1, "{file}: {parsed:?}");
        if file != "binary.jsonl" {
            assert_eq!(errors, parsed.len(), "{file}: {parsed:?}");
        }
    }
}

#[test]
fn json_that_is_not_an_object_is_reported_as_such() {
    let parsed = parse_file("tests/fixtures/bad/non-object.jsonl");
    assert_eq!(parsed, vec![Parsed::Invalid(ParseError::NotObject); 3]);
}

#[test]
fn schema_errors_name_the_field() {
    let parsed = parse_file("tests/fixtures/bad/schema.jsonl");
    let messages: Vec<String> = parsed
        .iter()
        .map(|p| match p {
            Parsed::Invalid(ParseError::Schema(m)) => m.clone(),
            other => format!("not a schema error: {other:?}"),
        })
        .collect();
    assert_eq!(
        messages,
        [
            "usage.input_tokens: negative",
            "usage.output_tokens: not an integer",
            "usage.input_tokens: not a number",
            "usage.output_tokens: implausibly large",
            "model: missing",
            "usage: not an object",
            "timestamp: neither RFC 3339 nor an epoch number",
            "message.model: missing",
            "timestamp: missing",
            "result.message.usage: missing",
            "result.type: not one of succeeded, errored, canceled, expired",
            "usage.cache_creation: not an object",
            "duplicate field `usage` at line 1 column 80",
            "modelUsage[0].inputTokens: negative",
            "modelUsage[0].costUSD: negative",
            "modelUsage: not an object",
            "modelUsage[0]: not an object",
            "totalCostUSD: negative",
            "totalCostUSD: missing",
            "data.message.message: not an object",
            "usage.iterations.input_tokens: negative",
        ]
    );
}
