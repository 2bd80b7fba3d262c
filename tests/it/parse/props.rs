//! Property tests: no input makes the parser panic, and no truncated line is mistaken
//! for a complete usage record.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use costtop::parse::{LineContext, Parsed, parse_line};
use proptest::prelude::*;

fn ctx() -> LineContext<'static> {
    LineContext {
        fallback_time: Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap(),
        path: "",
    }
}

/// Every `.jsonl` file under `tests/fixtures`.
fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Every non-empty line of every fixture file, read once.
fn fixture_lines() -> &'static [Vec<u8>] {
    static LINES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(read_fixture_lines);
    &LINES
}

fn read_fixture_lines() -> Vec<Vec<u8>> {
    fixture_files()
        .iter()
        .flat_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            bytes
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn fixture_set_covers_published_and_sample_files() {
    let files = fixture_files();
    assert!(files.len() >= 10, "{files:?}");
    assert!(fixture_lines().len() >= 30);
}

#[test]
fn no_proper_prefix_of_a_fixture_line_is_a_different_usage_record() {
    let ctx = ctx();
    let mut usage_lines = 0;
    for line in fixture_lines() {
        let full = parse_line(line, &ctx);
        usage_lines += usize::from(counts(&full));
        let complete = line.trim_ascii_end().len();
        for cut in 0..line.len() {
            match parse_line(&line[..cut], &ctx) {
                // A bad line may well start with a complete record (`{…} and then some`).
                Parsed::Usage(_) | Parsed::Estimates(_) if !counts(&full) => {}
                prefix @ (Parsed::Usage(_) | Parsed::Estimates(_)) => {
                    assert!(cut >= complete, "prefix of {cut} bytes parsed as a record");
                    assert_eq!(prefix, full);
                }
                Parsed::NotUsage | Parsed::Compaction(_) | Parsed::Invalid(_) => {}
            }
        }
    }
    assert!(usage_lines >= 20, "only {usage_lines} usage lines checked");
}

/// Whether a line gave something the aggregator counts (usage or another tool's figures).
fn counts(parsed: &Parsed) -> bool {
    matches!(parsed, Parsed::Usage(_) | Parsed::Estimates(_))
}

/// Fragments that make up the interesting shapes, so random sequences get past the
/// prefilter and into every branch of the dispatcher.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"usage\"",
    "\"custom_id\"",
    "\"result\"",
    "\"type\"",
    "\"assistant\"",
    "\"succeeded\"",
    "\"errored\"",
    "\"message\"",
    "\"model\"",
    "\"response\"",
    "\"input_tokens\"",
    "\"output_tokens\"",
    "\"cache_creation\"",
    "\"ephemeral_1h_input_tokens\"",
    "\"server_tool_use\"",
    "\"tags\"",
    "\"metadata\"",
    "\"timestamp\"",
    "\"ts\"",
    "\"id\"",
    "\"stop_reason\"",
    "\"max_tokens\"",
    "\"2026-11-18T09:00:01Z\"",
    "\"\\u00e9\\\"\"",
    "0",
    "-1",
    "1.5",
    "1e400",
    "18446744073709551616",
    "1794992402000",
    "null",
    "true",
    "\"x\"",
    "\"progress\"",
    "\"data\"",
    "\"agentId\"",
    "\"requestId\"",
    "\"role\"",
    "\"cost-state\"",
    "\"modelUsage\"",
    "\"costUSD\"",
    "\"totalCostUSD\"",
    "\"iterations\"",
    "\"compaction\"",
    "\"advisor_message\"",
    "\"session_id\"",
    "\"isApiErrorMessage\"",
    "\"estimate\"",
    "\"estimate_usd\"",
    "\"kind\"",
    "\"origin\"",
    "\"cost_state\"",
    "\"cumulative\"",
    "0.0241",
    " ",
    "\\",
    "\"",
    "\u{0}",
    "\u{7f}",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_line(&bytes, &ctx());
    }

    #[test]
    fn arbitrary_fragment_sequences_never_panic(
        picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..64)
    ) {
        let line: String = picks.iter().map(|&i| FRAGMENTS[i]).collect();
        let _ = parse_line(line.as_bytes(), &ctx());
    }

    #[test]
    fn corrupted_fixture_lines_never_panic(
        pick in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let lines = fixture_lines();
        let mut line = pick.get(lines).clone();
        for (at, byte) in flips {
            let i = at.index(line.len());
            line[i] = byte;
        }
        let _ = parse_line(&line, &ctx());
    }
}

/// Values of every JSON kind, to put in any field of a real line.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1.5",
    "-0.25",
    "1e300",
    "18446744073709551616",
    "null",
    "true",
    "\"\"",
    "\"x\"",
    "\"message\"",
    "\"compaction\"",
    "\"advisor_message\"",
    "\"<synthetic>\"",
    "\"2026-11-20T10:04:12Z\"",
    "[]",
    "[1]",
    "[null]",
    "{}",
    "[{\"type\":\"message\"}]",
    "[{\"type\":\"compaction\",\"input_tokens\":-3}]",
    "{\"usage\":{\"input_tokens\":1}}",
];

/// Every leaf of a JSON value, as a JSON pointer.
fn leaves(value: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                leaves(v, &format!("{at}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at.to_string());
}

/// The published Claude Code lines: assistant, sub-agent copy in a `progress` line, cost ledger.
fn claude_code_lines() -> &'static [(serde_json::Value, Vec<String>)] {
    static LINES: LazyLock<Vec<(serde_json::Value, Vec<String>)>> = LazyLock::new(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-code");
        [
            "assistant.jsonl",
            "progress-subagent.jsonl",
            "cost-state.jsonl",
        ]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let value: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
            let mut paths = Vec::new();
            leaves(&value, "", &mut paths);
            (value, paths)
        })
        .collect()
    });
    &LINES
}

proptest! {
    #[test]
    fn any_value_in_any_field_of_the_claude_code_shapes_never_panics(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0..VALUES.len()),
            1..4,
        ),
    ) {
        let (template, paths) = pick.get(claude_code_lines());
        let mut line = template.clone();
        for (at, value) in edits {
            let path = at.get(paths);
            if let Some(slot) = line.pointer_mut(path) {
                *slot = serde_json::from_str(VALUES[value]).unwrap();
            }
        }
        let text = line.to_string();
        let parsed = parse_line(text.as_bytes(), &ctx());
        if let Parsed::Usage(event) = parsed {
            // Whatever a field holds, a record never claims more than the fields say.
            prop_assert!(event.tokens.total() < 10_000_000_000_000);
        }
    }
}
