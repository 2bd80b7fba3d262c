//! The dedupe index: every counted record under its 64-bit key, small enough to keep a
//! month of records (think hashes, not strings). A more complete copy replaces the stored one.

use foldhash::{HashMap, HashSet};

use super::rollup::Dims;
use crate::usage::{EventKind, Modifiers, StopReason, Tokens};

/// A counted record: enough to retract its contribution (its cost is recomputed from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Minute it was counted in (minutes since the epoch).
    pub minute: i64,
    /// Its completeness rank.
    pub rank: u64,
    /// Where it was counted.
    pub dims: Dims,
    /// Its tokens.
    pub tokens: Tokens,
    /// Its pricing modifiers.
    pub modifiers: Modifiers,
    /// Request, failed request or bucket.
    pub kind: EventKind,
    /// Its stop reason.
    pub stop_reason: Option<StopReason>,
}

/// `Stored` packed into 64 bytes: minute as `i32`, token counts as `u32`.
#[derive(Debug, Clone, Copy)]
struct Packed {
    rank: u64,
    minute: i32,
    dims: Dims,
    tokens: [u32; 6],
    modifiers: Modifiers,
    kind: EventKind,
    stop_reason: Option<StopReason>,
}

impl Packed {
    fn pack(s: &Stored) -> Option<Packed> {
        let t = &s.tokens;
        let fit = |v: u64| u32::try_from(v).ok();
        Some(Packed {
            rank: s.rank,
            minute: i32::try_from(s.minute).ok()?,
            dims: s.dims,
            tokens: [
                fit(t.input)?,
                fit(t.cache_write_5m)?,
                fit(t.cache_write_1h)?,
                fit(t.cache_read)?,
                fit(t.output)?,
                fit(t.web_search_requests)?,
            ],
            modifiers: s.modifiers,
            kind: s.kind,
            stop_reason: s.stop_reason,
        })
    }

    fn unpack(&self) -> Stored {
        let [input, five_minute, one_hour, read, output, searches] = self.tokens.map(u64::from);
        Stored {
            minute: i64::from(self.minute),
            rank: self.rank,
            dims: self.dims,
            tokens: Tokens {
                input,
                cache_write_5m: five_minute,
                cache_write_1h: one_hour,
                cache_read: read,
                output,
                web_search_requests: searches,
            },
            modifiers: self.modifiers,
            kind: self.kind,
            stop_reason: self.stop_reason,
        }
    }
}

/// Packed records a generation holds before the older generation is sealed.
pub(crate) const GENERATION: usize = 1 << 16;

/// What the index knows about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Never counted.
    New,
    /// Counted; replaceable by a more complete copy.
    Stored(Stored),
    /// Counted long ago (more than one generation of records since): only its key is kept,
    /// and any further copy is a duplicate.
    Sealed,
}

/// Key → stored record, in two generations plus a set of sealed keys, so memory stays small
/// however long costtop runs: a record stays replaceable for at least [`GENERATION`] later
/// records (streamed copies arrive within a few lines; resumed-session copies are verbatim
/// and equal, so a key is all they need), then only its 8-byte key is kept. Records whose
/// counts do not fit 32 bits (large Admin API buckets) are kept whole and never sealed.
#[derive(Debug, Default, Clone)]
pub(crate) struct DedupeIndex {
    young: HashMap<u64, Packed>,
    old: HashMap<u64, Packed>,
    sealed: HashSet<u64>,
    wide: HashMap<u64, Stored>,
}

impl DedupeIndex {
    /// What is known about `key`.
    pub fn get(&self, key: u64) -> Seen {
        if let Some(p) = self.young.get(&key).or_else(|| self.old.get(&key)) {
            return Seen::Stored(p.unpack());
        }
        if let Some(s) = self.wide.get(&key) {
            return Seen::Stored(*s);
        }
        if self.sealed.contains(&key) {
            Seen::Sealed
        } else {
            Seen::New
        }
    }

    /// Stores (or replaces) the record under `key`.
    pub fn insert(&mut self, key: u64, stored: Stored) {
        self.old.remove(&key);
        if let Some(p) = Packed::pack(&stored) {
            self.wide.remove(&key);
            if self.young.len() >= GENERATION && !self.young.contains_key(&key) {
                let retired = std::mem::replace(&mut self.old, std::mem::take(&mut self.young));
                self.sealed.extend(retired.into_keys());
            }
            self.young.insert(key, p);
        } else {
            self.young.remove(&key);
            self.wide.insert(key, stored);
        }
    }

    /// Forgets one key (replay: after the last copy of a record, nothing can replace it).
    pub fn remove(&mut self, key: u64) {
        self.young.remove(&key);
        self.old.remove(&key);
        self.sealed.remove(&key);
        self.wide.remove(&key);
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = DedupeIndex::default();
    }

    /// Records held (replaceable or sealed).
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len() + self.sealed.len() + self.wide.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Tier;

    fn stored(output: u64) -> Stored {
        Stored {
            minute: 29_000_000,
            rank: 7,
            dims: Dims {
                model: 1,
                project: 2,
                session: 3,
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

    #[test]
    fn packed_and_wide_records_round_trip_and_replace_each_other() {
        let mut index = DedupeIndex::default();
        index.insert(1, stored(10));
        assert_eq!(index.get(1), Seen::Stored(stored(10)));
        let big = stored(u64::from(u32::MAX) + 1);
        index.insert(1, big);
        assert_eq!(index.get(1), Seen::Stored(big));
        assert_eq!(index.len(), 1);
        index.insert(1, stored(3));
        assert_eq!(index.get(1), Seen::Stored(stored(3)));
        assert_eq!(index.len(), 1);
        assert_eq!(index.get(2), Seen::New);
        assert!(std::mem::size_of::<Packed>() <= 64);
    }

    #[test]
    fn records_stay_replaceable_for_a_generation_then_only_their_key_is_kept() {
        let mut index = DedupeIndex::default();
        index.insert(0, stored(1));
        for key in 1..=GENERATION as u64 {
            index.insert(key, stored(1));
        }
        // One generation later the first record can still be replaced…
        assert_eq!(index.get(0), Seen::Stored(stored(1)));
        for key in 0..GENERATION as u64 {
            index.insert(1_000_000 + key, stored(1));
        }
        // …two generations later it is sealed: a copy is a duplicate, never counted again.
        assert_eq!(index.get(0), Seen::Sealed);
        assert_eq!(index.len(), 2 * GENERATION + 1);
    }
}
