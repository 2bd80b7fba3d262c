//! `costtop audit` as a user runs it, over an application log with one opportunity of each
//! lever: the same opportunities from `audit`, from `report --format json` and from a replay
//! to the end of the same data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

/// One application-log line.
fn line(
    out: &mut String,
    at: DateTime<Utc>,
    id: &str,
    model: &str,
    tags: &str,
    usage: &str,
    stop: &str,
) {
    let _ = writeln!(
        out,
        r#"{{"timestamp":"{}","id":"{id}","model":"{model}","stop_reason":"{stop}","usage":{usage},"tags":{tags}}}"#,
        at.to_rfc3339()
    );
}

fn usage(input: u64, w5: u64, w1: u64, read: u64, output: u64) -> String {
    format!(
        r#"{{"input_tokens":{input},"output_tokens":{output},"cache_read_input_tokens":{read},"cache_creation_input_tokens":{},"cache_creation":{{"ephemeral_5m_input_tokens":{w5},"ephemeral_1h_input_tokens":{w1}}}}}"#,
        w5 + w1
    )
}

/// A day with every lever in it; the last cache write is over an hour before the last record,
/// so the end of the data has settled every write.
fn write_log(dir: &Path) -> PathBuf {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let at = |m: i64, s: i64| t0 + Duration::minutes(m) + Duration::seconds(s);
    let mut out = String::new();
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("msg_{n:05}")
    };
    for i in 0..120 {
        // Routing: classification on Opus 5.5 with short answers.
        let tags = r#"{"feature":"classify"}"#;
        line(
            &mut out,
            at(i / 12, i % 12 * 5),
            &id(),
            "claude-opus-5-5",
            tags,
            &usage(800, 0, 0, 0, 20),
            "end_turn",
        );
    }
    for i in 0..10 {
        // Caching (a): 3,000 uncached tokens every two minutes.
        let tags = r#"{"feature":"email"}"#;
        line(
            &mut out,
            at(2 * i, 30),
            &id(),
            "claude-sonnet-4-6",
            tags,
            &usage(3_000, 0, 0, 0, 200),
            "end_turn",
        );
    }
    // Caching (b): a session that comes back after half an hour; another that reads at once.
    let late = r#"{"feature":"chat","session":"c1"}"#;
    line(
        &mut out,
        at(0, 0),
        &id(),
        "claude-sonnet-4-6",
        late,
        &usage(20, 6_000, 0, 0, 300),
        "end_turn",
    );
    line(
        &mut out,
        at(30, 0),
        &id(),
        "claude-sonnet-4-6",
        late,
        &usage(20, 500, 0, 6_000, 300),
        "end_turn",
    );
    let quick = r#"{"feature":"chat","session":"c2"}"#;
    line(
        &mut out,
        at(1, 0),
        &id(),
        "claude-sonnet-4-6",
        quick,
        &usage(20, 6_000, 0, 0, 300),
        "end_turn",
    );
    line(
        &mut out,
        at(3, 0),
        &id(),
        "claude-sonnet-4-6",
        quick,
        &usage(20, 0, 0, 6_000, 300),
        "end_turn",
    );
    // Caching (c) and output: an agent writing for an hour, reading every two minutes, once
    // cut off at max_tokens.
    let agent = r#"{"feature":"agent","session":"a1"}"#;
    line(
        &mut out,
        at(60, 0),
        &id(),
        "claude-opus-4-8",
        agent,
        &usage(50, 0, 20_000, 0, 900),
        "tool_use",
    );
    for m in [62, 64, 66] {
        line(
            &mut out,
            at(m, 0),
            &id(),
            "claude-opus-4-8",
            agent,
            &usage(50, 0, 0, 20_000, 900),
            "tool_use",
        );
    }
    line(
        &mut out,
        at(68, 0),
        &id(),
        "claude-opus-4-8",
        agent,
        &usage(50, 0, 0, 20_000, 8_192),
        "max_tokens",
    );
    // Batch: a nightly job on the standard tier, marked async in the config.
    for i in 0..20 {
        let tags = r#"{"feature":"nightly"}"#;
        line(
            &mut out,
            at(300 + i, 0),
            &id(),
            "claude-sonnet-4-6",
            tags,
            &usage(1_000, 0, 0, 0, 2_000),
            "end_turn",
        );
    }
    let path = dir.join("app.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

struct Fixture {
    _dir: tempfile::TempDir,
    log: PathBuf,
    config: PathBuf,
}

fn fixture(config: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path());
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    Fixture {
        _dir: dir,
        log,
        config: path,
    }
}

