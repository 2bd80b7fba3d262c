//! The dedupe index: every counted record under its 64-bit key, small enough to keep a
//! month of records (think hashes, not strings). A more complete copy replaces the stored one.

use std::collections::HashMap;

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

/// Key → stored record. Records whose counts fit 32 bits (every single request) are packed;
/// the rare larger ones (Admin API buckets) are kept whole in a second map.
#[derive(Debug, Default, Clone)]
pub(crate) struct DedupeIndex {
    packed: HashMap<u64, Packed>,
    wide: HashMap<u64, Stored>,
}

impl DedupeIndex {
    /// The record stored under `key`.
    pub fn get(&self, key: u64) -> Option<Stored> {
        self.packed
            .get(&key)
            .map(Packed::unpack)
            .or_else(|| self.wide.get(&key).copied())
    }

    /// Stores (or replaces) the record under `key`.
    pub fn insert(&mut self, key: u64, stored: Stored) {
        if let Some(p) = Packed::pack(&stored) {
            self.wide.remove(&key);
            self.packed.insert(key, p);
        } else {
            self.packed.remove(&key);
            self.wide.insert(key, stored);
        }
    }

    /// Forgets one key (replay: after the last copy of a record, nothing can replace it).
    pub fn remove(&mut self, key: u64) {
        self.packed.remove(&key);
        self.wide.remove(&key);
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.packed = HashMap::new();
        self.wide = HashMap::new();
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.packed.len() + self.wide.len()
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
        assert_eq!(index.get(1), Some(stored(10)));
        let big = stored(u64::from(u32::MAX) + 1);
        index.insert(1, big);
        assert_eq!(index.get(1), Some(big));
        assert_eq!(index.len(), 1);
        index.insert(1, stored(3));
        assert_eq!(index.get(1), Some(stored(3)));
        assert_eq!(index.len(), 1);
        assert!(std::mem::size_of::<Packed>() <= 64);
    }
}
