//! Claude Code as it really writes: sub-agent calls embedded in `progress` lines, its own cost
//! lines, stream-json output, older and odd line shapes, and billed iterations on every input.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use costtop::money::Money;
use costtop::parse::{LineContext, ParseError, Parsed, parse_line};
use costtop::usage::{
    Attribution, BilledIteration, EstimateOrigin, EventKind, IterationKind, Modifiers, StopReason,
    Tier, Tokens, ToolEstimate, UsageEvent, message_key, request_key,
};

use super::kinds;

fn fallback() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
}

fn ctx() -> LineContext<'static> {
    LineContext {
        fallback_time: fallback(),
        path: "",
    }
}

/// A file under `tests/fixtures` (published shapes).
fn published(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Every line of a file under `tests/fixtures/claude-shapes`, parsed.
fn shapes(name: &str) -> Vec<Parsed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/claude-shapes")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| parse_line(l.as_bytes(), &ctx()))
        .collect()
}

fn usage(p: &Parsed) -> &UsageEvent {
    match p {
        Parsed::Usage(e) => e,
        other => panic!("expected usage, got {other:?}"),
    }
}

fn time(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn embedded_sub_agent_call_is_a_request_of_the_sub_agent_in_the_parent_session() {
    let line = published("claude-code/progress-subagent.jsonl");
    let tokens = Tokens {
        input: 6,
        cache_write_5m: 0,
        cache_write_1h: 4200,
        cache_read: 18500,
        output: 312,
        web_search_requests: 0,
    };
    let expected = UsageEvent {
        key: Some(request_key("req_011CSubAgentCallExample01")),
        alt_key: Some(message_key("msg_01SubAgentCallExample0001")),
        rank: tokens.total() * 2 + 1,
        timestamp: time("2026-11-20T10:04:12.345Z"),
        model: Arc::from("claude-opus-4-6"),
        tokens,
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            project: Some(Arc::from("/home/dev/work/api")),
            session: Some(Arc::from("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")),
            tags: vec![
                (Arc::from("agent"), Arc::from("a7be2f0")),
                (Arc::from("git_branch"), Arc::from("main")),
            ],
        },
        iterations: Vec::new(),
        estimate: None,
    };
    assert_eq!(
        parse_line(line.trim().as_bytes(), &ctx()),
        Parsed::Usage(expected)
    );
}

#[test]
fn progress_lines_count_only_the_embedded_assistant_message() {
    let parsed = shapes("progress.jsonl");
    // final; placeholder, final; the sub-agent's tool result; hook progress; a line whose
    // normalizedMessages repeat older messages; a copy without its own time.
    assert_eq!(
        kinds(&parsed),
        ["usage", "usage", "usage", "skip", "skip", "usage", "usage"]
    );
    let (placeholder, last) = (usage(&parsed[1]), usage(&parsed[2]));
    assert_eq!(placeholder.key, last.key);
    assert_eq!((placeholder.tokens.output, last.tokens.output), (1, 488));
    assert!(last.rank > placeholder.rank);
    let older = usage(&parsed[5]);
    assert_eq!((older.tokens.input, older.tokens.output), (900, 120));
    assert_eq!(older.attribution.tag("agent"), Some("b1c2d3e"));
    assert_eq!(usage(&parsed[6]).timestamp, time("2026-11-20T10:06:00Z"));
}

#[test]
fn a_broken_embedded_message_is_reported_or_skipped_never_counted() {
    let base = published("claude-code/progress-subagent.jsonl");
    let base = base.trim();
    let inner = "\"message\":{\"id\":\"msg_01SubAgentCallExample0001\"";
    let not_object = base.replacen(inner, "\"message\":\"gone\",\"m\":{\"id\":\"x\"", 1);
    assert_eq!(
        parse_line(not_object.as_bytes(), &ctx()),
        Parsed::Invalid(ParseError::Schema(
            "data.message.message: not an object".into()
        ))
    );
    let data_not_object = base.replacen(
        "\"data\":{\"message\":{",
        "\"data\":7,\"x\":{\"message\":{",
        1,
    );
    assert_eq!(
        parse_line(data_not_object.as_bytes(), &ctx()),
        Parsed::NotUsage
    );
    for cut in [base.len() / 2, base.len() - 1] {
        assert!(matches!(
            parse_line(&base.as_bytes()[..cut], &ctx()),
            Parsed::Invalid(ParseError::Json(_))
        ));
    }
}