const ASYNC: &str = "[audit]\nasync = [\"feature=nightly\"]\n";

fn costtop(f: &Fixture, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args(args)
        .arg(&f.log)
        .args(["--tz", "UTC", "--config"])
        .arg(&f.config)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn json(f: &Fixture, args: &[&str]) -> Value {
    let (stdout, stderr, code) = costtop(f, args);
    assert_eq!(code, 0, "{stderr}");
    // Pretty JSON from `audit` and `report`, one line per snapshot from `replay`.
    serde_json::from_str(&stdout)
        .or_else(|_| serde_json::from_str(stdout.lines().last().unwrap_or("")))
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn audit_report_and_replay_agree_on_every_opportunity() {
    let f = fixture(ASYNC);
    let audit = json(&f, &["audit", "--format", "json"])["audit"].clone();
    let report = json(&f, &["report", "--format", "json"])["audit"].clone();
    let replay = json(&f, &["replay", "--format", "json", "--window", "all"])["audit"].clone();
    assert_eq!(audit["opportunities"], report["opportunities"]);
    assert_eq!(audit["opportunities"], replay["opportunities"]);
    assert_eq!(audit["potential_usd"], replay["potential_usd"]);
    for lever in ["routing", "caching", "batch", "output"] {
        let saved = audit["by_lever"][lever]["savings_usd"].as_f64().unwrap();
        assert!(saved > 0.0, "{lever}: {saved}");
    }
    let kinds: Vec<&str> = audit["opportunities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    for kind in [
        "simple_requests",
        "uncached_repeats",
        "writes_never_read",
        "one_hour_writes",
        "async_standard_tier",
        "max_tokens_stops",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let total = audit["total_usd"].as_f64().unwrap();
    let potential = audit["potential_usd"].as_f64().unwrap();
    assert!(
        potential > 0.0 && potential < total,
        "{potential} of {total}"
    );
}

#[test]
fn the_table_reads_as_a_cost_review() {
    let f = fixture(ASYNC);
    let (stdout, stderr, code) = costtop(&f, &["audit"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
    for needle in [
        "costtop audit · records 2026-11-20 09:00 → 2026-11-20 14:19 · grouped by feature",
        "with all levers: $",
        "120 classify requests on Opus 5.5 with ≤ 256 output and < 8,000 prompt tokens",
        "marked async: feature=nightly",
        "Estimates from token counts",
    ] {
        assert!(stdout.contains(needle), "{needle:?} not in\n{stdout}");
    }
    let (csv, _, code) = costtop(&f, &["audit", "--format", "csv", "--by", "project"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with("lever,kind,group,model,requests,current_usd,savings_usd"));
    assert!(csv.lines().last().unwrap().starts_with("TOTAL,"));
}

#[test]
fn without_async_marks_the_batch_lever_says_how_to_mark() {
    let f = fixture("");
    let audit = json(&f, &["audit", "--format", "json"])["audit"].clone();
    assert_eq!(
        audit["by_lever"]["batch"]["savings_usd"].as_f64(),
        Some(0.0)
    );
    let note = audit["by_lever"]["batch"]["note"].as_str().unwrap();
    assert!(note.contains("[audit] async"), "{note}");
}

#[test]
fn a_ladder_naming_an_unknown_model_is_a_config_error() {
    let f = fixture("[audit]\nladder = [\"claude-opus-5-5\", \"claude-opus-9\"]\n");
    let (_, stderr, code) = costtop(&f, &["audit"]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("audit.ladder") && stderr.contains("claude-opus-9"),
        "{stderr}"
    );
}
