//! What the aggregator makes of Claude Code's lines: each sub-agent call once, whichever copies
//! exist, and Claude Code's own figures beside costtop's (the last running total counts).

use chrono::{DateTime, TimeZone, Utc};
use costtop::aggregate::{Settings, State};
use costtop::money::Money;
use costtop::parse::{LineContext, Parsed, parse_line};
use costtop::snapshot::Snapshot;
use costtop::time::{Window, Zone};
use costtop::usage::SourceMsg;
use serde_json::{Value, json};

const SESSION: &str = "c0de0000-0000-4000-8000-0000000000aa";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()
}

fn message(id: &str, output: u64, stop: Option<&str>) -> Value {
    json!({"id": id, "type": "message", "role": "assistant", "model": "claude-opus-4-6",
        "content": [{"type": "text", "text": "…"}], "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": 6, "cache_creation_input_tokens": 4200,
            "cache_read_input_tokens": 18500,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 4200},
            "output_tokens": output, "service_tier": "standard"}})
}

/// The parent transcript's copy of a sub-agent call (Claude Code 2.1 shape).
fn embedded(call: u32, output: u64, stop: Option<&str>) -> String {
    json!({"parentUuid": null, "isSidechain": false, "userType": "external",
        "cwd": "/home/dev/api", "sessionId": SESSION, "version": "2.1.40", "gitBranch": "main",
        "type": "progress",
        "data": {"message": {"type": "assistant", "timestamp": "2026-11-20T10:04:12.345Z",
                "message": message(&format!("msg_{call}"), output, stop),
                "requestId": format!("req_{call}"), "uuid": "x"},
            "normalizedMessages": [], "type": "agent_progress", "prompt": "look", "agentId": "a7be2f0"},
        "uuid": "y", "timestamp": "2026-11-20T10:04:12.400Z"})
    .to_string()
}

/// The same call in the sub-agent's own file.
fn own_file(call: u32, output: u64, stop: Option<&str>) -> String {
    json!({"parentUuid": null, "isSidechain": true, "userType": "external",
        "cwd": "/home/dev/api", "sessionId": SESSION, "version": "2.1.40", "gitBranch": "main",
        "agentId": "a7be2f0", "message": message(&format!("msg_{call}"), output, stop),
        "requestId": format!("req_{call}"), "type": "assistant", "uuid": "z",
        "timestamp": "2026-11-20T10:04:12.345Z"})
    .to_string()
}

fn state() -> State {
    State::new(Settings {
        zone: "UTC".parse::<Zone>().unwrap(),
        window: Window::All,
        ..Settings::default()
    })
}

/// Feeds lines as a file reader would (events and estimates) and takes a snapshot.
fn snapshot_of(files: &[Vec<String>]) -> Snapshot {
    let mut state = state();
    let ctx = LineContext {
        fallback_time: now(),
        path: "",
    };
    for lines in files {
        for line in lines {
            match parse_line(line.as_bytes(), &ctx) {
                Parsed::Usage(event) => state.apply(SourceMsg::Events(vec![event])),
                Parsed::Estimates(e) => state.apply(SourceMsg::Estimates(e)),
                Parsed::NotUsage | Parsed::Compaction(_) => {}
                Parsed::Invalid(e) => panic!("{e}: {line}"),
            }
        }
    }
    state.snapshot(now(), None)
}

/// Requests, output tokens and cost of a snapshot.
fn totals(s: &Snapshot) -> (u64, u64, Money) {
    (s.totals.requests, s.totals.output_tokens, s.totals.cost)
}

fn parent() -> Vec<String> {
    vec![
        embedded(1, 1, None),
        embedded(1, 312, Some("end_turn")),
        embedded(2, 40, Some("tool_use")),
    ]
}

#[test]
fn embedded_calls_alone_count_once_each_at_their_final_size() {
    let snap = snapshot_of(&[parent()]);
    assert_eq!(totals(&snap).0, 2);
    assert_eq!(totals(&snap).1, 312 + 40);
    let agent = snap.groups.iter().find(|g| g.by == "tag:agent").unwrap();
    assert_eq!(agent.rows[0].key, "a7be2f0");
    let session = snap.groups.iter().find(|g| g.by == "session").unwrap();
    assert_eq!(session.rows[0].key, SESSION);
}

