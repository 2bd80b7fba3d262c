//! `costtop statusline` as Claude Code runs it: status JSON on stdin, one line on stdout, exit
//! 0 whatever happens. Its figures agree with `costtop report` over the same transcripts,
//! follow appended lines through its ledger, survive a corrupt ledger, and come from a running
//! costtop's listener when one answers.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use chrono::{DateTime, Duration, DurationRound, Utc};
use costtop::pricing::Money;
use serde_json::Value;

use crate::support::files::append;

const SESSION: &str = "5e55a0e0-0000-4000-8000-00000000000a";
const OTHER: &str = "5e55b0e0-0000-4000-8000-00000000000b";

/// A Claude Code folder: session A (transcript and a sub-agent file), session B (one request
/// today, one yesterday), and an old session untouched for 40 days.
struct Folder {
    tmp: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let folder = Folder {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        let now = Utc::now();
        let today = now.duration_trunc(Duration::days(1)).expect("midnight");
        let recent = (now - Duration::minutes(5)).max(today + Duration::seconds(1));
        append(&folder.transcript(), &lines(&[1, 2, 3], SESSION, recent));
        append(&folder.subagent(), &lines(&[4], SESSION, recent));
        let b = folder.project().join(format!("{OTHER}.jsonl"));
        append(&b, &lines(&[5], OTHER, recent));
        append(&b, &lines(&[6], OTHER, today - Duration::hours(2)));
        let old = folder
            .project()
            .join("0ld00000-0000-4000-8000-000000000000.jsonl");
        let long_ago = now - Duration::days(40);
        append(&old, &lines(&[7], "old", long_ago));
        let file = std::fs::File::options()
            .append(true)
            .open(&old)
            .expect("old");
        file.set_modified(long_ago.into()).expect("set mtime");
        folder
    }

    fn projects(&self) -> PathBuf {
        self.tmp.path().join("claude/projects")
    }

    fn project(&self) -> PathBuf {
        self.projects().join("-home-dev-app")
    }

    fn transcript(&self) -> PathBuf {
        self.project().join(format!("{SESSION}.jsonl"))
    }

    fn subagent(&self) -> PathBuf {
        self.project()
            .join(SESSION)
            .join("subagents/agent-a1.jsonl")
    }

    fn ledger(&self) -> PathBuf {
        self.tmp.path().join("cache/costtop/statusline.ledger")
    }

    /// `costtop` with this folder as the user's Claude Code folder, cache dir and home.
    fn costtop(&self) -> Command {
        let mut cmd = crate::support::costtop();
        cmd.env("HOME", self.tmp.path())
            .env("CLAUDE_CONFIG_DIR", self.tmp.path().join("claude"))
            .env("XDG_CACHE_HOME", self.tmp.path().join("cache"));
        cmd
    }

