//! The guard rails and the memory as a user runs them: `check`'s exit codes and figures,
//! `hook`'s answers to Claude Code's input, and the history (`history`, and `report` once
//! transcripts are gone).

mod check;
mod history;
mod hook;
mod org;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::Value;

use crate::support::files::append;

/// Session A, in project `/home/dev/app`.
pub(super) const SESSION_A: &str = "5e55a0e0-0000-4000-8000-00000000000a";
/// Session B, in project `/home/dev/other`.
pub(super) const SESSION_B: &str = "5e55b0e0-0000-4000-8000-00000000000b";
/// Session A's project.
pub(super) const APP: &str = "/home/dev/app";
/// Session B's project.
pub(super) const OTHER: &str = "/home/dev/other";

/// A user's home: a Claude Code folder, a cache and a history of its own.
pub(super) struct Home {
    pub(super) tmp: tempfile::TempDir,
}

impl Home {
    /// An empty home.
    pub(super) fn new() -> Home {
        Home {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A home with three requests of session A and two of session B, a few minutes ago.
    pub(super) fn with_usage() -> Home {
        let home = Home::new();
        let recent = recent();
        home.write(SESSION_A, APP, &[1, 2, 3], recent);
        home.write(SESSION_B, OTHER, &[4, 5], recent);
        home
    }

    pub(super) fn projects(&self) -> PathBuf {
        self.tmp.path().join("claude/projects")
    }

    /// The transcript of `session` (of `project`).
    pub(super) fn transcript(&self, session: &str, project: &str) -> PathBuf {
        self.projects()
            .join(project.replace('/', "-"))
            .join(format!("{session}.jsonl"))
    }

    pub(super) fn history(&self) -> PathBuf {
        self.tmp.path().join("data/history.ledger")
    }

    /// Appends requests `ns` of `session` in `project` at `at`.
    pub(super) fn write(&self, session: &str, project: &str, ns: &[u64], at: DateTime<Utc>) {
        let stamp = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let text: String = ns
            .iter()
            .map(|n| {
                crate::support::lines::line(n * 1_000 + 17)
                    .replace("2026-05-04T01:50:18.499Z", &stamp)
                    .replace("dac472d2-1379-4e28-be38-cf9abf4ac4f0", session)
                    .replace("/home/me/dev/app", project)
                    + "\n"
            })
            .collect();
        append(&self.transcript(session, project), &text);
    }

    /// `costtop` with this home's Claude Code folder, cache and history, and no listener.
    pub(super) fn costtop(&self) -> Command {
        let mut cmd = crate::support::costtop();
        cmd.env("HOME", self.tmp.path())
            .env("CLAUDE_CONFIG_DIR", self.tmp.path().join("claude"))
            .env("XDG_CACHE_HOME", self.tmp.path().join("cache"))
            .env("COSTTOP_HISTORY", self.history())
            .env("COSTTOP_URL", "off")
            .current_dir(self.tmp.path());
        cmd
    }

    /// `costtop ARGS` with `stdin` on its standard input.
    pub(super) fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(args, stdin, &[])
    }

    /// [`Home::run`] with these environment variables set too.
    pub(super) fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut child = self
            .costtop()
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run costtop");
        let mut input = child.stdin.take().expect("stdin");
        if let Err(e) = input.write_all(stdin.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        drop(input);
        child.wait_with_output().expect("output")
    }

    /// What `costtop report` says the transcripts of `sources` (all: none given) cost.
    pub(super) fn report_usd(&self, sources: &[&Path]) -> f64 {
        let out = self
            .costtop()
            .arg("report")
            .args(sources)
            .args(["--format", "json", "--tz", "UTC"])
            .output()
            .expect("report");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        json["totals"]["cost_usd"].as_f64().expect("cost")
    }
}

/// A few minutes ago, but today (UTC).
pub(super) fn recent() -> DateTime<Utc> {
    let now = Utc::now();
    let midnight = now - Duration::seconds(i64::from(now.time().num_seconds_from_midnight()));
    (now - Duration::minutes(5)).max(midnight + Duration::seconds(1))
}

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
