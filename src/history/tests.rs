//! The history through its entry points: blocks round-trip every field, damage and an
//! unfinished block are read around and put aside, two writers never write a record twice,
//! a prune keeps what is after its date.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::append::{Appender, Candidate};

/// How long a test's append waits for the lock.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);
use super::block;
use super::file::{Summary, visit};
use super::index::Known;
use super::rewrite::prune_before;
use super::scan::Pieces;
use crate::money::Money;
use crate::usage::{
    Attribution, BilledIteration, EventKind, IterationKind, Modifiers, StopReason, Tier, Tokens,
    UsageEvent,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 9, 15, 0).unwrap() + Duration::microseconds(123_456)
}

/// A Claude Code-like record: `n` picks its key, time, session and tokens.
pub(super) fn event(n: u64) -> UsageEvent {
    let mut e = UsageEvent::request(
        t0() + Duration::seconds(n as i64 * 37),
        ["claude-sonnet-4-6", "claude-opus-4-8", "claude-haiku-5-5"][(n % 3) as usize],
        Tokens {
            input: 3 + n % 7,
            cache_write_5m: 1_200 * (n % 2),
            cache_write_1h: 900 * u64::from(n.is_multiple_of(3)),
            cache_read: 41_000 + n * 13,
            output: 150 + n % 400,
            web_search_requests: n % 5 / 4,
        },
    );
    e.key = Some(crate::usage::request_key(&format!("req_{n:08}")));
    e.rank = e.tokens.total();
    e.stop_reason = Some(StopReason::Other);
    e.attribution = Attribution {
        project: Some(Arc::from(format!("/home/dev/project-{}", n % 4).as_str())),
        session: Some(Arc::from(format!("5e55{:032x}", n / 20).as_str())),
        tags: vec![(Arc::from("git_branch"), Arc::from("main"))],
    };
    e
}

/// Every field set, and a record with none of the optional ones.
fn odd_events() -> Vec<UsageEvent> {
    let mut full = event(1);
    full.tier = Tier::Batch;
    full.modifiers = Modifiers {
        fast: true,
        us_only: true,
        long_context: true,
    };
    full.stop_reason = Some(StopReason::MaxTokens);
    full.estimate = Some(Money::from_usd(0.123_456_789));
    full.iterations = vec![BilledIteration {
        kind: IterationKind::Advisor,
        model: Arc::from("claude-opus-4-8"),
        tokens: Tokens {
            input: 2518,
            output: 22,
            ..Tokens::default()
        },
    }];
    let mut bare = UsageEvent::request(t0() - Duration::days(400), "", Tokens::default());
    bare.kind = EventKind::FailedRequest;
    let mut bucket = event(2);
    bucket.kind = EventKind::Bucket;
    bucket.rank = u64::MAX;
    bucket.tier = Tier::Priority;
    vec![full, bare, bucket]
}

/// `e` as the history gives it back: time in whole milliseconds.
fn stored(e: &UsageEvent) -> UsageEvent {
    let mut e = e.clone();
    e.timestamp = DateTime::from_timestamp_millis(e.timestamp.timestamp_millis()).unwrap();
    e
}

fn read_all(path: &Path) -> (Vec<UsageEvent>, Summary) {
    let mut all = Vec::new();
    let summary = visit(path, 0, true, |_, records| all.extend(records)).unwrap();
    (all, summary)
}

fn candidates(events: &[UsageEvent]) -> Vec<Candidate> {
    events
        .iter()
        .map(|e| Candidate {
            event: e.clone(),
            copy: 0,
        })
        .collect()
}

fn appender(path: &Path) -> Appender {
    Appender::new(path, Known::default(), &Summary::default())
}

