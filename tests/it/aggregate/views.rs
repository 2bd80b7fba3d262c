//! Views a stream reader asks for (`/api/v1/stream?window=…&by=…`): built by the aggregator
//! beside its own snapshot, from the same records, updated on every publish, and without
//! changing what the aggregator itself shows.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::snapshot::{GroupBy, Snapshot, StreamView};
use costtop::time::{SystemClock, Window};
use costtop::usage::{
    Attribution, EventKind, Modifiers, SourceMsg, StopReason, Tier, Tokens, UsageEvent, request_key,
};
use tokio::sync::watch;

fn record(n: u64, minutes_ago: i64) -> UsageEvent {
    UsageEvent {
        alt_key: None,
        key: Some(request_key(&format!("req_view_{n}"))),
        rank: 100,
        timestamp: Utc::now() - TimeDelta::minutes(minutes_ago),
        model: if n.is_multiple_of(2) {
            "claude-sonnet-4-5".into()
        } else {
            "claude-opus-4-5".into()
        },
        tokens: Tokens {
            input: 100,
            output: 10,
            ..Tokens::default()
        },
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution::default(),
        iterations: Vec::new(),
        estimate: None,
    }
}

async fn next_with(
    rx: &mut watch::Receiver<Arc<Snapshot>>,
    done: impl Fn(&Snapshot) -> bool,
) -> Arc<Snapshot> {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let snap = Arc::clone(&rx.borrow_and_update());
            if done(&snap) {
                return snap;
            }
            rx.changed().await.expect("the aggregator publishes");
        }
    })
    .await
    .expect("in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_of_another_window_follows_the_records_beside_the_aggregators_own() {
    let settings = Settings {
        window: Window::All,
        ..Settings::default()
    };
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let tx = handle.source_sender();
    // Three records two hours ago, one now.
    let old: Vec<UsageEvent> = (0..3).map(|n| record(n, 120)).collect();
    tx.send(SourceMsg::Events(old)).await.unwrap();
    tx.send(SourceMsg::Events(vec![record(3, 0)]))
        .await
        .unwrap();
    let mut own = handle.snapshots();
    next_with(&mut own, |s| s.totals.requests == 4).await;

    let recent = StreamView {
        window: Some(Window::Last15m),
        by: None,
    };
    let mut view = handle.subscribe(recent.clone()).await.expect("a view");
    let first = next_with(&mut view, |_| true).await;
    assert_eq!(first.window.name, "15m");
    assert_eq!(first.totals.requests, 1);
    // A second reader of the same view shares it.
    let mut same = handle.subscribe(recent).await.expect("a view");
    assert_eq!(same.borrow_and_update().totals.requests, 1);

    tx.send(SourceMsg::Events(vec![record(4, 0)]))
        .await
        .unwrap();
    let updated = next_with(&mut view, |s| s.totals.requests == 2).await;
    assert_eq!(updated.window.name, "15m");
    next_with(&mut same, |s| s.totals.requests == 2).await;
    let own = next_with(&mut own, |s| s.totals.requests == 5).await;
    assert_eq!(
        own.window.name, "all",
        "the aggregator's own window is unchanged"
    );
    assert!(own.rows.is_empty());

    let mut by_model = handle
        .subscribe(StreamView {
            window: None,
            by: Some(GroupBy::Model),
        })
        .await
        .expect("a view");
    let rows = next_with(&mut by_model, |s| s.totals.requests == 5).await;
    assert_eq!(rows.window.name, "all");
    let keys: Vec<(&str, u64)> = rows
        .rows
        .iter()
        .map(|r| (r.key.as_str(), r.totals.requests))
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys.iter().map(|k| k.1).sum::<u64>(), 5);

    // The published view is the aggregator's own channel.
    let mut published = handle.subscribe(StreamView::default()).await.expect("own");
    assert!(Arc::ptr_eq(
        &published.borrow_and_update(),
        &handle.snapshots().borrow()
    ));
}