#[test]
fn older_and_odd_assistant_shapes() {
    let parsed = shapes("odd-shapes.jsonl");
    assert_eq!(
        kinds(&parsed),
        [
            "usage", "skip", "skip", "skip", "skip", "skip", "skip", "skip", "skip", "usage",
            "usage"
        ]
    );
    // No top-level type: keyed by its request id like any assistant line.
    let untyped = usage(&parsed[0]);
    assert_eq!(untyped.key, Some(request_key("req_011NoType")));
    assert_eq!(&*untyped.model, "claude-sonnet-4-5-20250929");
    // costUSD is kept as Claude Code's own figure; a message-only iterations list adds nothing.
    let costed = usage(&parsed[9]);
    assert_eq!(costed.estimate, Some(Money::from_usd(0.0513)));
    assert!(costed.iterations.is_empty());
    assert_eq!(costed.tokens.output, 527);
    // A compaction step is billed on top, at the request's model.
    let compacted = usage(&parsed[10]);
    assert_eq!((compacted.tokens.input, compacted.tokens.output), (229, 5));
    assert_eq!(
        compacted.iterations,
        [BilledIteration {
            kind: IterationKind::Compaction,
            model: Arc::from("claude-opus-4-6"),
            tokens: Tokens {
                input: 100,
                output: 131,
                cache_write_5m: 55096,
                ..Tokens::default()
            },
        }]
    );
}

#[test]
fn stream_json_assistant_events_are_requests_and_its_result_line_an_estimate() {
    let parsed = shapes("stream-json.jsonl");
    assert_eq!(
        kinds(&parsed),
        ["skip", "usage", "usage", "skip", "usage", "estimates"]
    );
    let first = usage(&parsed[1]);
    assert_eq!(first.timestamp, fallback());
    assert_eq!(first.key, Some(message_key("msg_01Stream1")));
    assert_eq!(first.key, usage(&parsed[2]).key);
    assert_eq!(
        first.attribution.session.as_deref(),
        Some("c0de0000-0000-4000-8000-000000000004")
    );
    let Parsed::Estimates(result) = &parsed[5] else {
        unreachable!()
    };
    let models: Vec<(&str, Money)> = result
        .iter()
        .map(|e| (e.model.as_deref().unwrap(), e.cost))
        .collect();
    assert_eq!(
        models,
        [
            ("claude-sonnet-4-6", Money::from_usd(0.0229)),
            ("claude-haiku-4-5-20251001", Money::from_usd(0.0032)),
        ]
    );
    assert!(result.iter().all(|e| e.cumulative && e.at == fallback()));
}

