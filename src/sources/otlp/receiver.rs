//! The receiver's side of the source contract: mapped payloads go to the aggregator over the
//! bounded source channel (a slow aggregator slows senders, nothing is dropped), and the
//! receiver's health — records, refused records and payloads, senders — follows each one.
//! Health reports are sent in the order of the counts they carry (the tally stays locked
//! until its report is sent), so the last one applied counts every payload answered, however
//! concurrent payloads interleave.

use std::collections::HashSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::Sender;
use tokio::sync::{Mutex, MutexGuard};

use super::mapped::Mapped;
use crate::usage::{ReceiverCounts, SourceHealth, SourceMsg, SourceState};

/// The receiver's name in the sources pane and JSON.
pub(crate) const SOURCE_NAME: &str = "otlp";

/// Distinct senders remembered; beyond it the count stops growing (memory stays bounded).
const MAX_SENDERS: usize = 100_000;

/// The aggregator is gone: the process is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

#[derive(Debug, Default)]
struct Tally {
    records: u64,
    rejected: u64,
    first_error: Option<String>,
    last_event: Option<DateTime<Utc>>,
    senders: HashSet<u64>,
    counts: ReceiverCounts,
}

/// The OTLP receiver as a source (shared by the listener's request handlers).
#[derive(Debug)]
pub struct Receiver {
    tx: Sender<SourceMsg>,
    tally: Mutex<Tally>,
}

impl Receiver {
    /// A receiver sending to `tx`.
    pub(crate) fn new(tx: Sender<SourceMsg>) -> Receiver {
        Receiver {
            tx,
            tally: Mutex::new(Tally::default()),
        }
    }

    /// Reports the receiver's health, so it is listed before anything arrives.
    pub(crate) async fn announce(&self) -> Result<(), Closed> {
        let t = self.tally.lock().await;
        self.send_health(&t).await
    }

    /// Sends a payload's records and estimates and counts them; `peer` identifies the sender
    /// together with each resource's identity.
    pub(crate) async fn ingest(&self, mapped: Mapped, peer: IpAddr) -> Result<(), Closed> {
        let Mapped {
            events,
            estimates,
            records,
            rejected,
            first_rejection,
            ttl_assumed,
            llm_unreadable,
            senders,
            last_event,
        } = mapped;
        if !events.is_empty() {
            self.tx
                .send(SourceMsg::Events(events))
                .await
                .map_err(|_| Closed)?;
        }
        if !estimates.is_empty() {
            self.tx
                .send(SourceMsg::Estimates(estimates))
                .await
                .map_err(|_| Closed)?;
        }
        let mut t = self.tally.lock().await;
        {
            t.records += records;
            t.rejected += rejected;
            if t.first_error.is_none() {
                t.first_error = first_rejection;
            }
            t.last_event = t.last_event.max(last_event);
            t.counts.cache_ttl_assumed += ttl_assumed;
            t.counts.llm_spans_unreadable += llm_unreadable;
            let peer = peer_bytes(peer);
            for identity in senders {
                if t.senders.len() < MAX_SENDERS {
                    t.senders
                        .insert(crate::usage::dedupe_key(&[&peer, &identity.to_le_bytes()]));
                }
            }
            t.counts.senders = t.senders.len() as u64;
        }
        self.send_health(&t).await
    }

    /// Counts a payload refused whole, with the records it held that were refused too.
    pub(crate) async fn refuse(&self, reason: &str, records: u64) -> Result<(), Closed> {
        let mut t = self.tally.lock().await;
        t.counts.rejected_payloads += 1;
        t.records += records;
        t.rejected += records;
        if t.first_error.is_none() {
            t.first_error = Some(reason.to_string());
        }
        self.send_health(&t).await
    }

    /// Sends the health the (locked) tally says: held across the send, so reports go out in
    /// the order of their counts.
    async fn send_health(&self, t: &MutexGuard<'_, Tally>) -> Result<(), Closed> {
        let health = SourceHealth {
            name: SOURCE_NAME.to_string(),
            state: SourceState::Ok,
            lines: t.records,
            parse_errors: t.rejected,
            first_error: t.first_error.clone(),
            last_event: t.last_event,
            files: 0,
            receiver: Some(t.counts),
            naive_times: 0,
            compactions: 0,
            proxy: None,
            note: None,
        };
        self.tx
            .send(SourceMsg::Health(health))
            .await
            .map_err(|_| Closed)
    }
}

fn peer_bytes(peer: IpAddr) -> Vec<u8> {
    match peer {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}
