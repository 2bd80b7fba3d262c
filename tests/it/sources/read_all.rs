//! One-shot reading (`costtop report`): every file, in parallel, each line once.

// `expect(&[0..5])` lists ranges of line numbers; one range is a normal case.
#![allow(clippy::single_range_in_vec_init)]

use std::fs;

use costtop::sources::{ReadOptions, Source, SourceKind, discover, read_all};
use costtop::usage::SourceState;

use crate::support::lines::{line, lines};
use crate::support::source::{Received, expect};

#[tokio::test]
async fn every_line_of_every_file_is_read_once_with_health_per_source() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    fs::create_dir_all(dir.join("p1/s1/subagents")).expect("mkdir");
    fs::write(dir.join("p1/a.jsonl"), lines(0..3000)).expect("write");
    fs::write(dir.join("p1/s1/subagents/agent.jsonl"), lines(3000..3010)).expect("write");
    fs::write(dir.join("p1/s1/subagents/journal.jsonl"), lines(9000..9005)).expect("write");
    // A broken line (the first error) and a last line without newline.
    let b = format!("{}{{\"usage\": broken\n{}", lines(4000..4002), line(4002));
    fs::write(dir.join("b.jsonl"), b).expect("write");
    let single = tmp.path().join("single.jsonl");
    fs::write(&single, lines(5000..5001)).expect("write");

    let found = discover(&[dir.display().to_string(), single.display().to_string()]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let sources = found.sources.clone();
    let reading = tokio::task::spawn_blocking(move || {
        read_all(
            &sources,
            tx,
            ReadOptions {
                threads: Some(3),
                ..ReadOptions::default()
            },
        )
    });
    let got = Received::all(&mut rx).await;
    let summary = reading.await.expect("join");

    assert_eq!(got.outputs(), expect(&[0..3010, 4000..4003, 5000..5001]));
    got.assert_keys_unique();
    assert_eq!((summary.files_read, summary.files_failed), (4, 0));
    assert_eq!(summary.lines, 3000 + 10 + 4 + 1);
    let health = &got.health[&dir.display().to_string()];
    assert_eq!(health.state, SourceState::Done);
    assert_eq!(
        (health.lines, health.parse_errors, health.files),
        (3014, 1, 3)
    );
    let first = health.first_error.as_deref().expect("first error");
    assert!(
        first.starts_with(&format!("{}:3: ", dir.join("b.jsonl").display())),
        "{first}"
    );
    assert!(health.last_event.is_some());
    assert_eq!(got.health[&single.display().to_string()].lines, 1);
}

#[tokio::test]
async fn unreadable_file_is_an_error_naming_it_and_others_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("x.jsonl");
    fs::create_dir(&bad).expect("mkdir");
    let good = tmp.path().join("good.jsonl");
    fs::write(&good, lines(0..5)).expect("write");
    let sources = vec![
        Source {
            name: bad.display().to_string(),
            kind: SourceKind::File,
            files: vec![bad.clone()],
        },
        Source {
            name: "good".into(),
            kind: SourceKind::File,
            files: vec![good],
        },
    ];
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let reading =
        tokio::task::spawn_blocking(move || read_all(&sources, tx, ReadOptions::default()));
    let got = Received::all(&mut rx).await;
    let summary = reading.await.expect("join");
    assert_eq!(got.outputs(), expect(&[0..5]));
    assert_eq!((summary.files_read, summary.files_failed), (1, 1));
    let health = &got.health[&bad.display().to_string()];
    let SourceState::Error(reason) = &health.state else {
        panic!("expected an error state, got {:?}", health.state);
    };
    assert!(reason.contains(&bad.display().to_string()), "{reason}");
    assert_eq!(health.parse_errors, 1);
    assert_eq!(got.health["good"].state, SourceState::Done);
}
