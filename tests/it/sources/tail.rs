//! The live source against real files: appends, partial lines, rotation, truncation, new and
//! deleted files, unreadable paths. Every test line has its own key and output-token count,
//! so the received outputs are the exact multiset of lines read.

// `expect(&[0..5])` lists ranges of line numbers; one range is a normal case.
#![allow(clippy::single_range_in_vec_init)]

use std::fs::{self, OpenOptions};
use std::path::Path;
use std::time::Duration;

use costtop::sources::{Source, SourceKind, TailOptions, discover, spawn_tail};
use costtop::usage::{SourceMsg, SourceState};
use tokio::sync::mpsc::{Receiver, channel};

use crate::support::files::append;
use crate::support::lines::{line, lines};
use crate::support::source::{Received, expect};

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(600);

fn start(sources: Vec<Source>) -> (Receiver<SourceMsg>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = channel(16);
    let opts = TailOptions {
        poll_interval: Duration::from_millis(250),
        ..TailOptions::default()
    };
    (rx, spawn_tail(sources, tx, opts))
}

fn sources_of(path: &Path) -> Vec<Source> {
    let found = discover(&[path.display().to_string()]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    found.sources
}

async fn wait_for(got: &mut Received, rx: &mut Receiver<SourceMsg>, want: &[u64]) {
    let ok = got.until(rx, WAIT, |g| g.outputs() == want).await;
    assert!(
        ok,
        "expected {} events, got {:?}",
        want.len(),
        got.outputs()
    );
}

#[tokio::test]
async fn appends_in_bursts_and_a_line_written_in_halves_are_read_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("app.jsonl");
    fs::write(&file, lines(0..10)).expect("write");
    let (mut rx, _task) = start(sources_of(tmp.path()));
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..10])).await;
    assert!(got.until(&mut rx, WAIT, |g| !g.caught_up.is_empty()).await);
    assert_eq!(got.caught_up, [tmp.path().display().to_string()]);

    for burst in 1..6 {
        append(&file, &lines(burst * 20..burst * 20 + 20));
    }
    wait_for(&mut got, &mut rx, &expect(&[0..10, 20..120])).await;

    let whole = line(500) + "\n";
    let (first, second) = whole.split_at(whole.len() / 2);
    append(&file, first);
    got.settle(&mut rx, QUIET).await;
    assert_eq!(
        got.outputs(),
        expect(&[0..10, 20..120]),
        "half a line was parsed"
    );
    append(&file, second);
    wait_for(&mut got, &mut rx, &expect(&[0..10, 20..120, 500..501])).await;
    got.settle(&mut rx, QUIET).await;
    assert_eq!(got.outputs(), expect(&[0..10, 20..120, 500..501]));
    got.assert_keys_unique();
    let health = &got.health[&tmp.path().display().to_string()];
    assert_eq!(
        (health.state.clone(), health.lines, health.files),
        (SourceState::Ok, 111, 1)
    );
}

#[tokio::test]
async fn rename_rotation_right_after_an_append_loses_and_repeats_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("app.jsonl");
    fs::write(&file, lines(0..5)).expect("write");
    let (mut rx, _task) = start(sources_of(&file));
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..5])).await;

    append(&file, &lines(5..40));
    fs::rename(&file, tmp.path().join("app.jsonl.1")).expect("rename");
    fs::write(&file, lines(100..110)).expect("new file");
    wait_for(&mut got, &mut rx, &expect(&[0..40, 100..110])).await;
    append(&file, &lines(110..115));
    wait_for(&mut got, &mut rx, &expect(&[0..40, 100..115])).await;
    got.settle(&mut rx, QUIET).await;
    assert_eq!(got.outputs(), expect(&[0..40, 100..115]));
    got.assert_keys_unique();
}

#[tokio::test]
async fn copytruncate_restarts_at_zero_without_rereading() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("app.jsonl");
    fs::write(&file, lines(0..10)).expect("write");
    let (mut rx, _task) = start(sources_of(tmp.path()));
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..10])).await;

    fs::copy(&file, tmp.path().join("app.jsonl.1")).expect("copy");
    OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open")
        .set_len(0)
        .expect("truncate");
    got.settle(&mut rx, QUIET).await;
    append(&file, &lines(200..205));
    wait_for(&mut got, &mut rx, &expect(&[0..10, 200..205])).await;
    got.settle(&mut rx, QUIET).await;
    assert_eq!(got.outputs(), expect(&[0..10, 200..205]));
    got.assert_keys_unique();
}

