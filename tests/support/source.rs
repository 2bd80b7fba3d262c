//! Collecting what a source sends: every event's key and output, health and catch-up
//! messages, with waits that end when a condition holds or a deadline passes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use costtop::usage::{SourceHealth, SourceMsg};
use tokio::sync::mpsc::Receiver;

/// Everything a source sent, in order.
#[derive(Debug, Default)]
pub struct Received {
    /// (dedupe key, output tokens) per event.
    pub events: Vec<(Option<u64>, u64)>,
    /// Latest health per source name.
    pub health: HashMap<String, SourceHealth>,
    /// Sources that said `CaughtUp`.
    pub caught_up: Vec<String>,
}

impl Received {
    /// Output-token values received, sorted: with one unique value per line, this is the
    /// exact multiset of lines read.
    pub fn outputs(&self) -> Vec<u64> {
        let mut out: Vec<u64> = self.events.iter().map(|e| e.1).collect();
        out.sort_unstable();
        out
    }

    /// Panics unless every event has its own key (no line read twice).
    pub fn assert_keys_unique(&self) {
        let mut keys: Vec<Option<u64>> = self.events.iter().map(|e| e.0).collect();
        assert!(keys.iter().all(Option::is_some), "events without key");
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "an event was received twice");
    }

    fn take(&mut self, msg: SourceMsg) {
        match msg {
            SourceMsg::Events(events) => self
                .events
                .extend(events.iter().map(|e| (e.key, e.tokens.output))),
            SourceMsg::Health(h) => {
                self.health.insert(h.name.clone(), h);
            }
            SourceMsg::CaughtUp { name } => self.caught_up.push(name),
            SourceMsg::Billed(_) | SourceMsg::Estimates(_) | SourceMsg::Org(_) => {}
        }
    }

    /// Receives until `done` holds or `timeout` passes; returns whether `done` held.
    pub async fn until(
        &mut self,
        rx: &mut Receiver<SourceMsg>,
        timeout: Duration,
        done: impl Fn(&Received) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, rx.recv()).await {
                Ok(Some(msg)) => self.take(msg),
                Ok(None) | Err(_) => return done(self),
            }
        }
        true
    }

    /// Receives whatever arrives within `quiet` (to prove nothing more comes).
    pub async fn settle(&mut self, rx: &mut Receiver<SourceMsg>, quiet: Duration) {
        while let Ok(Some(msg)) = tokio::time::timeout(quiet, rx.recv()).await {
            self.take(msg);
        }
    }

    /// Receives everything until the channel closes.
    pub async fn all(rx: &mut Receiver<SourceMsg>) -> Received {
        let mut got = Received::default();
        while let Some(msg) = rx.recv().await {
            got.take(msg);
        }
        got
    }
}

/// `a..b` as a sorted vector, for comparing with [`Received::outputs`].
pub fn expect(ranges: &[std::ops::Range<u64>]) -> Vec<u64> {
    let mut v: Vec<u64> = ranges.iter().flat_map(Clone::clone).collect();
    v.sort_unstable();
    v
}