    fn status_json(&self) -> String {
        let fixture = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/statusline/claude-code-input.json"
        ));
        let mut v: Value = serde_json::from_str(fixture).expect("fixture");
        v["session_id"] = SESSION.into();
        v["transcript_path"] = self.transcript().to_string_lossy().as_ref().into();
        v.to_string()
    }

    fn statusline(&self, stdin: &str, args: &[&str]) -> Output {
        let mut child = self
            .costtop()
            .arg("statusline")
            .args(["--tz", "UTC", "--budget", "day=1"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run statusline");
        let mut input = child.stdin.take().expect("stdin");
        // statusline may answer bad input and exit before reading all of it.
        if let Err(e) = input.write_all(stdin.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        drop(input);
        child.wait_with_output().expect("output")
    }

    /// The line for the fixture's status JSON with this template; asserts a clean exit.
    fn line(&self, format: &str, url: &str) -> String {
        let out = self.statusline(&self.status_json(), &["--format", format, "--url", url]);
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
        stdout.trim_end().to_owned()
    }

    /// What `costtop report` says `sources` cost (since `since`, when given), as the line
    /// prints money.
    fn report_cost(&self, sources: &[PathBuf], since: Option<&str>) -> Money {
        let mut cmd = self.costtop();
        cmd.arg("report")
            .args(sources)
            .args(["--format", "json", "--tz", "UTC"]);
        if let Some(since) = since {
            cmd.args(["--since", since]);
        }
        let out = cmd.output().expect("report");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        Money::from_usd(json["totals"]["cost_usd"].as_f64().expect("cost"))
    }

    /// `{session}|{today}|{burn}|{budget}` as report computes them.
    fn expected(&self) -> String {
        let session = self.report_cost(&[self.transcript(), self.subagent()], None);
        let today = Utc::now().format("%Y-%m-%d").to_string();
        let today = self.report_cost(&[self.projects()], Some(&today));
        // Every request of today is from the last 15 minutes.
        let burn = Money(today.0 * 4);
        let pct = today.usd() * 100.0;
        format!("{session}|{today}|{burn}/h|day budget {pct:.0}%")
    }
}

/// Claude Code lines `ns` of `session` at `at` (the shared v2.1.126 shape, unique keys).
fn lines(ns: &[u64], session: &str, at: DateTime<Utc>) -> String {
    let stamp = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    ns.iter()
        .map(|n| {
            crate::support::lines::line(*n * 1_000 + 17)
                .replace("2026-05-04T01:50:18.499Z", &stamp)
                .replace("dac472d2-1379-4e28-be38-cf9abf4ac4f0", session)
                + "\n"
        })
        .collect()
}

const FIGURES: &str = "{session}|{today}|{burn}|{budget}";

#[test]
fn figures_agree_with_report_and_follow_appended_lines() {
    let folder = Folder::new();
    assert_eq!(folder.line(FIGURES, "off"), folder.expected());
    assert!(folder.ledger().exists(), "the ledger was not written");

    // Claude Code writes on: the next line counts, read from where the ledger left off.
    let now = Utc::now();
    append(&folder.transcript(), &lines(&[8], SESSION, now));
    append(
        &folder.transcript(),
        "{\"type\":\"assistant\",\"message\":{\"us",
    );
    assert_eq!(folder.line(FIGURES, "off"), folder.expected());

    // A corrupt ledger is ignored (and rewritten), never a wrong figure.
    std::fs::write(folder.ledger(), b"\x00garbage\xff").expect("corrupt the ledger");
    assert_eq!(folder.line(FIGURES, "off"), folder.expected());
}

#[test]
fn default_line_shows_model_session_today_burn_and_budget() {
    let folder = Folder::new();
    let out = folder.statusline(&folder.status_json(), &["--url", "off"]);
    let line = String::from_utf8(out.stdout).expect("UTF-8");
    let parts: Vec<String> = folder.expected().split('|').map(str::to_owned).collect();
    let want = format!(
        "Sonnet 4.6 · session {} · today {} · {} · {}\n",
        parts[0], parts[1], parts[2], parts[3]
    );
    assert_eq!(line, want);
}

#[test]
fn bad_input_prints_a_short_line_and_exits_zero() {
    let folder = Folder::new();
    for stdin in ["", "{not json", "[1,2,3]"] {
        let out = folder.statusline(stdin, &["--url", "off"]);
        assert!(out.status.success(), "{stdin:?}");
        assert!(out.stderr.is_empty(), "{stdin:?}");
        let line = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(
            line.starts_with("costtop: ") && line.lines().count() == 1,
            "{line:?}"
        );
    }
    // A transcript that does not exist (yet): the session has cost nothing so far.
    let missing = folder.status_json().replace(SESSION, "no-such-session");
    let out = folder.statusline(&missing, &["--url", "off", "--format", "{session}"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "$0.00\n");
    let out = folder.statusline(&folder.status_json(), &["--format", "{sesion}"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("costtop: unknown placeholder"));
}

type Shared = (Arc<Value>, Arc<Mutex<Vec<String>>>);

/// A stand-in for a running costtop's listener, serving one snapshot and noting each query.
fn listener(snapshot: Value) -> (String, Arc<Mutex<Vec<String>>>) {
    let queries = Arc::new(Mutex::new(Vec::new()));
    let state = (Arc::new(snapshot), Arc::clone(&queries));
    let std = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = std.local_addr().expect("addr");
    std.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std).expect("listener");
            let app = Router::new()
                .route(
                    "/api/v1/snapshot",
                    get(
                        |State((snap, seen)): State<Shared>, RawQuery(q): RawQuery| async move {
                            seen.lock().expect("queries").push(q.unwrap_or_default());
                            axum::Json((*snap).clone())
                        },
                    ),
                )
                .with_state(state);
            let _ = axum::serve(listener, app).await;
        });
    });
    (format!("http://{addr}"), queries)
}

#[test]
fn a_running_costtop_is_asked_first_and_its_figures_are_shown() {
    let folder = Folder::new();
    let local = folder.line(FIGURES, "off");
    // What a costtop over the same folder serves: the watch snapshot plus rows by session.
    let watch = folder
        .costtop()
        .args([
            "watch", "--once", "--window", "all", "--tz", "UTC", "--budget", "day=1",
        ])
        .output()
        .expect("watch --once");
    let mut snapshot: Value = serde_json::from_slice(&watch.stdout).expect("snapshot");
    let by_session = folder
        .costtop()
        .args(["report", "--by", "session", "--format", "json"])
        .output()
        .expect("report --by session");
    let rows: Value = serde_json::from_slice(&by_session.stdout).expect("rows");
    snapshot["rows"] = rows["rows"].clone();
    let (url, queries) = listener(snapshot.clone());
    assert_eq!(
        folder.line(FIGURES, &url),
        local,
        "listener and transcripts disagree"
    );
    assert_eq!(
        *queries.lock().expect("queries"),
        vec!["by=session".to_owned()]
    );

    // The figures shown are the listener's own.
    snapshot["spend"]["today_usd"] = 123.45.into();
    for row in snapshot["rows"].as_array_mut().expect("rows") {
        row["cost_usd"] = 6.5.into();
    }
    let (url, _) = listener(snapshot);
    let line = folder.line("{session} {today}", &url);
    assert_eq!(line, "$6.50 $123.45");

    // Nobody listening: the transcripts, at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    assert_eq!(folder.line(FIGURES, &url), local);
}