#[tokio::test]
async fn file_in_a_new_subfolder_is_found_and_a_deleted_file_dropped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let old = tmp.path().join("a.jsonl");
    fs::write(&old, lines(0..3)).expect("write");
    let name = tmp.path().display().to_string();
    let (mut rx, _task) = start(sources_of(tmp.path()));
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..3])).await;

    let sub = tmp.path().join("session/subagents");
    fs::create_dir_all(&sub).expect("mkdir");
    let new = sub.join("agent-1.jsonl");
    append(&new, &lines(300..305));
    wait_for(&mut got, &mut rx, &expect(&[0..3, 300..305])).await;

    fs::remove_file(&old).expect("delete");
    let dropped = got
        .until(&mut rx, WAIT, |g| {
            g.health.get(&name).is_some_and(|h| h.files == 1)
        })
        .await;
    assert!(
        dropped,
        "deleted file still followed: {:?}",
        got.health.get(&name)
    );
    append(&new, &lines(305..307));
    wait_for(&mut got, &mut rx, &expect(&[0..3, 300..307])).await;
    got.settle(&mut rx, QUIET).await;
    assert_eq!(got.outputs(), expect(&[0..3, 300..307]));
    got.assert_keys_unique();
    assert_eq!(got.health[&name].state, SourceState::Ok);
}

#[tokio::test]
async fn unreadable_path_is_an_error_naming_it_until_it_opens() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("x.jsonl");
    fs::create_dir(&bad).expect("mkdir");
    let good_dir = tmp.path().join("good");
    fs::create_dir(&good_dir).expect("mkdir");
    let good = good_dir.join("g.jsonl");
    fs::write(&good, lines(0..2)).expect("write");
    let bad_name = bad.display().to_string();
    let mut sources = sources_of(&good_dir);
    sources.push(Source {
        name: bad_name.clone(),
        kind: SourceKind::File,
        files: vec![bad.clone()],
    });
    let (mut rx, _task) = start(sources);
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..2])).await;
    let failing = got
        .until(&mut rx, WAIT, |g| {
            g.health
                .get(&bad_name)
                .is_some_and(|h| matches!(&h.state, SourceState::Error(r) if r.contains(&bad_name)))
        })
        .await;
    assert!(
        failing,
        "no error naming the path: {:?}",
        got.health.get(&bad_name)
    );

    append(&good, &lines(2..4));
    wait_for(&mut got, &mut rx, &expect(&[0..4])).await;

    fs::remove_dir(&bad).expect("rmdir");
    fs::write(&bad, lines(50..52)).expect("write");
    wait_for(&mut got, &mut rx, &expect(&[0..4, 50..52])).await;
    let recovered = got
        .until(&mut rx, WAIT, |g| {
            g.health
                .get(&bad_name)
                .is_some_and(|h| h.state == SourceState::Ok)
        })
        .await;
    assert!(recovered, "{:?}", got.health.get(&bad_name));
    got.assert_keys_unique();
}

#[tokio::test]
async fn follower_stops_when_the_receiver_is_dropped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("a.jsonl"), lines(0..3)).expect("write");
    let (mut rx, task) = start(sources_of(tmp.path()));
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..3])).await;
    drop(rx);
    tokio::time::timeout(WAIT, task)
        .await
        .expect("the task ends")
        .expect("no panic");
}

#[tokio::test]
async fn a_followed_folder_deleted_and_recreated_is_shown_down_then_followed_again() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("projects");
    fs::create_dir(&root).expect("mkdir");
    fs::write(root.join("a.jsonl"), lines(0..10)).expect("write");
    // Polling is slow: only the notifications (the folder watched again once it is back,
    // its parent meanwhile) can make this test finish in time.
    let (tx, mut rx) = channel(16);
    let opts = TailOptions {
        poll_interval: Duration::from_secs(3600),
        ..TailOptions::default()
    };
    let _task = spawn_tail(sources_of(&root), tx, opts);
    let name = root.display().to_string();
    let mut got = Received::default();
    wait_for(&mut got, &mut rx, &expect(&[0..10])).await;

    fs::remove_dir_all(&root).expect("rm -rf");
    let down = got
        .until(&mut rx, WAIT, |g| {
            g.health
                .get(&name)
                .is_some_and(|h| matches!(&h.state, SourceState::Error(r) if r.contains("no such")))
        })
        .await;
    assert!(down, "{:?}", got.health.get(&name));

    fs::create_dir(&root).expect("mkdir again");
    fs::write(root.join("a.jsonl"), lines(10..20)).expect("write");
    fs::create_dir(root.join("sub")).expect("mkdir sub");
    fs::write(root.join("sub").join("b.jsonl"), lines(20..25)).expect("write");
    wait_for(&mut got, &mut rx, &expect(&[0..25])).await;
    append(&root.join("a.jsonl"), &lines(25..30));
    wait_for(&mut got, &mut rx, &expect(&[0..30])).await;
    let up = got
        .until(&mut rx, WAIT, |g| {
            g.health
                .get(&name)
                .is_some_and(|h| h.state == SourceState::Ok && h.files == 2)
        })
        .await;
    assert!(up, "{:?}", got.health.get(&name));
    got.assert_keys_unique();
}
