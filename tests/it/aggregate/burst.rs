//! A source that sends a million records at once: it is held back by the bounded channel (no
//! queue grows without bound), and the aggregator keeps publishing snapshots and answering
//! requests while it counts them, so the screen keeps drawing; every record is counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::Utc;
use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::time::{SystemClock, Window};
use costtop::usage::{
    Attribution, EventKind, Modifiers, SourceMsg, StopReason, Tier, Tokens, UsageEvent, request_key,
};

const RECORDS: u64 = 1_000_000;
const BATCH: u64 = 1_000;

fn record(n: u64, session: &Arc<str>, model: &Arc<str>) -> UsageEvent {
    UsageEvent {
        alt_key: None,
        key: Some(request_key(&format!("req_{n}"))),
        rank: 100,
        timestamp: Utc::now(),
        model: Arc::clone(model),
        tokens: Tokens {
            input: 3,
            output: 1 + n % 4000,
            cache_read: 9000,
            ..Tokens::default()
        },
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            project: None,
            session: Some(Arc::clone(session)),
            tags: Vec::new(),
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_records_at_once_are_held_back_counted_and_drawn_while_counting() {
    let settings = Settings {
        window: Window::All,
        ..Settings::default()
    };
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let tx = handle.source_sender();
    let bursting = Arc::new(AtomicBool::new(true));
    let held_back = Arc::new(AtomicU64::new(0));

    let feeder = {
        let (bursting, held_back) = (Arc::clone(&bursting), Arc::clone(&held_back));
        tokio::spawn(async move {
            let session: Arc<str> = "burst-session".into();
            let model: Arc<str> = "claude-sonnet-4-5".into();
            for b in 0..RECORDS / BATCH {
                let events = (b * BATCH..(b + 1) * BATCH)
                    .map(|n| record(n, &session, &model))
                    .collect();
                if tx.capacity() == 0 {
                    held_back.fetch_add(1, Ordering::Relaxed);
                }
                tx.send(SourceMsg::Events(events)).await.expect("alive");
            }
            bursting.store(false, Ordering::SeqCst);
        })
    };

    // What the screen would draw: every published snapshot while the burst runs, and the
    // answers `watch` would print.
    let mut snapshots = handle.snapshots();
    let mut published_mid_burst = 0;
    let mut answered_mid_burst = 0;
    // One interval for the whole burst: a sleep made anew each turn would never fire while
    // snapshots arrive more often than it lasts.
    let mut ask = tokio::time::interval(std::time::Duration::from_millis(200));
    ask.tick().await;
    while bursting.load(Ordering::SeqCst) {
        tokio::select! {
            changed = snapshots.changed() => {
                changed.expect("actor alive");
                let n = snapshots.borrow_and_update().totals.requests;
                if n > 0 && n < RECORDS {
                    published_mid_burst += 1;
                }
            }
            _ = ask.tick() => {
                let n = handle.snapshot_now(None).await.expect("alive").totals.requests;
                if n > 0 && n < RECORDS {
                    answered_mid_burst += 1;
                }
            }
        }
    }
    feeder.await.expect("feeder");
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_eq!(snap.totals.requests, RECORDS);
    assert!(
        held_back.load(Ordering::Relaxed) > 0,
        "the channel never filled: nothing held the source back"
    );
    assert!(
        published_mid_burst >= 2,
        "{published_mid_burst} snapshots published during the burst"
    );
    assert!(
        answered_mid_burst >= 1,
        "no request answered during the burst"
    );
}
