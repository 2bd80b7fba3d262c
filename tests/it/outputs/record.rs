//! `--record` on a disk that cannot take the records: a full one (the path points at
//! `/dev/full`, where every write fails with "No space left on device") and a missing folder.
//! Monitoring goes on, the error shows as the recorder's health, and once the path can be
//! written again every record is in the file exactly once.

use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use costtop::aggregate::AggregatorHandle;
use costtop::outputs::record::spawn_recorder_retrying;
use costtop::parse::{LineContext, Parsed, parse_line};
use costtop::snapshot::SourceStatus;
use costtop::usage::{SourceMsg, UsageEvent, dedupe_key};
use tokio::sync::mpsc;

use crate::support::faults::{aggregator, usage, wait_for_source};

fn event(n: u64) -> UsageEvent {
    let key = dedupe_key(&[b"app", n.to_string().as_bytes()]);
    usage("claude-haiku-4-5", 100 + n, 7, Utc::now(), Some(key))
}

async fn send(tx: &mpsc::Sender<SourceMsg>, range: std::ops::Range<u64>) {
    tx.send(SourceMsg::Events(range.map(event).collect()))
        .await
        .expect("recorder alive");
}

async fn recorder_health(
    handle: &AggregatorHandle,
    done: impl Fn(&SourceStatus) -> bool,
) -> SourceStatus {
    wait_for_source(handle, "record ", done).await
}

/// The records in the file, as (input tokens) sorted, each line parsed back.
fn recorded(path: &Path) -> Vec<u64> {
    let ctx = LineContext {
        fallback_time: Utc.timestamp_opt(0, 0).unwrap(),
        path: "",
    };
    let text = std::fs::read_to_string(path).expect("recording");
    let mut inputs: Vec<u64> = text
        .lines()
        .map(|line| match parse_line(line.as_bytes(), &ctx) {
            Parsed::Usage(e) => e.tokens.input,
            other => panic!("not a record: {line:?} → {other:?}"),
        })
        .collect();
    inputs.sort_unstable();
    inputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_shown_and_recording_resumes_with_nothing_lost() {
    assert!(Path::new("/dev/full").exists(), "this test needs /dev/full");
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("rec.jsonl");
    std::os::unix::fs::symlink("/dev/full", &path).expect("symlink");
    let handle = aggregator();
    let tx = spawn_recorder_retrying(&path, handle.source_sender(), Duration::from_millis(100));

    send(&tx, 0..50).await;
    let s = recorder_health(&handle, |s| s.state == "error").await;
    let reason = s.reason.expect("reason");
    assert!(reason.contains("No space left on device"), "{reason}");
    assert!(reason.contains("50 records waiting"), "{reason}");
    // Monitoring went on.
    send(&tx, 50..60).await;
    // The recorder passes records on as it gets them; they reach the aggregator in a moment.
    let mut counted = 0;
    for _ in 0..100 {
        counted = handle
            .snapshot_now(None)
            .await
            .expect("alive")
            .totals
            .requests;
        if counted == 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(counted, 60);

    // Room again: the path is a plain file now.
    std::fs::remove_file(&path).expect("unlink");
    let s = recorder_health(&handle, |s| s.state == "ok" && s.lines == 60).await;
    assert_eq!(s.parse_errors, 0);
    send(&tx, 60..70).await;
    recorder_health(&handle, |s| s.lines == 70).await;
    assert_eq!(recorded(&path), (100..170).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_folder_is_shown_and_recording_starts_once_it_exists() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("not-yet");
    let path = dir.join("rec.jsonl");
    let handle = aggregator();
    let tx = spawn_recorder_retrying(&path, handle.source_sender(), Duration::from_millis(100));
    send(&tx, 0..5).await;
    let s = recorder_health(&handle, |s| s.state == "error").await;
    assert!(
        s.reason
            .as_deref()
            .is_some_and(|r| r.contains("No such file")),
        "{s:?}"
    );
    std::fs::create_dir(&dir).expect("mkdir");
    recorder_health(&handle, |s| s.state == "ok" && s.lines == 5).await;
    assert_eq!(recorded(&path), (100..105).collect::<Vec<_>>());
}
