//! The dedupe index: every counted record under its 64-bit key, for as long as a copy of it
//! can still arrive from its kind of source, and no longer (hashes, never strings).
//!
//! | kind of record (told from the record) | replaceable for | then remembered for |
//! |---|---|---|
//! | carries a session (Claude Code transcripts, sub-agent copies) | the last [`GENERATION`]–2×[`GENERATION`] records | the whole run (the history read from `--since`): resumed sessions replay lines from earlier days |
//! | no session (application logs, batch results) | the same | [`Retention::short_keys`] of event time (default 10 min): such logs write each request once |
//! | Admin API bucket (`EventKind::Bucket`) | [`Retention::buckets`] of event time behind the newest bucket (default a day): re-polls replace buckets by key | nothing more |
//!
//! A copy that arrives after its record stopped being replaceable is a duplicate (never counted
//! again); one that arrives after its key was forgotten is counted again.
//!
//! **Two ids, one record.** A request has a request id (`req_…`) and a message id (`msg_…`);
//! a record may carry either or both (`UsageEvent::key`, `alt_key`). A record lives under one
//! key (its primary); its second key is an alias of the primary while it is replaceable (a map
//! of alias → primary, one entry per record with two ids) and is sealed beside the primary
//! afterwards, so a later copy carrying either id finds it. Each look-up and insert is O(1).

use foldhash::HashMap;

use super::keyset::KeySet;
use crate::aggregate::settings::Retention;
use crate::aggregate::store::Dims;
use crate::usage::{EventKind, Modifiers, StopReason, Tokens};

/// A counted record: enough to retract its contribution (its cost is recomputed from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Minute it was counted in (minutes since the epoch).
    pub(crate) minute: i64,
    /// Its completeness rank.
    pub(crate) rank: u64,
    /// Where it was counted.
    pub(crate) dims: Dims,
    /// Its tokens.
    pub(crate) tokens: Tokens,
    /// Its pricing modifiers.
    pub(crate) modifiers: Modifiers,
    /// Request, failed request or bucket.
    pub(crate) kind: EventKind,
    /// Its stop reason.
    pub(crate) stop_reason: Option<StopReason>,
}

/// Records a generation holds before the older generation is retired.
pub(crate) const GENERATION: usize = 1 << 13;

/// What the index knows about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Never counted (or forgotten).
    New,
    /// Counted; replaceable by a more complete copy.
    Stored(Stored),
    /// Counted and no longer replaceable: any further copy is a duplicate.
    Sealed,
}

/// A replaceable record and its second key (0: none; keys are hashes, 0 is as good as absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Held {
    stored: Stored,
    alt: u64,
}

/// Key → record, by kind of source (see the module documentation).
#[derive(Debug, Default, Clone)]
pub(crate) struct DedupeIndex {
    retention: Retention,
    young: HashMap<u64, Held>,
    old: HashMap<u64, Held>,
    /// Second key → primary key, for the replaceable records that carry two ids.
    aliases: HashMap<u64, u64>,
    /// Keys of session records no longer replaceable: kept for the run.
    sealed: KeySet,
    /// Keys of other records no longer replaceable, with their minute: kept for the horizon.
    short: HashMap<u64, i64>,
    /// Admin API buckets, replaceable until they fall behind the horizon.
    buckets: HashMap<u64, Stored>,
    /// `buckets` is pruned when it grows past this.
    buckets_prune_at: usize,
    /// The newest minute counted (of any record, and of a bucket).
    newest: i64,
    newest_bucket: i64,
}

impl DedupeIndex {
    /// An empty index keeping keys as `retention` says.
    pub(crate) fn new(retention: Retention) -> DedupeIndex {
        DedupeIndex {
            retention,
            newest: i64::MIN,
            newest_bucket: i64::MIN,
            ..DedupeIndex::default()
        }
    }

    /// What is known about the record with `key` or `alt`, and the primary key it lives under
    /// (`key` when it is new).
    pub(crate) fn lookup(&self, key: u64, alt: Option<u64>) -> (u64, Seen) {
        for k in std::iter::once(key).chain(alt) {
            let primary = self.aliases.get(&k).copied().unwrap_or(k);
            if let Some(h) = self.young.get(&primary).or_else(|| self.old.get(&primary)) {
                return (primary, Seen::Stored(h.stored));
            }
            if let Some(s) = self.buckets.get(&k) {
                return (k, Seen::Stored(*s));
            }
        }
        for k in std::iter::once(key).chain(alt) {
            if self.sealed.contains(k) || self.short.contains_key(&k) {
                return (k, Seen::Sealed);
            }
        }
        (key, Seen::New)
    }

