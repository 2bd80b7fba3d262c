//! The fast reader against the serde path, on every fixture line and on variants of the
//! shapes it reads (assistant lines, embedded sub-agent calls, billed iterations).

use super::*;
use chrono::{TimeZone, Utc};

fn ctx() -> LineContext<'static> {
    LineContext {
        fallback_time: Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
        path: "",
    }
}

/// A Claude Code line from `tests/fixtures/claude-code/`, trimmed.
fn claude_code_fixture(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/claude-code");
    std::fs::read_to_string(format!("{dir}/{name}"))
        .unwrap()
        .trim()
        .to_string()
}

/// Every `.jsonl` line under `tests/fixtures`.
fn fixture_lines() -> Vec<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut lines = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "jsonl") {
            let bytes = std::fs::read(entry.path()).unwrap();
            lines.extend(bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec));
        }
    }
    lines
}

/// `base` with each `(from, to)` replacement applied once (one variant per pair).
fn variants(base: &str, edits: &[(&str, &str)]) -> Vec<Vec<u8>> {
    edits
        .iter()
        .map(|(from, to)| {
            assert!(base.contains(from), "{from} not in the base line");
            base.replacen(from, to, 1).into_bytes()
        })
        .collect()
}

/// Variants of the fixture assistant line: numbers, strings and brackets the fast reader must
/// read (or refuse) exactly as serde does.
fn assistant_variants() -> Vec<Vec<u8>> {
    let base = claude_code_fixture("assistant.jsonl");
    let iterations_end = "\"type\":\"message\"}]";
    let mut lines = variants(
        &base,
        &[
            ("\"output_tokens\":527", "\"output_tokens\":-5"),
            ("\"output_tokens\":527", "\"output_tokens\":5.5"),
            ("\"output_tokens\":527", "\"output_tokens\":\"527\""),
            ("\"output_tokens\":527", "\"output_tokens\":null"),
            (
                "\"model\":\"claude-sonnet-4-6\"",
                "\"model\":\"claude-\\u0073onnet-4-6\"",
            ),
            ("\"model\":\"claude-sonnet-4-6\"", "\"model\":7"),
            ("\"cwd\":\"/home/me/dev/app\"", "\"cwd\":\"C:\\\\dev\""),
            ("\"usage\":{", "\"usage\":{\"input_tokens\":9,"),
            (
                "\"stop_reason\":\"tool_use\"",
                "\"stop_reason\":\"max_tokens\"",
            ),
            ("\"speed\":\"standard\"", "\"speed\":\"fast\""),
            ("\"inference_geo\":\"\"", "\"inference_geo\":\"us\""),
            (
                "\"cache_creation\":{",
                "\"cache_creation\":{\"x\":[1,{\"y\":\"]\"}],",
            ),
            (
                "\"isSidechain\":false",
                "\"isSidechain\":true,\"agentId\":\"a1\"",
            ),
            ("\"type\":\"assistant\"", "\"type\":\"user\""),
            // Strings ending in escaped backslashes, escaped quotes, brackets in strings.
            (
                "\"command\":\"cargo test\"",
                "\"command\":\"C:\\\\\",\"x\":\"a\\\"]}\\\\\\\"\"",
            ),
            ("\"command\":\"cargo test\"", "\"command\":\"\\\\\\\\\""),
            ("\"command\":\"cargo test\"", "\"command\":\"a\\\"\""),
            // Unbalanced or mismatched brackets in content.
            ("\"caller\":{", "\"caller\":[{"),
            (
                "\"caller\":{\"type\":\"direct\"}",
                "\"caller\":{\"type\":\"direct\"]",
            ),
            // Older and odd shapes.
            (",\"type\":\"assistant\"", ""),
            (
                "\"gitBranch\":\"main\"",
                "\"gitBranch\":\"main\",\"costUSD\":3",
            ),
            (
                "\"gitBranch\":\"main\"",
                "\"gitBranch\":\"main\",\"costUSD\":0.05",
            ),
            (
                "\"gitBranch\":\"main\"",
                "\"gitBranch\":\"main\",\"costUSD\":-1",
            ),
            (
                "\"gitBranch\":\"main\"",
                "\"gitBranch\":\"main\",\"isApiErrorMessage\":true",
            ),
            (
                "\"sessionId\":\"dac472d2-1379-4e28-be38-cf9abf4ac4f0\"",
                "\"session_id\":\"dac472d2-1379-4e28-be38-cf9abf4ac4f0\"",
            ),
            (
                "\"gitBranch\":\"main\"",
                "\"gitBranch\":\"main\",\"brandNew\":{\"a\":[null]}",
            ),
            // Billed iterations: empty, null, not a list, entries of every kind.
            ("\"iterations\":[{", "\"iterations\":[],\"x\":[{"),
            ("\"iterations\":[{", "\"iterations\":null,\"x\":[{"),
            ("\"iterations\":[{", "\"iterations\":\"many\",\"x\":[{"),
            ("\"iterations\":[{", "\"iterations\":[1,{"),
            ("\"iterations\":[{", "\"iterations\":[null,{"),
            (iterations_end, "\"type\":\"compaction\"}]"),
            (
                iterations_end,
                "\"type\":\"message\"},{\"type\":\"advisor_message\",\"model\":\"claude-opus-4-8\",\"input_tokens\":2518,\"output_tokens\":22}]",
            ),
            (
                iterations_end,
                "\"type\":\"message\"},{\"type\":\"advisor_message\",\"model\":5,\"input_tokens\":1,\"output_tokens\":2}]",
            ),
            (
                iterations_end,
                "\"type\":\"message\"},{\"type\":\"mystery\",\"input_tokens\":-1,\"output_tokens\":2}]",
            ),
            (
                iterations_end,
                "\"type\":\"message\"},{\"input_tokens\":1,\"output_tokens\":2}]",
            ),
            (
                iterations_end,
                "\"type\":\"message\",\"iterations\":[{\"type\":\"compaction\"}]}]",
            ),
            (iterations_end, "\"type\":\"message\"}],\"iterations\":[]"),
            (
                iterations_end,
                "\"type\":\"message\",\"type\":\"compaction\"}]",
            ),
        ],
    );
    // Nesting beyond the fast reader's depth, and just within it.
    for depth in [63, 64, 65, 200] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        lines.push(base.replacen("\"cargo test\"", &deep, 1).into_bytes());
    }
    lines
}

