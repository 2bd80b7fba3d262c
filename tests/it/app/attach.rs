//! `costtop attach` against a real `costtop serve`: the stream's snapshots read back into the
//! same `Snapshot` byte for byte and equal what `watch --once` prints over the same records,
//! views of its own per reader, the token refused and accepted (and never printed), and a
//! reconnect after the server restarts, and streams that end when the server stops.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use costtop::attach::{self, Link, LinkState, Target};
use costtop::outputs::watch::json_line;
use costtop::snapshot::{Snapshot, StreamView};
use serde_json::Value;
use tokio::sync::watch;

use crate::support::files::append;
use crate::support::lines::records;
use crate::support::serve::{self, DEADLINE, Server, free_port, transcripts};

/// The `data` of the first `snapshot` event of `path` (a raw reader: no costtop code).
async fn first_event(server: &Server, path: &str, token: Option<&str>) -> (u16, String) {
    event_where(server, path, token, |_| true).await
}

/// The `data` of the first `snapshot` event of `path` that `done` accepts: a new reader gets
/// the snapshot last published, which may be a publish (≤ 100 ms) behind `/api/v1/snapshot`.
async fn event_where(
    server: &Server,
    path: &str,
    token: Option<&str>,
    done: impl Fn(&Value) -> bool,
) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", server.addr));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let mut response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    if status != 200 {
        return (status, response.text().await.unwrap_or_default());
    }
    let mut text = String::new();
    loop {
        let chunk = tokio::time::timeout(DEADLINE, response.chunk())
            .await
            .expect("an event in time")
            .expect("the stream reads")
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        // Whole events only: the text after the last blank line is kept for the next chunk.
        let Some(end) = text.rfind("\n\n") else {
            continue;
        };
        let whole: String = text.drain(..end + 2).collect();
        for event in whole.split("\n\n") {
            if !event.starts_with("event: snapshot") {
                continue;
            }
            let data = event.lines().find_map(|l| l.strip_prefix("data: "));
            let data = data.expect("a data line").to_owned();
            if done(&serde_json::from_str(&data).expect("JSON")) {
                return (status, data);
            }
        }
    }
}

/// A client like `costtop attach`'s: its snapshots and link, stopped when dropped.
struct Attached {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    link: watch::Receiver<Link>,
    _views: watch::Sender<StreamView>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn attach_to(target: Target) -> Attached {
    let view = StreamView::default();
    let first = attach::open(&target, &view).await;
    assert_eq!(first.refusal(), None);
    let (snap_tx, snapshots) = watch::channel(Arc::new(Snapshot::default()));
    let (link_tx, link) = watch::channel(Link::connecting(target.server()));
    let (views, view_rx) = watch::channel(view);
    let task = tokio::spawn(attach::run(target, first, view_rx, snap_tx, link_tx));
    Attached {
        snapshots,
        link,
        _views: views,
        task,
    }
}

impl Attached {
    async fn wait(&mut self, what: &str, done: impl Fn(&Snapshot, &Link) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if done(&self.snapshots.borrow(), &self.link.borrow()) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let changed = tokio::time::timeout(left, async {
                tokio::select! {
                    r = self.snapshots.changed() => r.is_ok(),
                    r = self.link.changed() => r.is_ok(),
                }
            });
            assert!(
                changed.await.unwrap_or(false),
                "{what}: link {:?}, {} requests",
                self.link.borrow(),
                self.snapshots.borrow().totals.requests
            );
        }
    }
}

fn url(server: &Server) -> String {
    format!("http://{}", server.addr)
}

/// The snapshot without what changes with the moment it was taken, and without the OTLP
/// receiver that `serve` has and `watch --once` has not.
fn timeless(mut v: Value) -> Value {
    let o = v.as_object_mut().expect("an object");
    o.remove("as_of");
    o["window"].as_object_mut().expect("window").remove("end");
    o["sources"]
        .as_array_mut()
        .expect("sources")
        .retain(|s| s["name"] != "otlp");
    v
}