    /// What is known about `key` alone.
    #[cfg(test)]
    pub(crate) fn get(&self, key: u64) -> Seen {
        self.lookup(key, None).1
    }

    /// Stores (or replaces) the record under `primary`; `keys` are the ids the new copy
    /// carries: one that is not `primary` becomes (or stays) its second key, unless it already
    /// has one.
    pub(crate) fn insert(&mut self, primary: u64, keys: [Option<u64>; 2], stored: Stored) {
        self.newest = self.newest.max(stored.minute);
        if stored.kind == EventKind::Bucket {
            self.newest_bucket = self.newest_bucket.max(stored.minute);
            self.buckets.insert(primary, stored);
            if self.buckets.len() > self.buckets_prune_at {
                self.prune_buckets();
            }
            return;
        }
        let previous = self
            .old
            .remove(&primary)
            .or_else(|| self.young.get(&primary).copied());
        let mut alt = previous.map_or(0, |h| h.alt);
        if alt == 0
            && let Some(k) = keys
                .into_iter()
                .flatten()
                .find(|k| *k != primary && *k != 0)
        {
            alt = k;
            self.aliases.insert(k, primary);
        }
        if self.young.len() >= GENERATION && !self.young.contains_key(&primary) {
            self.retire_old();
            std::mem::swap(&mut self.old, &mut self.young);
        }
        if self.young.capacity() < GENERATION {
            // Both generations keep their full size for the whole run: no growth churn.
            self.young.reserve(GENERATION - self.young.len());
        }
        self.young.insert(primary, Held { stored, alt });
    }

    /// Moves the old generation's records, no longer replaceable, to the key sets of their
    /// kind (the emptied map keeps its capacity for the next generation).
    fn retire_old(&mut self) {
        let cutoff = self.newest - self.retention.short_keys.num_minutes();
        for (key, Held { stored: s, alt }) in self.old.drain() {
            if alt != 0 {
                self.aliases.remove(&alt);
            }
            for k in std::iter::once(key).chain((alt != 0).then_some(alt)) {
                if s.dims.session != 0 {
                    self.sealed.insert(k);
                } else if s.minute >= cutoff {
                    self.short.insert(k, s.minute);
                }
            }
        }
        self.short.retain(|_, minute| *minute >= cutoff);
    }

    fn prune_buckets(&mut self) {
        let cutoff = self.newest_bucket - self.retention.buckets.num_minutes();
        self.buckets.retain(|_, s| s.minute >= cutoff);
        self.buckets_prune_at = (self.buckets.len() * 2).max(1024);
    }

    /// Forgets one key (replay: after the last copy of a record, nothing can replace it).
    pub(crate) fn remove(&mut self, key: u64) {
        let key = self.aliases.remove(&key).unwrap_or(key);
        for held in [self.young.remove(&key), self.old.remove(&key)]
            .into_iter()
            .flatten()
        {
            if held.alt != 0 {
                self.aliases.remove(&held.alt);
                self.sealed.remove(held.alt);
                self.short.remove(&held.alt);
            }
        }
        self.sealed.remove(key);
        self.short.remove(&key);
        self.buckets.remove(&key);
    }