/// Variants of the fixture `progress` line: a sub-agent's call copied into its parent.
fn progress_variants() -> Vec<Vec<u8>> {
    let base = claude_code_fixture("progress-subagent.jsonl");
    let inner = "\"message\":{\"id\":\"msg_01SubAgentCallExample0001\"";
    let mut lines = variants(
        &base,
        &[
            // Placeholder, then final (the fixture line is final).
            ("\"output_tokens\":312", "\"output_tokens\":1"),
            ("\"stop_reason\":\"end_turn\"", "\"stop_reason\":null"),
            // The embedded message not an object, or without usage.
            (inner, "\"message\":\"gone\",\"m\":{\"id\":\"x\""),
            (inner, "\"message\":null,\"m\":{\"id\":\"x\""),
            (inner, "\"message\":[1],\"m\":{\"id\":\"x\""),
            ("\"usage\":{", "\"spent\":{"),
            ("\"usage\":{", "\"usage\":7,\"u\":{"),
            // data, or data.message, not an object.
            (
                "\"data\":{\"message\":{",
                "\"data\":[],\"x\":{\"message\":{",
            ),
            (
                "\"data\":{\"message\":{",
                "\"data\":{\"message\":\"hi\",\"x\":{",
            ),
            // Missing request id, agent, time; a time the line has only at the top.
            ("\"requestId\":\"req_011CSubAgentCallExample01\",", ""),
            (",\"agentId\":\"a7be2f0\"", ""),
            ("\"timestamp\":\"2026-11-20T10:04:12.345Z\",", ""),
            (
                "\"agentId\":\"a7be2f0\"",
                "\"agentId\":\"a7be2f0\",\"agentId\":\"b\"",
            ),
            ("\"type\":\"progress\"", "\"type\":\"user\""),
            (
                "\"normalizedMessages\":[]",
                "\"normalizedMessages\":[{\"type\":\"assistant\",\"message\":{\"id\":\"m0\",\"model\":\"claude-opus-4-6\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}]",
            ),
            (
                "\"speed\":\"standard\"",
                "\"speed\":\"standard\",\"iterations\":[{\"type\":\"advisor_message\",\"model\":\"claude-opus-4-8\",\"input_tokens\":10,\"output_tokens\":2}]",
            ),
            ("\"model\":\"claude-opus-4-6\"", "\"model\":\"<synthetic>\""),
        ],
    );
    // Truncated anywhere: never usage on either path.
    for cut in [base.len() / 3, base.len() / 2, base.len() - 2] {
        lines.push(base.as_bytes()[..cut].to_vec());
    }
    lines
}

/// Every fixture line, and variants of the Claude Code lines, read the same on the fast path as
/// on the serde path (whenever the fast path takes the line at all).
#[test]
fn fast_reader_agrees_with_serde_on_every_fixture_line() {
    let ctx = ctx();
    let mut lines = fixture_lines();
    lines.extend(assistant_variants());
    lines.extend(progress_variants());
    let mut fast = 0;
    let mut fast_progress = 0;
    for line in &lines {
        if !looks_like_usage(line) {
            continue;
        }
        let mut raw = RawLine::default();
        if scan::scan_line(line, &mut raw).is_some() {
            fast += 1;
            fast_progress += usize::from(text(raw.kind.as_ref()) == Some("progress"));
            assert_eq!(
                dispatch(&raw, &ctx),
                parse_with_serde(line, &ctx),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
    assert!(fast >= 60, "the fast path took only {fast} lines");
    assert!(
        fast_progress >= 20,
        "the fast path took only {fast_progress} progress lines"
    );
}

#[test]
fn the_fast_reader_takes_the_common_shapes_whole() {
    for name in ["assistant.jsonl", "progress-subagent.jsonl"] {
        let line = claude_code_fixture(name);
        let mut raw = RawLine::default();
        assert!(
            scan::scan_line(line.as_bytes(), &mut raw).is_some(),
            "{name}"
        );
        assert!(matches!(dispatch(&raw, &ctx()), Parsed::Usage(_)), "{name}");
    }
}

#[test]
fn cost_state_lines_pass_the_prefilter_by_the_bytes_at_either_end() {
    let line = claude_code_fixture("cost-state.jsonl");
    assert!(looks_like_usage(line.as_bytes()));
    let pad = "x".repeat(TYPE_PREFIX);
    let last = format!("{{\"padding\":\"{pad}\",\"type\":\"cost-state\"}}");
    assert!(looks_like_usage(last.as_bytes()));
    let middle = format!("{{\"a\":\"{pad}\",\"type\":\"cost-state\",\"b\":\"{pad}\"}}");
    assert!(!looks_like_usage(middle.as_bytes()));
}
