//! The history over a generated month of Claude Code usage: `report` and the month budget are
//! unchanged once the transcripts are deleted as Claude Code's cleanup does; a costtop killed
//! (SIGKILL) while it appends loses nothing it wrote before and corrupts nothing; two costtops
//! writing one history write each record once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DurationRound, Utc};
use serde_json::Value;

use super::{generator, picos};

/// A generated month ending about now, with a history, cache and config of its own.
struct Month {
    home: tempfile::TempDir,
    truth: generator::Truth,
}

impl Month {
    fn new(lines: u64, seed: u64) -> Month {
        let home = tempfile::tempdir().expect("tempdir");
        let end = Utc::now()
            .duration_trunc(chrono::Duration::minutes(1))
            .expect("now");
        let options = generator::Options {
            out: home.path().join("claude"),
            lines,
            seed,
            days: 30,
            end,
            sessions: None,
            projects: None,
            unknown_model: false,
        };
        let truth = generator::generate(&options).expect("generate");
        std::fs::write(home.path().join("config.toml"), "").expect("config");
        Month { home, truth }
    }

    fn projects(&self) -> PathBuf {
        self.home.path().join("claude/projects")
    }

    fn history(&self) -> PathBuf {
        self.home.path().join("history.ledger")
    }

    fn costtop(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_costtop"));
        cmd.args(args)
            .env("COSTTOP_CONFIG", self.home.path().join("config.toml"))
            .env("CLAUDE_CONFIG_DIR", self.home.path().join("claude"))
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("COSTTOP_HISTORY", self.history())
            .env("COSTTOP_URL", "off");
        cmd
    }

    /// `report --format json`'s totals, checked against the truth.
    fn report_equals_truth(&self) {
        let out = self
            .costtop(&["report", "--format", "json", "--tz", "UTC"])
            .output()
            .expect("report");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(
            report["totals"]["requests"], self.truth.requests,
            "requests"
        );
        assert_eq!(
            picos(&report["totals"]["cost_usd"]),
            self.truth.cost_picodollars as i128,
            "cost in picodollars"
        );
    }

    /// The month budget's spend, as `check` sees it.
    fn month_spent(&self) -> Value {
        let args = [
            "check",
            "--tz",
            "UTC",
            "--budget",
            "month=1000000",
            "--format",
            "json",
        ];
        let out = self.costtop(&args).output().expect("check");
        let answer: Value = serde_json::from_slice(&out.stdout).expect("check JSON");
        assert_eq!(answer["exit_code"], 0, "{answer}");
        answer["budgets"][0]["spent_usd"].clone()
    }

    /// `costtop history`: (records, requests, the damage line).
    fn shown(&self) -> (u64, u64, String) {
        let out = self.costtop(&["history"]).output().expect("history");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let field = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .map(|l| l[name.len()..].trim().to_owned())
                .unwrap_or_default()
        };
        let records = field("records");
        let number = |s: &str| s.replace(',', "").parse::<u64>().unwrap_or(0);
        let (count, rest) = records.split_once(' ').unwrap_or((&records, ""));
        let requests = rest
            .trim_start_matches('(')
            .split(' ')
            .next()
            .unwrap_or("0");
        (number(count), number(requests), field("damage"))
    }
}

/// Deletes the transcripts last modified before `cutoff`, as Claude Code's cleanup does.
fn clean_up(projects: &Path, cutoff: SystemTime) -> usize {
    let mut deleted = 0;
    for entry in walkdir::WalkDir::new(projects)
        .into_iter()
        .filter_map(Result::ok)
    {
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .is_some_and(|t| t < cutoff);
        if entry.file_type().is_file() && old {
            std::fs::remove_file(entry.path()).expect("delete");
            deleted += 1;
        }
    }
    deleted
}

#[test]
fn report_and_the_month_budget_outlive_claude_codes_cleanup() {
    let month = Month::new(8_000, 3);
    month.report_equals_truth();
    let spent = month.month_spent();
    let (records, requests, damage) = month.shown();
    assert_eq!(requests, month.truth.requests, "each request is kept");
    assert!(
        records >= requests && damage == "none",
        "{records} {damage}"
    );
    // The cleanup deletes what is older than its period, then everything.
    let ten_days = SystemTime::now() - Duration::from_secs(10 * 86_400);
    assert!(clean_up(&month.projects(), ten_days) > 0);
    month.report_equals_truth();
    assert_eq!(month.month_spent(), spent);
    clean_up(
        &month.projects(),
        SystemTime::now() + Duration::from_secs(3600),
    );
    month.report_equals_truth();
    assert_eq!(month.month_spent(), spent);
}

#[test]
fn a_costtop_killed_while_appending_loses_nothing_written_and_corrupts_nothing() {
    let month = Month::new(20_000, 5);
    let size = || std::fs::metadata(month.history()).map_or(0, |m| m.len());
    let mut kept = 0;
    let mut torn = 0;
    // Each run is killed the moment the history starts to grow past what it was: in the middle
    // of an append, or just after it.
    for _ in 0..6 {
        let before = size().max(16);
        let mut child = month
            .costtop(&["report", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("report");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if child.try_wait().expect("poll").is_some() {
                break;
            }
            if size() > before || Instant::now() > deadline {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let (records, _, damage) = month.shown();
        // Whole blocks, and at most an unfinished last one: never damage, never fewer records.
        assert!(
            damage == "none" || damage.starts_with("an unfinished last block"),
            "{damage}"
        );
        torn += usize::from(damage != "none");
        assert!(
            records >= kept,
            "{records} records after {kept}: something written was lost"
        );
        kept = records;
    }
    eprintln!("kills that left an unfinished block: {torn} of 6");
    month.report_equals_truth();
    assert_eq!(
        month.shown().2,
        "none",
        "the unfinished block was put aside"
    );
    clean_up(
        &month.projects(),
        SystemTime::now() + Duration::from_secs(3600),
    );
    month.report_equals_truth();
}

#[test]
fn two_costtops_writing_one_history_write_each_record_once() {
    let month = Month::new(20_000, 7);
    let run = || {
        month
            .costtop(&["report", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("report")
    };
    let (a, b) = (run(), run());
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (records, requests, damage) = month.shown();
    assert_eq!((requests, damage.as_str()), (month.truth.requests, "none"));
    // A few more complete copies of one request may follow a streamed one; a request written
    // by both would double the count.
    assert!(
        records * 10 < requests * 11,
        "{records} records for {requests} requests"
    );
    clean_up(
        &month.projects(),
        SystemTime::now() + Duration::from_secs(3600),
    );
    month.report_equals_truth();
}