#[test]
fn a_block_gives_back_every_field_of_its_records() {
    let mut events: Vec<UsageEvent> = (0..500).map(event).collect();
    events.extend(odd_events());
    let bytes = block::encode(&events).unwrap();
    let header = block::check(&bytes).unwrap();
    let back = block::records(&header, &bytes).unwrap();
    let expected: Vec<UsageEvent> = events.iter().map(stored).collect();
    assert_eq!(back, expected);
    assert_eq!(header.count, 503);
    let per_record = bytes.len() / events.len();
    assert!(per_record <= 64, "{per_record} bytes per record");
}

#[test]
fn appends_accumulate_and_a_record_is_written_once_whoever_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let events: Vec<UsageEvent> = (0..100).map(event).collect();
    let mut a = appender(&path);
    let mut b = appender(&path);
    assert_eq!(
        a.append(&candidates(&events[..60]), WAIT, false)
            .unwrap()
            .records,
        60
    );
    // The second writer reads the first one's block before writing: only 40 are new.
    assert_eq!(
        b.append(&candidates(&events[20..]), WAIT, false)
            .unwrap()
            .records,
        40
    );
    // A more complete copy of a record is written; a less complete one is not.
    let mut more = events[5].clone();
    more.rank += 10;
    more.tokens.output += 10;
    let mut less = events[6].clone();
    less.rank -= 1;
    assert_eq!(
        a.append(&candidates(&[more, less]), WAIT, false)
            .unwrap()
            .records,
        1
    );
    let (all, summary) = read_all(&path);
    assert_eq!((all.len(), summary.blocks, summary.records), (101, 3, 101));
    assert_eq!(summary.first, Some(stored(&events[0]).timestamp));
    assert!(summary.problem().is_none());
}

#[test]
fn records_without_a_key_are_held_as_many_times_as_one_reading_saw_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let mut twin = event(3);
    twin.key = None;
    let copies = |n: u32| -> Vec<Candidate> {
        (0..n)
            .map(|copy| Candidate {
                event: twin.clone(),
                copy,
            })
            .collect()
    };
    let mut a = appender(&path);
    assert_eq!(a.append(&copies(2), WAIT, false).unwrap().records, 2);
    // Another reading saw three copies: one more; a reading of one copy adds none.
    let mut b = appender(&path);
    assert_eq!(b.append(&copies(3), WAIT, false).unwrap().records, 1);
    assert_eq!(b.append(&copies(1), WAIT, false).unwrap().records, 0);
    assert_eq!(read_all(&path).0.len(), 3);
}

#[test]
fn damage_is_read_around_reported_and_put_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let mut w = appender(&path);
    for chunk in (0..30).map(event).collect::<Vec<_>>().chunks(10) {
        w.append(&candidates(chunk), WAIT, false).unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let second = block::check(&bytes[16..]).unwrap().block_len() as usize + 16;
    bytes[second + 60] ^= 0xff; // inside the second block's payload
    std::fs::write(&path, &bytes).unwrap();
    let (records, summary) = read_all(&path);
    assert_eq!(records.len(), 20, "the first and third blocks are read");
    assert_eq!(summary.damaged.len(), 1);
    assert!(
        summary.problem().unwrap().contains("checksum"),
        "{summary:?}"
    );
    // The next writer puts the damaged block aside, then writes.
    let mut next = Appender::new(&path, Known::default(), &summary);
    let done = next.append(&candidates(&[event(99)]), WAIT, false).unwrap();
    let aside = done.repaired.expect("put aside");
    assert_eq!(
        std::fs::read(&aside).unwrap().len(),
        second_len(&bytes, second)
    );
    let (records, summary) = read_all(&path);
    assert_eq!((records.len(), summary.problem()), (21, None));
}

fn second_len(bytes: &[u8], at: usize) -> usize {
    let mut fixed = bytes[at..].to_vec();
    fixed[60] ^= 0xff;
    block::check(&fixed).unwrap().block_len() as usize
}

