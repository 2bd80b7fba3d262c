//! Replacement of revised buckets: what was sent per bucket key inside the re-poll window,
//! so that unchanged buckets are not resent and a bucket that vanished from a re-polled
//! range is replaced by zero tokens. Shared by both usage APIs, so a switch from one to the
//! other replaces the first one's buckets in the range the second one covers.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::usage::{Tokens, UsageEvent};

/// What was last sent for each bucket key still inside the re-poll window.
#[derive(Debug, Default)]
pub(crate) struct Revisions {
    sent: HashMap<u64, UsageEvent>,
}

impl Revisions {
    /// Takes the freshly fetched events of `[start, end)` and returns what to send: events
    /// that are new or changed, plus a zero-token event (rank `rank`) for every key sent
    /// earlier in that range that the fetch no longer contains.
    pub(crate) fn reconcile(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        fresh: Vec<UsageEvent>,
        rank: u64,
    ) -> Vec<UsageEvent> {
        let mut out = Vec::new();
        let mut present = HashSet::with_capacity(fresh.len());
        for event in fresh {
            let Some(key) = event.key else { continue };
            present.insert(key);
            let unchanged = self
                .sent
                .get(&key)
                .is_some_and(|prev| prev.tokens == event.tokens);
            if !unchanged {
                out.push(event.clone());
                self.sent.insert(key, event);
            }
        }
        let vanished: Vec<u64> = self
            .sent
            .iter()
            .filter(|(key, e)| e.timestamp >= start && e.timestamp < end && !present.contains(key))
            .map(|(key, _)| *key)
            .collect();
        for key in vanished {
            if let Some(mut event) = self.sent.remove(&key) {
                event.tokens = Tokens::default();
                event.rank = rank;
                out.push(event);
            }
        }
        out
    }

    /// Forgets buckets starting before `t`: they will not be re-polled.
    pub(crate) fn forget_before(&mut self, t: DateTime<Utc>) {
        self.sent.retain(|_, e| e.timestamp >= t);
    }
}
