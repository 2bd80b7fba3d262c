//! `costtop watch` as a script runs it: `--once` prints one JSON snapshot with the DESIGN.md
//! §6 fields; `--interval` streams lines, follows appends, and ends cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::files::append;
use crate::support::lines::records;

fn costtop(dir: &Path) -> Command {
    let mut cmd = crate::support::costtop();
    cmd.current_dir(dir);
    cmd
}

/// A folder of Claude Code transcripts: 30 priced responses and one of an unknown model.
fn transcripts() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    std::fs::create_dir_all(dir.join("app/session-1")).expect("mkdir");
    append(&dir.join("app/session-1.jsonl"), &records(0..30));
    let unknown = records(79..80).replace("claude-opus-4-1-20250805", "claude-mystery-9");
    assert!(unknown.contains("claude-mystery-9"));
    append(&dir.join("app/session-1/other.jsonl"), &unknown);
    (tmp, dir)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn assert_has(v: &Value, fields: &[&str], what: &str) {
    for f in fields {
        assert!(v.get(f).is_some(), "{what} lacks {f}: {:?}", keys(v));
    }
}

const TOTALS: [&str; 8] = [
    "cost_usd",
    "requests",
    "input_tokens",
    "output_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "web_search_requests",
];

#[test]
fn once_prints_exactly_one_json_line_with_the_contract_fields() {
    let (_tmp, dir) = transcripts();
    let out = costtop(&dir)
        .args(["watch", ".", "--once", "--since", "2000-01-01"])
        .args(["--window", "all", "--budget", "day=100"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.ends_with('\n'));
    let snap: Value = serde_json::from_str(stdout.trim_end()).expect("one JSON object");

    assert_has(
        &snap,
        &[
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
        ],
        "snapshot",
    );
    assert_has(&snap["window"], &["start", "end"], "window");
    assert_has(&snap["totals"], &TOTALS, "totals");
    assert_eq!(snap["totals"]["requests"], 31);
    assert!(snap["totals"]["cost_usd"].as_f64().expect("number") > 0.0);
    let models = snap["by_model"].as_array().expect("by_model");
    assert_eq!(models.len(), 5, "{models:?}");
    for m in models {
        assert_has(m, &TOTALS, "by_model row");
        assert!(m["model"].is_string());
    }
    assert_has(
        &snap["cache"],
        &["hit_ratio", "reads_per_write", "net_savings_usd"],
        "cache",
    );
    assert_has(
        &snap["batch"],
        &["share_of_cost", "share_of_requests", "savings_usd"],
        "batch",
    );
    let output = &snap["output_tokens"];
    assert_has(
        output,
        &["p50", "p90", "p99", "max", "max_tokens_share", "buckets"],
        "output_tokens",
    );
    let buckets = output["buckets"].as_array().expect("buckets");
    assert!(!buckets.is_empty());
    assert_has(&buckets[0], &["le", "count"], "bucket");
    let budget = &snap["budgets"][0];
    assert_has(
        budget,
        &[
            "name",
            "period",
            "limit_usd",
            "spent_usd",
            "projected_usd",
            "state",
        ],
        "budget",
    );
    assert_eq!(budget["limit_usd"], 100.0);
    let unpriced = &snap["unpriced_models"][0];
    assert_has(unpriced, &["model", "requests", "tokens"], "unpriced model");
    assert_eq!(unpriced["model"], "claude-mystery-9");
    let alarm = snap["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .find(|a| a["kind"] == "unpriced_model")
        .expect("an unpriced-model alarm");
    assert_has(alarm, &["kind", "severity", "since", "message"], "alarm");
    let source = &snap["sources"][0];
    assert_has(
        source,
        &["name", "state", "lines", "parse_errors", "last_event"],
        "source",
    );
    assert_eq!(source["lines"], 31);

    // The same records through `report` give the same totals.
    let report = costtop(&dir)
        .args(["report", ".", "--format", "json"])
        .output()
        .expect("run report");
    let report: Value = serde_json::from_slice(&report.stdout).expect("report JSON");
    assert_eq!(report["totals"], snap["totals"]);
}

#[test]
fn interval_streams_lines_follows_appends_and_exits_zero_on_sigterm() {
    let (_tmp, dir) = transcripts();
    let mut child = costtop(&dir)
        .args(["watch", ".", "--interval", "200ms", "--since", "2000-01-01"])
        .args(["--window", "all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| -> Value {
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no line for {what}"));
        serde_json::from_str(&line).expect("every line is one JSON object")
    };

    let started = Instant::now();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(next("the first lines"));
    }
    // Four lines 200 ms apart, not one burst and not one per second.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "4 lines took {took:?}");
    assert!(seen.iter().any(|s| s["totals"]["requests"] == 31));

    append(&dir.join("app/session-1.jsonl"), &records(30..35));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snap = next("the appended records");
        if snap["totals"]["requests"] == 36 {
            break;
        }
        assert!(Instant::now() < deadline, "appends never showed: {snap}");
    }

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(2) {
            let _ = child.kill();
            panic!("still running 2 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{status}");
    reader.join().expect("reader");
    // Whatever was printed up to the end is whole JSON lines.
    while let Ok(line) = rx.try_recv() {
        serde_json::from_str::<Value>(&line).expect("a whole line");
    }
}