/// Where two JSON values differ, as `path: left ≠ right` lines.
fn differences(left: &Value, right: &Value, path: &str) -> Vec<String> {
    match (left, right) {
        (Value::Object(lhs), Value::Object(rhs)) => {
            let mut keys: Vec<&String> = lhs.keys().chain(rhs.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .flat_map(|key| match (lhs.get(key), rhs.get(key)) {
                    (Some(l), Some(r)) => differences(l, r, &format!("{path}/{key}")),
                    (l, r) => vec![format!("{path}/{key}: {l:?} ≠ {r:?}")],
                })
                .collect()
        }
        (Value::Array(lhs), Value::Array(rhs)) if lhs.len() == rhs.len() => lhs
            .iter()
            .zip(rhs)
            .enumerate()
            .flat_map(|(i, (l, r))| differences(l, r, &format!("{path}[{i}]")))
            .collect(),
        _ if left == right => Vec::new(),
        _ => vec![format!("{path}: {left} ≠ {right}")],
    }
}

fn watch_once(dir: &Path) -> Value {
    let out = serve::costtop(dir)
        .arg("watch")
        .arg(dir)
        .args(["--once", "--window", "all", "--since", "2000-01-01"])
        .output()
        .expect("run watch");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

#[tokio::test(flavor = "multi_thread")]
async fn streamed_snapshots_read_back_exactly_and_equal_watch_once() {
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &records(0..40));
    let server = Server::serve(&[dir.to_str().expect("utf-8")]);
    server.wait_snapshot("all read", |s| s["totals"]["requests"] == 40);
    let (status, raw) = event_where(&server, "/api/v1/stream", None, |s| {
        s["totals"]["requests"] == 40
    })
    .await;
    assert_eq!(status, 200, "{raw}");
    // The contract reads back into the same Snapshot and writes out byte for byte.
    let snap: Snapshot = serde_json::from_str(&raw).expect("a Snapshot");
    assert_eq!(json_line(&snap), raw);
    assert_eq!(snap.totals.requests, 40);
    assert!(snap.by_model.iter().all(|m| !m.model.is_empty()));

    let mut attached = attach_to(Target::new(&url(&server), None).unwrap()).await;
    attached
        .wait("the client's first snapshot", |s, l| {
            s.totals.requests == 40 && l.state == LinkState::Live
        })
        .await;
    let got = json_line(&attached.snapshots.borrow());
    let got = timeless(serde_json::from_str(&got).unwrap());
    let sent = timeless(serde_json::from_str(&raw).unwrap());
    assert_eq!(differences(&got, &sent, ""), Vec::<String>::new());
    // `watch` over the same records prints the same figures.
    let once = timeless(watch_once(&dir));
    assert_eq!(differences(&got, &once, ""), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn each_reader_gets_the_view_it_asks_for() {
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &records(0..10));
    let server = Server::serve(&[dir.to_str().expect("utf-8")]);
    server.wait_snapshot("all read", |s| s["totals"]["requests"] == 10);
    let (_, all) = event_where(&server, "/api/v1/stream", None, |s| {
        s["totals"]["requests"] == 10
    })
    .await;
    let (_, recent) = first_event(&server, "/api/v1/stream?window=15m", None).await;
    let (_, by_model) = first_event(&server, "/api/v1/stream?window=all&by=model", None).await;
    let all: Value = serde_json::from_str(&all).unwrap();
    let recent: Value = serde_json::from_str(&recent).unwrap();
    let by_model: Value = serde_json::from_str(&by_model).unwrap();
    assert_eq!(all["window"]["name"], "all");
    assert_eq!(all["totals"]["requests"], 10);
    // The records are months old: none in the last 15 minutes.
    assert_eq!(recent["window"]["name"], "15m");
    assert_eq!(recent["totals"]["requests"], 0);
    assert!(all.get("rows").is_none());
    let rows = by_model["rows"].as_array().expect("rows with ?by=");
    let summed: u64 = rows.iter().map(|r| r["requests"].as_u64().unwrap()).sum();
    assert_eq!(summed, 10);
    // The server's own view did not change.
    assert_eq!(server.snapshot()["window"]["name"], "all");
    let (status, text) = first_event(&server, "/api/v1/stream?window=year", None).await;
    assert_eq!(status, 400);
    assert!(text.contains("unknown window"), "{text}");
    let (status, _) = first_event(&server, "/api/v1/stream?by=colour", None).await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_refused_or_accepted_and_never_printed() {
    let secret = "s3cret-attach-token";
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token");
    std::fs::write(&token_file, format!("{secret}\n")).unwrap();
    let wrong_file = home.path().join("wrong");
    std::fs::write(&wrong_file, "not-the-token\n").unwrap();
    let server = Server::serve(&["--listen-token-file", token_file.to_str().unwrap()]);

    let (status, _) = first_event(&server, "/api/v1/stream", None).await;
    assert_eq!(status, 401);
    let (status, _) = first_event(&server, "/api/v1/stream", Some(secret)).await;
    assert_eq!(status, 200);
    for token in [None, Some("not-the-token")] {
        let target = Target::new(&url(&server), token).unwrap();
        let opened = attach::open(&target, &StreamView::default()).await;
        let refusal = opened.refusal().expect("refused");
        assert!(refusal.contains("401"), "{refusal}");
        assert!(!format!("{target:?}").contains("not-the-token"));
    }
    let mut attached = attach_to(Target::new(&url(&server), Some(secret)).unwrap()).await;
    attached
        .wait("accepted", |_, l| l.state == LinkState::Live)
        .await;

    // The command stops before taking the screen, and says why without the token.
    for (args, env) in [
        (vec!["--token-file", wrong_file.to_str().unwrap()], None),
        (vec![], Some("not-the-token")),
    ] {
        let mut cmd = serve::costtop(home.path());
        cmd.arg("attach").arg(url(&server)).args(&args);
        match env {
            Some(t) => cmd.env("COSTTOP_TOKEN", t),
            None => cmd.env_remove("COSTTOP_TOKEN"),
        };
        let out = cmd.output().expect("run attach");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains("401") && stderr.contains("token"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("not-the-token") && !stderr.contains(secret),
            "{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_server_is_reattached_and_the_last_snapshot_stays_meanwhile() {
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &records(0..10));
    let addr = format!("127.0.0.1:{}", free_port());
    let start = |dir: &Path| {
        Server::start(&[
            "serve",
            "--listen",
            &addr,
            dir.to_str().expect("utf-8"),
            "--window",
            "all",
            "--since",
            "2000-01-01",
        ])
        .expect("serve starts")
    };
    let server = start(&dir);
    server.wait_snapshot("all read", |s| s["totals"]["requests"] == 10);
    let mut attached = attach_to(Target::new(&url(&server), None).unwrap()).await;
    attached
        .wait("live", |s, l| {
            s.totals.requests == 10 && l.state == LinkState::Live
        })
        .await;

    let status = server.terminate();
    assert!(status.success());
    attached
        .wait("lost", |_, l| matches!(l.state, LinkState::Lost { .. }))
        .await;
    // The screen keeps the last snapshot, marked stale by the link.
    assert_eq!(attached.snapshots.borrow().totals.requests, 10);
    assert!(attached.link.borrow().is_stale());
    tokio::time::sleep(Duration::from_millis(300)).await;

    append(&dir.join("session.jsonl"), &records(10..25));
    let server = start(&dir);
    attached
        .wait("back", |s, l| {
            s.totals.requests == 25 && l.state == LinkState::Live
        })
        .await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopping_server_ends_its_streams_cleanly_instead_of_cutting_them() {
    let server = Server::serve(&[]);
    let mut response = reqwest::get(format!("http://{}/api/v1/stream", server.addr))
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 200);
    let first = tokio::time::timeout(DEADLINE, response.chunk()).await;
    assert!(matches!(first, Ok(Ok(Some(_)))), "the first snapshot");
    let stopped = tokio::task::spawn_blocking(move || server.terminate());
    // The body ends (its last chunk sent) rather than breaking off when the connection goes.
    let end = tokio::time::timeout(DEADLINE, async {
        loop {
            match response.chunk().await {
                Ok(Some(_)) => {}
                Ok(None) => return Ok(()),
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await
    .expect("the stream ends");
    assert_eq!(end, Ok(()));
    assert!(stopped.await.unwrap().success());
}
