//! Which records a history holds, by identity: a record with a dedupe key is known by its key
//! (the highest rank held counts, as in the aggregator); one without a key by a hash of its
//! content, and then as many times as it was held (two identical records without a key are
//! two requests, so the history keeps as many copies as any one reading saw).

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use super::codec;
use crate::usage::UsageEvent;

/// How a record is told apart from its copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum Identity {
    /// Its dedupe key (`UsageEvent::key`).
    Key(u64),
    /// No key: a hash of everything the history stores of it.
    Content(u64),
}

/// The identity of `event`.
pub(crate) fn identity(event: &UsageEvent) -> Identity {
    match event.key {
        Some(key) => Identity::Key(key),
        None => Identity::Content(xxhash_rust::xxh3::xxh3_64(&codec::encode(
            std::slice::from_ref(event),
        ))),
    }
}

/// A set of records by identity: the highest rank per key, the copies per content.
#[derive(Debug, Default, Clone)]
pub(crate) struct Known {
    ranks: HashMap<u64, u64>,
    counts: HashMap<u64, u32>,
}

impl Known {
    /// Counts one record.
    pub(crate) fn add(&mut self, id: Identity, rank: u64) {
        match id {
            Identity::Key(key) => {
                let held = self.ranks.entry(key).or_insert(rank);
                *held = (*held).max(rank);
            }
            Identity::Content(hash) => *self.counts.entry(hash).or_default() += 1,
        }
    }

    /// The highest rank held under `key`.
    pub(crate) fn rank(&self, key: u64) -> Option<u64> {
        self.ranks.get(&key).copied()
    }

    /// Copies held of a record without a key.
    pub(crate) fn count(&self, hash: u64) -> u32 {
        self.counts.get(&hash).copied().unwrap_or(0)
    }

    /// Whether a record of `id` and `rank` adds nothing to what is held: its key is held at
    /// the same or a higher rank (records without a key are counted by the caller).
    pub(crate) fn covers_key(&self, key: u64, rank: u64) -> bool {
        self.rank(key).is_some_and(|held| held >= rank)
    }

    /// Distinct records held (keys, and copies of records without one).
    pub(crate) fn len(&self) -> usize {
        self.ranks.len() + self.counts.values().map(|&n| n as usize).sum::<usize>()
    }
}

/// Occurrences of records without a key seen in one reading, to match them against the copies
/// a history holds: the n-th copy seen is the n-th copy held.
#[derive(Debug, Default)]
pub(crate) struct Occurrences(HashMap<u64, u32>);

impl Occurrences {
    /// Counts one more copy of `hash`; returns how many were seen before it.
    pub(crate) fn next(&mut self, hash: u64) -> u32 {
        let seen = self.0.entry(hash).or_default();
        let before = *seen;
        *seen += 1;
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Tokens;
    use chrono::{TimeZone, Utc};

    #[test]
    fn keys_keep_the_highest_rank_and_contents_count_copies() {
        let mut known = Known::default();
        known.add(Identity::Key(7), 3);
        known.add(Identity::Key(7), 9);
        known.add(Identity::Key(7), 5);
        assert_eq!(known.rank(7), Some(9));
        assert!(known.covers_key(7, 9) && !known.covers_key(7, 10));
        known.add(Identity::Content(1), 0);
        known.add(Identity::Content(1), 0);
        assert_eq!(known.count(1), 2);
        assert_eq!(known.len(), 3);
    }

    #[test]
    fn identical_records_without_a_key_share_an_identity_and_a_field_tells_them_apart() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let tokens = Tokens {
            input: 10,
            output: 20,
            ..Tokens::default()
        };
        let a = UsageEvent::request(t, "claude-sonnet-4-6", tokens);
        assert_eq!(identity(&a), identity(&a.clone()));
        let mut b = a.clone();
        b.tokens.output = 21;
        assert_ne!(identity(&a), identity(&b));
        let keyed = UsageEvent {
            key: Some(42),
            ..a.clone()
        };
        assert_eq!(identity(&keyed), Identity::Key(42));
        let mut seen = Occurrences::default();
        assert_eq!((seen.next(5), seen.next(5), seen.next(6)), (0, 1, 0));
    }
}