#[test]
fn an_append_cut_short_loses_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let mut w = appender(&path);
    w.append(
        &candidates(&(0..50).map(event).collect::<Vec<_>>()),
        WAIT,
        false,
    )
    .unwrap();
    let whole = std::fs::metadata(&path).unwrap().len();
    w.append(
        &candidates(&(50..90).map(event).collect::<Vec<_>>()),
        WAIT,
        false,
    )
    .unwrap();
    let full = std::fs::read(&path).unwrap();
    for cut in [whole + 3, whole + 44, full.len() as u64 - 1] {
        std::fs::write(&path, &full[..cut as usize]).unwrap();
        let (records, summary) = read_all(&path);
        assert_eq!(records.len(), 50, "cut at {cut}");
        assert_eq!(summary.incomplete, Some(whole..cut));
        assert!(summary.damaged.is_empty());
    }
    // The next append puts the unfinished block aside and writes after the whole ones.
    let (_, summary) = read_all(&path);
    let mut next = Appender::new(&path, Known::default(), &summary);
    let done = next
        .append(
            &candidates(&(50..90).map(event).collect::<Vec<_>>()),
            WAIT,
            false,
        )
        .unwrap();
    assert!(done.repaired.is_some());
    let (records, summary) = read_all(&path);
    assert_eq!((records.len(), summary.problem()), (90, None));
}

#[test]
fn a_file_that_is_not_a_history_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    std::fs::write(&path, b"{\"not\": \"a history\"}\n").unwrap();
    assert!(visit(&path, 0, true, |_, _| {}).is_err());
    assert!(
        appender(&path)
            .append(&candidates(&[event(1)]), WAIT, false)
            .is_err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"not\": \"a history\"}\n");
}

#[test]
fn a_prune_keeps_what_is_after_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let mut w = appender(&path);
    let events: Vec<UsageEvent> = (0..90).map(event).collect();
    for chunk in events.chunks(30) {
        w.append(&candidates(chunk), WAIT, false).unwrap();
    }
    let cutoff = events[45].timestamp;
    let pruned = prune_before(&path, cutoff).unwrap();
    assert_eq!((pruned.kept, pruned.dropped), (45, 45));
    assert!(pruned.bytes_after < pruned.bytes_before);
    let (mut records, _) = read_all(&path);
    records.sort_by_key(|r| r.timestamp);
    assert!(records == events[45..].iter().map(stored).collect::<Vec<_>>());
    // A writer that had read the old file notices the new one and does not write twice.
    assert_eq!(
        w.append(&candidates(&events[80..]), WAIT, false)
            .unwrap()
            .records,
        0
    );
}

proptest! {
    #[test]
    fn any_bytes_read_as_pieces_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut with_magic = b"CTHB\x01\0\0\0".to_vec();
        with_magic.extend_from_slice(&bytes);
        for input in [&bytes, &with_magic] {
            let end: u64 = Pieces::new(input, 16, true).map(|p| match p {
                super::scan::Piece::Block { header, .. } => header.block_len(),
                super::scan::Piece::Damaged { range, .. }
                | super::scan::Piece::Incomplete { range }
                | super::scan::Piece::Newer { range, .. } => range.end - range.start,
            }).sum();
            prop_assert_eq!(end, input.len() as u64);
        }
    }

    #[test]
    fn any_payload_decodes_or_is_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = super::codec::decode(&bytes);
    }
}

#[test]
fn a_writer_gives_up_when_the_lock_stays_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.ledger");
    let held = super::file::lock(&path, std::time::Duration::ZERO)
        .unwrap()
        .expect("the lock is free");
    let short = std::time::Duration::from_millis(50);
    let done = appender(&path)
        .append(&candidates(&[event(1)]), short, false)
        .unwrap();
    assert!(done.busy && done.records == 0);
    drop(held);
    let done = appender(&path)
        .append(&candidates(&[event(1)]), short, false)
        .unwrap();
    assert_eq!((done.busy, done.records), (false, 1));
}
