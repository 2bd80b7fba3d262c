//! The proxy as a source: its records go to the aggregator through a task of their own (a
//! response never waits for the aggregator), and its health — requests by status, clients,
//! accounting failures, cancellations, added latency — is reported every
//! [`REPORT_EVERY`] while it changes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::usage::{ProxyCounts, SourceHealth, SourceMsg, SourceState, UsageEvent};

/// The proxy's name in the sources pane, JSON and `/metrics`.
pub(super) const SOURCE_NAME: &str = "proxy";

/// How often a changed health is reported.
pub(super) const REPORT_EVERY: Duration = Duration::from_millis(250);
/// Records sent to the aggregator in one message at most.
const BATCH: usize = 512;
/// Distinct clients remembered; beyond it the count stops growing.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Default)]
struct Tally {
    counts: ProxyCounts,
    records: u64,
    failures: u64,
    first_failure: Option<String>,
    last_event: Option<DateTime<Utc>>,
    clients: HashSet<u64>,
}

/// The proxy's counts, shared by its request handlers.
#[derive(Debug)]
pub(super) struct Health {
    tally: Mutex<Tally>,
    records: mpsc::UnboundedSender<UsageEvent>,
    /// Bumped on every change; the reporter sends when it moved.
    version: AtomicU64,
}

impl Health {
    /// Counts for a proxy on `listen` forwarding to `upstream`; records go to `records`.
    pub(super) fn new(
        listen: String,
        upstream: String,
        records: mpsc::UnboundedSender<UsageEvent>,
    ) -> Health {
        Health {
            tally: Mutex::new(Tally {
                counts: ProxyCounts {
                    listen,
                    upstream,
                    ..ProxyCounts::default()
                },
                ..Tally::default()
            }),
            records,
            version: AtomicU64::new(1),
        }
    }

    fn change(&self) -> MutexGuard<'_, Tally> {
        self.version.fetch_add(1, Ordering::Relaxed);
        // A handler that panicked mid-update leaves counts that are still counts.
        self.tally.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request arrived from the client `identity`.
    pub(super) fn request(&self, identity: u64) {
        let mut t = self.change();
        t.counts.requests += 1;
        if t.clients.len() < MAX_CLIENTS {
            t.clients.insert(identity);
            t.counts.clients = t.clients.len() as u64;
        }
    }

    /// A response of `status` went back, after the proxy added `added` to its latency.
    pub(super) fn answered(&self, status: u16, from_proxy: bool, added: Duration) {
        let mut t = self.change();
        t.counts.answered(status, from_proxy);
        t.counts
            .added_latency
            .observe(u64::try_from(added.as_micros()).unwrap_or(u64::MAX));
    }

    /// The client went away before its response ended.
    pub(super) fn cancelled(&self) {
        self.change().counts.cancelled += 1;
    }

    /// Streams' usage events too large to read.
    pub(super) fn oversized(&self, n: u64) {
        if n > 0 {
            self.change().counts.oversized_events += n;
        }
    }

    /// Something that passed could not be accounted for (the bytes still passed).
    pub(super) fn failure(&self, reason: impl std::fmt::Display) {
        let mut t = self.change();
        t.failures += 1;
        if t.first_failure.is_none() {
            t.first_failure = Some(reason.to_string());
        }
    }

    /// Hands a record to the aggregator's queue.
    pub(super) fn record(&self, event: UsageEvent) {
        let at = event.timestamp;
        match self.records.send(event) {
            Ok(()) => {
                let mut t = self.change();
                t.records += 1;
                t.last_event = t.last_event.max(Some(at));
            }
            Err(_) => self.failure("the aggregator has stopped: a record was not counted"),
        }
    }

    fn report(&self) -> SourceHealth {
        let t = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
        SourceHealth {
            name: SOURCE_NAME.to_owned(),
            state: SourceState::Ok,
            lines: t.records,
            parse_errors: t.failures,
            first_error: t.first_failure.clone(),
            last_event: t.last_event,
            files: 0,
            naive_times: 0,
            compactions: 0,
            receiver: None,
            proxy: Some(Box::new(t.counts.clone())),
            note: None,
        }
    }
}

/// The records queue a [`Health`] sends to, and its receiving end for [`report`].
pub(super) fn queue() -> (
    mpsc::UnboundedSender<UsageEvent>,
    mpsc::UnboundedReceiver<UsageEvent>,
) {
    // Unbounded: a record is never dropped. Each one is a response that has ended, so the
    // queue grows only as fast as the upstream answers, and the reporter drains it in batches.
    mpsc::unbounded_channel()
}

/// Forwards records to the aggregator in batches and reports health while it changes; ends
/// when the proxy is gone (every sender of `records` dropped) or the aggregator is.
pub(super) async fn report(
    health: std::sync::Weak<Health>,
    mut records: mpsc::UnboundedReceiver<UsageEvent>,
    tx: mpsc::Sender<SourceMsg>,
) {
    let mut tick = tokio::time::interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reported = 0;
    loop {
        tokio::select! {
            first = records.recv() => {
                let Some(first) = first else { break };
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match records.try_recv() {
                        Ok(e) => batch.push(e),
                        Err(_) => break,
                    }
                }
                if tx.send(SourceMsg::Events(batch)).await.is_err() {
                    return;
                }
            }
            _ = tick.tick() => {
                let Some(h) = health.upgrade() else { break };
                let now = h.version.load(Ordering::Relaxed);
                if now != reported {
                    reported = now;
                    let report = h.report();
                    drop(h);
                    if tx.send(SourceMsg::Health(report)).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
    // The last word: what was counted up to the end.
    if let Some(h) = health.upgrade() {
        let _ = tx.send(SourceMsg::Health(h.report())).await;
    }
}
