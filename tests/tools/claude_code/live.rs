//! `costtop watch`, started first, sees each request of a running, real Claude Code within a
//! second of the request's transcript line being written.
//!
//! How "within a second" is checked without a flaky timer: the mock holds each conversation
//! request until the test releases it, so Claude Code writes one request's line and then waits.
//! The test notes the transcript file's modification time once the line is there (the kernel's
//! stamp of the write, not when the test looked), then reads `watch`'s snapshot lines in order
//! and takes the first whose totals equal exactly what the transcripts hold now. Its `as_of`
//! (costtop's clock when it took that snapshot) minus the write's stamp is how late costtop
//! saw the line, measured by the same wall clock on both sides, whatever the test's own pace:
//! the test asserts it is at most one second. (Claude Code may write one more line, its
//! tool-result turn, just after the assistant line and before the next request; the stamp is
//! then that later write's, a few milliseconds at most.)

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::support::claude_code::{
    self, ClaudeHome, MockApi, MockOptions, START_SUBAGENT, Served, expected_totals, ids, install,
};
use crate::support::costtop;

/// The promise under test.
const WITHIN: Duration = Duration::from_secs(1);
/// Longest the test waits for anything before failing (not an assertion about speed).
const PATIENCE: Duration = Duration::from_secs(60);
/// How long a request released may stay unwritten before the test notes it as never written
/// (and fails at the end if the transcripts hold it after all).
const GIVE_UP: Duration = Duration::from_secs(15);

#[test]
fn watch_sees_each_request_of_a_running_claude_code_within_a_second_of_its_line() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions { hold: true });
    let home = ClaudeHome::new();
    let watch = Watch::start(&home.projects());
    let first = watch.next();
    assert_eq!(first["totals"]["requests"], 0, "the folder starts empty");

    let prompt = format!("Survey this folder with a sub-agent. {START_SUBAGENT}");
    let mut child = home.spawn_print(&claude, &mock, &prompt, &[]);
    let mut released = 0;
    let mut seen = Vec::new();
    while let Some(request) = next_held(&mock, &mut child, released) {
        mock.release(1);
        released += 1;
        let Some(written) = wait_written(&home, &request, &mut child) else {
            eprintln!(
                "#{} {} was not written down",
                request.seq, request.request_id
            );
            continue;
        };
        let expected = expected_totals(&home.held(&mock.served()));
        let snap = watch.first_matching(&expected);
        let as_of: DateTime<Utc> = snap["as_of"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("as_of");
        let late = (as_of - written).to_std().unwrap_or_default();
        eprintln!(
            "#{} {:?}: seen {late:?} after its line",
            request.seq, request.purpose
        );
        seen.push((request, late));
    }
    let out = claude_code::home::finish(child, PATIENCE);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let held = home.held(&mock.served());
    assert!(
        held.len() >= 3 && seen.len() == held.len(),
        "prompt, sub-agent and follow-up should each have been seen: held {:?}, seen {:?}",
        ids(&held),
        seen.iter().map(|(s, d)| (s.seq, *d)).collect::<Vec<_>>()
    );
    for (request, late) in &seen {
        assert!(
            *late <= WITHIN,
            "#{} {} reached watch {late:?} after its transcript line",
            request.seq,
            request.request_id
        );
    }
}

/// The next conversation request the mock holds (beyond the `released` first ones), or `None`
/// once Claude Code has exited without making one.
fn next_held(mock: &MockApi, child: &mut Child, released: usize) -> Option<Served> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let conversation: Vec<Served> = mock
            .served()
            .into_iter()
            .filter(|s| s.purpose.is_conversation())
            .collect();
        if let Some(next) = conversation.get(released) {
            return Some(next.clone());
        }
        if child.try_wait().expect("poll claude").is_some() {
            return None;
        }
        assert!(
            Instant::now() < deadline,
            "Claude Code made no request for {PATIENCE:?}: {:?}",
            ids(&mock.served())
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// When the transcript line of `request` was written: the modification time of the file that
/// holds its id, read as soon as it does. `None` if Claude Code exited, or went on for
/// [`GIVE_UP`], without writing it anywhere (it may write a line only after its next request
/// has gone out, so that alone does not count).
fn wait_written(home: &ClaudeHome, request: &Served, child: &mut Child) -> Option<DateTime<Utc>> {
    let quoted = format!("\"{}\"", request.request_id);
    let deadline = Instant::now() + GIVE_UP;
    loop {
        let exited = child.try_wait().expect("poll claude").is_some();
        if let Some(file) = home.transcripts().into_iter().find(|p| holds(p, &quoted)) {
            let modified = std::fs::metadata(&file)
                .and_then(|m| m.modified())
                .expect("mtime");
            return Some(modified.into());
        }
        if exited || Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn holds(path: &Path, quoted: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains(quoted))
}

/// `costtop watch DIR --interval 200ms --window all`, its snapshot lines on a channel.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    dir: PathBuf,
}

impl Watch {
    fn start(dir: &Path) -> Watch {
        let mut child = costtop()
            .arg("watch")
            .arg(dir)
            .args(["--interval", "200ms", "--window", "all"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start costtop watch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines,
            dir: dir.to_path_buf(),
        }
    }

    fn next(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no snapshot from watch {}: {e}", self.dir.display()));
        serde_json::from_str(&line).expect("a JSON snapshot")
    }

    /// The first snapshot from now on whose totals are `expected`.
    fn first_matching(&self, expected: &Value) -> Value {
        let deadline = Instant::now() + PATIENCE;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            let snap = self.next();
            if snap["totals"] == *expected {
                return snap;
            }
            last = snap["totals"].clone();
        }
        panic!("watch never showed {expected}; last totals {last}");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