    /// Records held (replaceable or not).
    pub(crate) fn len(&self) -> usize {
        self.young.len()
            + self.old.len()
            + self.sealed.len()
            + self.short.len()
            + self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Tier;

    fn stored(output: u64, session: u32, minute: i64) -> Stored {
        Stored {
            minute,
            rank: 7,
            dims: Dims {
                model: 1,
                project: 2,
                session,
                tags: 0,
                tier: Tier::Batch,
            },
            tokens: Tokens {
                output,
                input: 5,
                ..Tokens::default()
            },
            modifiers: Modifiers::default(),
            kind: EventKind::Request,
            stop_reason: Some(StopReason::MaxTokens),
        }
    }

    fn index() -> DedupeIndex {
        DedupeIndex::new(Retention::default())
    }

    #[test]
    fn large_counts_round_trip_and_replace() {
        let mut index = index();
        index.insert(1, [None, None], stored(10, 3, 100));
        assert_eq!(index.get(1), Seen::Stored(stored(10, 3, 100)));
        let big = stored(u64::from(u32::MAX) + 1, 3, 100);
        index.insert(1, [None, None], big);
        assert_eq!(index.get(1), Seen::Stored(big));
        assert_eq!(index.len(), 1);
        assert_eq!(index.get(2), Seen::New);
    }

    #[test]
    fn session_records_stay_replaceable_for_a_generation_then_their_key_stays() {
        let mut index = index();
        index.insert(0, [None, None], stored(1, 3, 100));
        for key in 1..=GENERATION as u64 {
            index.insert(key, [None, None], stored(1, 3, 100));
        }
        // One generation later the first record can still be replaced…
        assert_eq!(index.get(0), Seen::Stored(stored(1, 3, 100)));
        // …two generations later (a day later, too) it is sealed: a copy is a duplicate.
        for key in 0..GENERATION as u64 {
            index.insert(1_000_000 + key, [None, None], stored(1, 3, 100 + 24 * 60));
        }
        assert_eq!(index.get(0), Seen::Sealed);
        assert_eq!(index.len(), 2 * GENERATION + 1);
    }

    #[test]
    fn records_without_a_session_are_forgotten_after_the_short_horizon() {
        let mut index = index();
        index.insert(0, [None, None], stored(1, 0, 100));
        for key in 1..=2 * GENERATION as u64 {
            index.insert(key, [None, None], stored(1, 0, 105));
        }
        // Retired but within ten minutes of the newest record: a copy is still a duplicate.
        assert_eq!(index.get(0), Seen::Sealed);
        for key in 0..2 * GENERATION as u64 {
            index.insert(1_000_000 + key, [None, None], stored(1, 0, 116));
        }
        // Sixteen and eleven minutes behind: forgotten.
        assert_eq!(index.get(0), Seen::New);
        assert_eq!(index.get(5), Seen::New);
        assert!(index.len() <= 3 * GENERATION, "{}", index.len());
    }

    #[test]
    fn a_record_with_two_ids_is_found_by_either_while_replaceable_and_after() {
        let mut index = index();
        // A span named only the message id (7); the transcript line names both (8 and 7).
        index.insert(7, [Some(7), None], stored(1, 3, 100));
        assert_eq!(
            index.lookup(8, Some(7)),
            (7, Seen::Stored(stored(1, 3, 100)))
        );
        index.insert(7, [Some(8), Some(7)], stored(2, 3, 100));
        // An OTLP event names only the request id (8): it finds the record under 7.
        assert_eq!(index.lookup(8, None), (7, Seen::Stored(stored(2, 3, 100))));
        assert_eq!(index.len(), 1);
        // Two generations later both ids are sealed.
        for key in 0..2 * GENERATION as u64 {
            index.insert(1_000 + key, [None, None], stored(1, 3, 100));
        }
        assert_eq!(index.get(7), Seen::Sealed);
        assert_eq!(index.get(8), Seen::Sealed);
        assert!(index.aliases.is_empty());
        // Forgetting the record forgets both.
        let mut index = DedupeIndex::new(Retention::default());
        index.insert(7, [Some(8), Some(7)], stored(2, 3, 100));
        index.remove(8);
        assert_eq!((index.get(7), index.get(8)), (Seen::New, Seen::New));
    }

    #[test]
    fn buckets_stay_replaceable_whatever_arrives_then_go_after_a_day() {
        let mut index = index();
        let bucket = |minute| Stored {
            kind: EventKind::Bucket,
            ..stored(10, 0, minute)
        };
        index.insert(7, [None, None], bucket(1000));
        for key in 0..3 * GENERATION as u64 {
            index.insert(100 + key, [None, None], stored(1, 3, 1000));
        }
        assert_eq!(index.get(7), Seen::Stored(bucket(1000)));
        for minute in 0..2000 {
            index.insert(
                1_000_000 + minute as u64,
                [None, None],
                bucket(1000 + 2 * minute),
            );
        }
        assert_eq!(index.get(7), Seen::New);
        assert!(index.buckets.len() <= 2 * 24 * 30 + 1024);
    }
}
