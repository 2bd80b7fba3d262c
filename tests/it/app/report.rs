//! `costtop report` as a user runs it: the binary over the shipped sample and bad files.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::support::files::copy_tree;

/// A copy of the fixtures whose files all have one fixed modification time: Batch results
/// carry no timestamp and take their file's, which a checkout would otherwise set to "now".
fn fixtures() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_219_200); // 2026-11-21T00:00:00Z
        copy_tree(&src, &dir.path().join("tests/fixtures"), mtime);
        dir
    })
    .path()
}

fn costtop(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args(args)
        .current_dir(fixtures())
        .env("COSTTOP_CONFIG", "tests/fixtures/config/empty.toml")
        // No stored price update from the user's own data dir.
        .env("XDG_DATA_HOME", fixtures().join("data"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn report_table_over_the_sample() {
    let (stdout, stderr, code) = costtop(&["report", "tests/fixtures/sample", "--tz", "UTC"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn report_by_tag_as_csv() {
    let (stdout, _, code) = costtop(&[
        "report",
        "tests/fixtures/sample",
        "--by",
        "tag:feature",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn report_json_follows_the_contract() {
    let (stdout, _, code) = costtop(&[
        "report",
        "tests/fixtures/sample",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "as_of",
        "window",
        "totals",
        "by_model",
        "cache",
        "batch",
        "output_tokens",
        "burn_rate_usd_per_hour",
        "budgets",
        "alarms",
        "unpriced_models",
        "sources",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in [
        "cost_usd",
        "requests",
        "input_tokens",
        "output_tokens",
        "cache_write_5m_tokens",
        "cache_write_1h_tokens",
        "cache_read_tokens",
        "web_search_requests",
        "unpriced_requests",
        "cost_is_lower_bound",
    ] {
        assert!(v["totals"].get(key).is_some(), "missing totals.{key}");
    }
    assert_eq!(v["totals"]["requests"], 17);
    assert_eq!(v["unpriced_models"].as_array().unwrap().len(), 1);
    // claude-mystery-1's one request is not costed: the total is a lower bound.
    assert_eq!(v["totals"]["unpriced_requests"], 1);
    assert_eq!(v["totals"]["cost_is_lower_bound"], true);
    assert_eq!(v["prices_checked"], "2026-12-01");
}

#[test]
fn since_and_until_narrow_the_records() {
    let (all, _, _) = costtop(&["report", "tests/fixtures/sample", "--format", "json"]);
    let (some, _, _) = costtop(&[
        "report",
        "tests/fixtures/sample",
        "--format",
        "json",
        "--since",
        "2026-11-20T00:00:00Z",
        "--until",
        "2026-11-21T00:00:00Z",
    ]);
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    let some: serde_json::Value = serde_json::from_str(&some).unwrap();
    assert!(
        some["totals"]["requests"].as_u64().unwrap() < all["totals"]["requests"].as_u64().unwrap()
    );
}

#[test]
fn bad_input_is_counted_and_named_not_fatal() {
    let (stdout, _, code) = costtop(&["report", "tests/fixtures/bad"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("No usage records found"), "{stdout}");
    assert!(
        stdout.contains("parse errors (first: tests/fixtures/bad/"),
        "{stdout}"
    );
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let (_, stderr, code) = costtop(&["report", "no/such/dir"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("no/such/dir"), "{stderr}");
}

#[test]
fn help_is_stable() {
    let (stdout, _, code) = costtop(&["--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn report_shows_claude_codes_estimate_beside_costtops() {
    let (stdout, stderr, code) = costtop(&[
        "report",
        "tests/fixtures/claude-shapes",
        "--tz",
        "UTC",
        "--by",
        "session",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn report_json_carries_claude_codes_estimate_and_its_coverage() {
    let (stdout, _, code) = costtop(&[
        "report",
        "tests/fixtures/claude-shapes",
        "--format",
        "json",
        "--tz",
        "UTC",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let e = &v["claude_code_estimates"];
    let sessions: Vec<&str> = e["by_session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sessions, ["cost_state", "requests", "cost_state"]);
    for key in [
        "estimate_usd",
        "costtop_usd",
        "difference_pct",
        "by_day",
        "coverage",
    ] {
        assert!(e.get(key).is_some(), "missing claude_code_estimates.{key}");
    }
    let haiku = e["coverage"]["not_in_transcripts_by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "claude-haiku-4-5-20251001")
        .unwrap();
    assert_eq!(
        (haiku["sessions"].as_u64(), haiku["input_tokens"].as_u64()),
        (Some(2), Some(932))
    );
    // Claude Code's figures are never spend; the bad cost lines are counted, not fatal.
    assert_eq!(v["totals"]["requests"], 9);
    assert_eq!(v["sources"][0]["parse_errors"], 0);
}

#[test]
fn a_transcript_still_being_written_counts_its_complete_lines() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-shapes");
    let progress = std::fs::read_to_string(shapes.join("progress.jsonl")).unwrap();
    let last = progress.lines().last().unwrap();
    let half = format!("{progress}{}", &last[..last.len() / 2]);
    std::fs::write(dir.path().join("session.jsonl"), half).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args(["report", "--format", "json"])
        .arg(dir.path())
        .env(
            "COSTTOP_CONFIG",
            fixtures().join("tests/fixtures/config/empty.toml"),
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Four calls (one streamed twice); the half line is a reported parse error.
    assert_eq!(v["totals"]["requests"], 4);
    assert_eq!(v["sources"][0]["parse_errors"], 1);
}

#[test]
fn a_replay_to_the_end_shows_claude_codes_estimate_as_report_does() {
    let run = |cmd: &str| {
        let mut args = vec![cmd, "tests/fixtures/claude-shapes", "--format", "json"];
        args.extend(["--tz", "UTC"]);
        // replay reads every record; report every record since --since.
        args.extend(if cmd == "replay" {
            ["--window", "all"]
        } else {
            ["--since", "2020-01-01"]
        });
        let (stdout, stderr, code) = costtop(&args);
        assert_eq!(code, 0, "{cmd}: {stderr}");
        // report prints one document, replay one snapshot per line: the last is the end.
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .or_else(|_| serde_json::from_str(stdout.lines().last().unwrap_or("")))
            .unwrap();
        v["claude_code_estimates"].clone()
    };
    let (report, replay) = (run("report"), run("replay"));
    assert!(report["estimate_usd"].as_f64().unwrap() > 0.0, "{report}");
    assert_eq!(report["estimate_usd"], replay["estimate_usd"], "{replay}");
    assert_eq!(report["by_session"], replay["by_session"]);
}

/// Claude Code 2.1.328's session (`tests/fixtures/claude-2.1.328/`) and a `--fork-session`
/// copy of it: a line of the fork's own, then the parent's lines but for `sessionId`.
fn session_and_fork() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("-home-dev-api");
    std::fs::create_dir_all(&project).unwrap();
    let parent = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-2.1.328/session.jsonl"),
    )
    .unwrap();
    std::fs::write(project.join("parent.jsonl"), &parent).unwrap();
    let fork_id = "f0c0e000-0000-4000-8000-00000000f04c";
    let own = format!(
        r#"{{"type":"user","uuid":"f1","timestamp":"2026-12-07T19:10:00.000Z","sessionId":"{fork_id}","message":{{"role":"user","content":"go on"}}}}"#
    );
    let copied = parent.replace("f0c0e000-0000-4000-8000-000000000328", fork_id);
    std::fs::write(project.join("fork.jsonl"), format!("{own}\n{copied}")).unwrap();
    dir
}

/// The report's line for one compaction.
pub(super) const COMPACTION_NOTE: &str = "Note      1 compaction: its summary request is billed but in no \
     transcript (see them with --proxy or Claude Code's OTLP telemetry)";

#[test]
fn compactions_no_transcript_prices_are_noted_once_whatever_forks_copy_them() {
    let dir = session_and_fork();
    let path = dir.path().to_str().unwrap();
    let (stdout, stderr, code) = costtop(&["report", path, "--tz", "UTC"]);
    assert_eq!(code, 0, "{stderr}");
    // Said once, with the sources, not again under Claude Code's estimate.
    assert_eq!(stdout.matches("compaction").count(), 1, "{stdout}");
    assert!(stdout.contains(COMPACTION_NOTE), "{stdout}");
    let (json, stderr, code) = costtop(&["report", path, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let snap: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sources = snap["sources"].as_array().unwrap();
    let compactions: u64 = sources
        .iter()
        .map(|s| s["compactions"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(compactions, 1, "{sources:?}");
    // The request itself is counted once, in the session that made it.
    assert_eq!(snap["totals"]["requests"], 1, "{json}");
}