#[test]
fn cost_state_line_is_a_running_total_per_model() {
    let line = published("claude-code/cost-state.jsonl");
    let session: Arc<str> = Arc::from("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
    let figure = |model: &str, usd: f64, tokens: Tokens| ToolEstimate {
        origin: EstimateOrigin::CostState,
        session: Some(Arc::clone(&session)),
        user: None,
        model: Some(Arc::from(model)),
        at: fallback(),
        cost: Money::from_usd(usd),
        tokens,
        requests: None,
        cumulative: true,
    };
    let expected = vec![
        figure(
            "claude-opus-5-5",
            1.8101,
            Tokens {
                input: 412,
                output: 6210,
                cache_read: 2_210_000,
                cache_write_5m: 98_000,
                ..Tokens::default()
            },
        ),
        figure(
            "claude-haiku-5-5",
            0.0241,
            Tokens {
                input: 5120,
                output: 240,
                ..Tokens::default()
            },
        ),
    ];
    assert_eq!(
        parse_line(line.trim().as_bytes(), &ctx()),
        Parsed::Estimates(expected)
    );
}

#[test]
fn cost_state_with_an_unknown_model_or_no_models_is_kept() {
    let parsed = shapes("cost-state-odd.jsonl");
    let figures: Vec<(Option<&str>, Money)> = parsed
        .iter()
        .flat_map(|p| {
            let Parsed::Estimates(e) = p else {
                panic!("{p:?}")
            };
            e.iter().map(|e| (e.model.as_deref(), e.cost))
        })
        .collect();
    assert_eq!(
        figures,
        [
            (Some("claude-mystery-9"), Money::from_usd(0.25)),
            (None, Money::from_usd(0.75)),
        ]
    );
}

/// The published Messages API response (an advisor iteration of another model) on one line.
fn iterations_response() -> String {
    let value: serde_json::Value =
        serde_json::from_str(&published("messages-api/response-iterations.json")).unwrap();
    value.to_string()
}

fn advisor() -> Vec<BilledIteration> {
    vec![BilledIteration {
        kind: IterationKind::Advisor,
        model: Arc::from("claude-opus-4-8"),
        tokens: Tokens {
            input: 2518,
            output: 22,
            ..Tokens::default()
        },
    }]
}

#[test]
fn iterations_are_read_from_application_logs_and_batch_results() {
    let response = iterations_response();
    let top_level = format!(
        "{{\"timestamp\":\"2026-11-20T10:00:00Z\",{}",
        &response[1..]
    );
    let nested = format!("{{\"ts\":1795000000,\"response\":{response}}}");
    let batch = format!(
        "{{\"custom_id\":\"q-1\",\"result\":{{\"type\":\"succeeded\",\"message\":{response}}}}}"
    );
    for line in [top_level, nested, batch] {
        let Parsed::Usage(event) = parse_line(line.as_bytes(), &ctx()) else {
            panic!("not usage: {line}");
        };
        assert_eq!(&*event.model, "claude-sonnet-5", "{line}");
        assert_eq!((event.tokens.input, event.tokens.output), (2390, 121));
        assert_eq!(event.iterations, advisor(), "{line}");
    }
}

#[test]
fn a_message_only_or_empty_iterations_list_bills_nothing_on_top() {
    for list in [
        "[{\"type\":\"message\",\"input_tokens\":7,\"output_tokens\":3}]",
        "[]",
        "null",
    ] {
        let line = format!(
            "{{\"model\":\"claude-haiku-4-5\",\"usage\":{{\"input_tokens\":7,\"output_tokens\":3,\"iterations\":{list}}}}}"
        );
        assert!(
            usage(&parse_line(line.as_bytes(), &ctx()))
                .iterations
                .is_empty()
        );
    }
    let broken = "{\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":7,\"output_tokens\":3,\"iterations\":{\"type\":\"compaction\"}}}";
    assert_eq!(
        parse_line(broken.as_bytes(), &ctx()),
        Parsed::Invalid(ParseError::Schema(
            "usage.iterations: not a list of objects".into()
        ))
    );
}

#[test]
fn recorded_records_replay_to_the_same_events() {
    let mut originals: Vec<UsageEvent> = Vec::new();
    for name in ["progress.jsonl", "odd-shapes.jsonl", "stream-json.jsonl"] {
        originals.extend(shapes(name).iter().filter_map(|p| match p {
            Parsed::Usage(e) => Some(e.clone()),
            _ => None,
        }));
    }
    let response = iterations_response();
    let app = format!(
        "{{\"timestamp\":\"2026-11-20T10:00:00Z\",{}",
        &response[1..]
    );
    originals.push(usage(&parse_line(app.as_bytes(), &ctx())).clone());
    assert!(originals.iter().any(|e| !e.iterations.is_empty()));
    assert!(originals.iter().any(|e| e.estimate.is_some()));
    for original in &originals {
        let line = costtop::outputs::record::record_line(original);
        let back = usage(&parse_line(line.as_bytes(), &ctx())).clone();
        let same = |e: &UsageEvent| {
            (
                e.rank,
                e.timestamp,
                e.model.clone(),
                e.tokens,
                e.tier,
                e.modifiers,
                e.stop_reason,
                e.kind,
                e.iterations.clone(),
                e.estimate,
                e.attribution.project.clone(),
                e.attribution.session.clone(),
            )
        };
        assert_eq!(same(&back), same(original), "{line}");
    }
}

#[test]
fn result_lines_without_per_model_costs_fall_back_to_the_session_total() {
    // A run stopped by its budget: per-model tokens but no per-model cost.
    let stopped = r#"{"type":"result","subtype":"error_max_budget_usd","is_error":true,"session_id":"s9","total_cost_usd":0.0779,"usage":{"input_tokens":0,"output_tokens":0,"iterations":[]},"modelUsage":{"claude-opus-5[1m]":{"inputTokens":2,"outputTokens":964,"cacheReadInputTokens":18774,"cacheCreationInputTokens":4380,"contextWindow":1000000}}}"#;
    let Parsed::Estimates(figures) = parse_line(stopped.as_bytes(), &ctx()) else {
        panic!("no estimate");
    };
    let whole: Vec<(Option<&str>, Money)> = figures
        .iter()
        .map(|e| (e.model.as_deref(), e.cost))
        .collect();
    assert_eq!(whole, [(None, Money::from_usd(0.0779))]);
    // Extra keys beside the cost are ignored.
    let priced = r#"{"type":"result","session_id":"s9","total_cost_usd":0.1443,"usage":{"input_tokens":2,"output_tokens":13},"modelUsage":{"claude-opus-5[1m]":{"inputTokens":2,"outputTokens":13,"costUSD":0.1443,"contextWindow":1000000,"canonicalModel":"claude-opus-5","provider":"firstParty"}}}"#;
    let Parsed::Estimates(figures) = parse_line(priced.as_bytes(), &ctx()) else {
        panic!("no estimate");
    };
    assert_eq!(figures[0].model.as_deref(), Some("claude-opus-5[1m]"));
    // Nothing priced at all: not usage, not an error.
    let bare = r#"{"type":"result","is_error":false,"result":"ok","usage":{"input_tokens":1,"output_tokens":1},"modelUsage":{"claude-opus-4-6":{}}}"#;
    assert_eq!(parse_line(bare.as_bytes(), &ctx()), Parsed::NotUsage);
}
