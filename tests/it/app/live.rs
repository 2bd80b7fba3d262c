//! The live pipeline end to end: a real tail over a temp folder feeds a real aggregator while
//! files grow, rotate, truncate, appear and vanish. Once the writes settle, the live snapshot
//! must equal what the one-shot report path computes over the same records.

use std::fs::{self, OpenOptions};
use std::time::Duration;

use crate::support::files::append;
use crate::support::lines::{Chunk, cc_line, record, records};
use crate::support::live::{Ledger, Pipeline, assert_live_equals_report};

#[tokio::test]
async fn bursts_and_a_line_in_two_halves_match_the_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("session.jsonl");
    let mut ledger = Ledger::default();
    append(&file, &records(0..50));
    ledger.wrote_records(0..50);

    let live = Pipeline::follow(&dir).await;
    live.wait_counted(&ledger, "history").await;

    for burst in 0..8 {
        let from = 100 + burst * 40;
        append(&file, &records(from..from + 40));
        ledger.wrote_records(from..from + 40);
    }
    live.wait_counted(&ledger, "eight bursts").await;

    let whole = cc_line(record(1000));
    let (first, second) = whole.split_at(whole.len() / 2);
    append(&file, first);
    // The tail wakes on the write; give it time to (wrongly) parse half a line.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (requests, _) = ledger.expected();
    let snap = live.now().await;
    assert_eq!(snap.totals.requests, requests, "half a line was counted");
    append(&file, second);
    ledger.wrote_records(1000..1001);
    live.wait_counted(&ledger, "the second half").await;

    assert_live_equals_report(&live, &ledger, &[dir]).await;
}

#[tokio::test]
async fn streamed_duplicates_arriving_after_the_count_replace_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    fs::create_dir_all(dir.join("p2")).expect("mkdir");
    let main = dir.join("main.jsonl");
    let other = dir.join("p2/other.jsonl");
    let mut ledger = Ledger::default();
    append(&main, &records(0..20));
    ledger.wrote_records(0..20);
    let live = Pipeline::follow(&dir).await;
    live.wait_counted(&ledger, "history").await;

    // Response 500..510: placeholder chunks first, counted on their own…
    let early: Vec<Chunk> = (500..510)
        .map(|n| Chunk {
            n,
            output: 1,
            last: false,
        })
        .collect();
    append(
        &main,
        &early.iter().map(|&c| cc_line(c)).collect::<String>(),
    );
    ledger.wrote(early);
    let snap = live.wait_counted(&ledger, "the placeholder chunks").await;
    assert_eq!(snap.totals.requests, 30);

    // …then growing chunks, some in another file, and the final ones.
    for (step, output) in [(0, 40), (1, 180)] {
        let growing: Vec<Chunk> = (500..510)
            .map(|n| Chunk {
                n,
                output: output + n % 3,
                last: false,
            })
            .collect();
        let target = if step == 0 { &main } else { &other };
        append(
            target,
            &growing.iter().map(|&c| cc_line(c)).collect::<String>(),
        );
        ledger.wrote(growing);
        live.wait_counted(&ledger, "a growing chunk").await;
    }
    let finals: Vec<Chunk> = (500..510).map(record).collect();
    append(
        &main,
        &finals.iter().map(|&c| cc_line(c)).collect::<String>(),
    );
    ledger.wrote(finals);
    // A stale smaller copy after the final one changes nothing.
    let stale = Chunk {
        n: 503,
        output: 2,
        last: false,
    };
    append(&other, &cc_line(stale));
    ledger.wrote([stale]);
    let snap = live.wait_counted(&ledger, "the final chunks").await;
    assert_eq!(
        snap.totals.requests, 30,
        "a streamed response counted twice"
    );

    assert_live_equals_report(&live, &ledger, &[dir]).await;
}