#[test]
fn embedded_calls_and_the_sub_agent_file_count_once_in_either_order() {
    let expected = totals(&snapshot_of(&[parent()]));
    let file = vec![
        own_file(1, 312, Some("end_turn")),
        own_file(2, 40, Some("tool_use")),
    ];
    assert_eq!(totals(&snapshot_of(&[parent(), file.clone()])), expected);
    assert_eq!(totals(&snapshot_of(&[file, parent()])), expected);
    // The sub-agent's file holds only the placeholder: the final copy in the parent wins.
    let early = vec![own_file(1, 1, None)];
    assert_eq!(totals(&snapshot_of(&[early.clone(), parent()])), expected);
    assert_eq!(totals(&snapshot_of(&[parent(), early])), expected);
}

fn cost_state(opus_usd: f64, with_haiku: bool) -> String {
    let mut models = json!({"claude-opus-4-6": {"inputTokens": 12, "outputTokens": 352,
        "cacheReadInputTokens": 37000, "cacheCreationInputTokens": 8400, "webSearchRequests": 0,
        "costUSD": opus_usd}});
    if with_haiku {
        models["claude-haiku-4-5-20251001"] = json!({"inputTokens": 512, "outputTokens": 24,
            "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0, "webSearchRequests": 0,
            "costUSD": 0.0006});
    }
    json!({"type": "cost-state", "sessionId": SESSION, "totalCostUSD": opus_usd,
        "startTime": 1_795_000_000_000_u64, "hasUnknownModelCost": false, "modelUsage": models})
    .to_string()
}

#[test]
fn the_last_cost_state_counts_beside_costtops_cost_of_the_session() {
    let mut lines = parent();
    lines.push(cost_state(0.05, false));
    lines.push(cost_state(0.1274, true));
    let snap = snapshot_of(&[lines]);
    let e = &snap.claude_code_estimates;
    assert_eq!(e.by_session.len(), 1);
    let row = &e.by_session[0];
    assert_eq!(row.session, SESSION);
    assert_eq!(row.source, "cost_state");
    assert_eq!(row.figures.estimate, Money::from_usd(0.128));
    assert_eq!(row.figures.costtop, snap.totals.cost);
    // Written without a time of its own, it counts on the day of the session's last record.
    assert_eq!(e.by_day.len(), 1);
    assert_eq!(e.by_day[0].day.to_string(), "2026-11-20");
    assert_eq!(e.by_day[0].figures.estimate, Money::from_usd(0.128));
    assert_eq!(e.by_day[0].figures.costtop, snap.totals.cost);
    // Claude Code's estimate is never spend.
    assert_eq!(totals(&snap), totals(&snapshot_of(&[parent()])));
}

#[test]
fn a_model_claude_code_counted_that_no_line_holds_is_a_coverage_note_with_its_tokens() {
    let mut lines = parent();
    lines.push(cost_state(0.1274, true));
    let snap = snapshot_of(&[lines]);
    let c = &snap.claude_code_estimates.coverage;
    assert_eq!(c.sessions_without_records, 0);
    let notes: Vec<(&str, &str, u64, u64, Money)> = c
        .not_in_transcripts
        .iter()
        .map(|m| {
            (
                m.session.as_str(),
                m.model.as_str(),
                m.input_tokens,
                m.output_tokens,
                m.estimate,
            )
        })
        .collect();
    assert_eq!(
        notes,
        [(
            SESSION,
            "claude-haiku-4-5-20251001",
            512,
            24,
            Money::from_usd(0.0006)
        )]
    );
    assert_eq!(c.not_in_transcripts_by_model[0].sessions, 1);
}

#[test]
fn per_request_figures_compare_with_the_same_requests() {
    let with_cost = |call: u32, usd: f64| {
        let mut v: Value = serde_json::from_str(&own_file(call, 100, Some("end_turn"))).unwrap();
        v["costUSD"] = json!(usd);
        v.to_string()
    };
    // Two copies of one request (a resumed session's verbatim copy) and another request
    // without a figure: the figure counts once, beside the price of its own request only.
    let lines = vec![
        with_cost(1, 0.25),
        with_cost(1, 0.25),
        own_file(2, 40, Some("end_turn")),
    ];
    let snap = snapshot_of(std::slice::from_ref(&lines));
    let row = &snap.claude_code_estimates.by_session[0];
    assert_eq!(
        (row.source.as_str(), row.figures.estimate),
        ("requests", Money::from_usd(0.25))
    );
    let one = snapshot_of(&[vec![lines[0].clone()]]);
    assert_eq!(row.figures.costtop, one.totals.cost);
}