#[tokio::test]
async fn rename_rotation_and_copytruncate_lose_and_repeat_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("logs");
    let archive = tmp.path().join("archive");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::create_dir_all(&archive).expect("mkdir");
    let app = dir.join("app.jsonl");
    let mut ledger = Ledger::default();
    append(&app, &records(0..30));
    ledger.wrote_records(0..30);
    let live = Pipeline::follow(&dir).await;
    live.wait_counted(&ledger, "history").await;

    // Rename rotation right after an append: the appended lines are read from the renamed
    // file (still in the folder as app.1.jsonl) and not read again under its new name.
    append(&app, &records(30..90));
    ledger.wrote_records(30..90);
    fs::rename(&app, dir.join("app.1.jsonl")).expect("rotate");
    append(&app, &records(100..130));
    ledger.wrote_records(100..130);
    live.wait_counted(&ledger, "rotation").await;
    append(&app, &records(130..140));
    ledger.wrote_records(130..140);
    live.wait_counted(&ledger, "appends to the new file").await;

    // copytruncate: the copy goes where the report reads but the tail does not.
    fs::copy(&app, archive.join("app.2.jsonl")).expect("copy");
    OpenOptions::new()
        .write(true)
        .open(&app)
        .expect("open")
        .set_len(0)
        .expect("truncate");
    live.wait_for("the truncation to be seen", |s| {
        s.sources.iter().all(|h| h.state == "ok")
    })
    .await;
    // Shorter than what was there, so only the truncation tells where to read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    append(&app, &records(200..205));
    ledger.wrote_records(200..205);
    live.wait_counted(&ledger, "appends after copytruncate")
        .await;

    assert_live_equals_report(&live, &ledger, &[dir, archive]).await;
}

#[tokio::test]
async fn a_file_in_a_new_subfolder_counts_and_a_deleted_one_stays_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    let archive = tmp.path().join("archive");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::create_dir_all(&archive).expect("mkdir");
    let mut ledger = Ledger::default();
    append(&dir.join("a.jsonl"), &records(0..10));
    ledger.wrote_records(0..10);
    let live = Pipeline::follow(&dir).await;
    live.wait_counted(&ledger, "history").await;

    let sub = dir.join("new-project/session-1/subagents");
    fs::create_dir_all(&sub).expect("mkdir");
    append(&sub.join("agent-1.jsonl"), &records(300..340));
    ledger.wrote_records(300..340);
    // Not usage: sub-agent journals are skipped by both paths.
    append(&sub.join("journal.jsonl"), &records(900..905));
    live.wait_counted(&ledger, "the file in a new sub-folder")
        .await;
    append(&sub.join("agent-1.jsonl"), &records(340..350));
    ledger.wrote_records(340..350);
    live.wait_counted(&ledger, "appends to the new file").await;

    // Read, then deleted: its records stay counted (the report reads the kept copy).
    let gone = dir.join("gone.jsonl");
    append(&gone, &records(400..425));
    ledger.wrote_records(400..425);
    live.wait_counted(&ledger, "the soon-deleted file").await;
    fs::copy(&gone, archive.join("gone.jsonl")).expect("keep a copy");
    fs::remove_file(&gone).expect("delete");
    live.wait_for("the deleted file to be dropped", |s| {
        s.sources.first().is_some_and(|h| h.files == 2)
    })
    .await;
    append(&dir.join("a.jsonl"), &records(10..15));
    ledger.wrote_records(10..15);
    live.wait_counted(&ledger, "appends after the deletion")
        .await;

    assert_live_equals_report(&live, &ledger, &[dir, archive]).await;
}

#[tokio::test]
async fn copytruncate_rewritten_past_the_old_end_before_the_next_pass_restarts_at_zero() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("logs");
    let archive = tmp.path().join("archive");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::create_dir_all(&archive).expect("mkdir");
    let app = dir.join("app.jsonl");
    let mut ledger = Ledger::default();
    append(&app, &records(0..10));
    ledger.wrote_records(0..10);
    let live = Pipeline::follow(&dir).await;
    live.wait_counted(&ledger, "history").await;

    // Truncated and at once written beyond the old size: the size alone looks like an append.
    fs::copy(&app, archive.join("app.2.jsonl")).expect("copy");
    OpenOptions::new()
        .write(true)
        .open(&app)
        .expect("open")
        .set_len(0)
        .expect("truncate");
    append(&app, &records(200..240));
    ledger.wrote_records(200..240);
    live.wait_counted(&ledger, "the rewritten file").await;

    assert_live_equals_report(&live, &ledger, &[dir, archive]).await;
}
