//! A set of 64-bit record keys at about 9 bytes per key, for keys that must be remembered for a
//! whole run (a month of Claude Code requests) without the doubling spikes of a hash table.
//!
//! Keys are already uniform hashes (`usage::dedupe_key`), so their top bits pick one of 2^k
//! small unsorted vectors, scanned linearly. A vector grows by an eighth at a time, and when
//! the average vector passes [`SPLIT_AT`] keys every vector is split in two by the next bit,
//! one at a time: the set never holds two copies of itself, unlike a hash table that doubles.

/// Average keys per vector before the vectors are split (a lookup scans one vector).
const SPLIT_AT: usize = 48;
/// Bits of the key that pick a vector in a new set (16 vectors).
const START_BITS: u32 = 4;

/// A set of `u64` keys that grows in small steps (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct KeySet {
    bits: u32,
    vectors: Vec<Vec<u64>>,
    len: usize,
}

impl Default for KeySet {
    fn default() -> Self {
        KeySet {
            bits: START_BITS,
            vectors: vec![Vec::new(); 1 << START_BITS],
            len: 0,
        }
    }
}

impl KeySet {
    fn slot(&self, key: u64) -> usize {
        // `bits` is between START_BITS and 63, so the shift is in range.
        (key >> (64 - self.bits)) as usize
    }

    /// Whether `key` is in the set.
    pub(crate) fn contains(&self, key: u64) -> bool {
        self.vectors[self.slot(key)].contains(&key)
    }

    /// Adds `key`; returns whether it was new.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        let slot = self.slot(key);
        let v = &mut self.vectors[slot];
        if v.contains(&key) {
            return false;
        }
        if v.len() == v.capacity() {
            v.reserve_exact((v.len() / 8).max(4));
        }
        v.push(key);
        self.len += 1;
        if self.len > self.vectors.len() * SPLIT_AT && self.bits < 63 {
            self.split();
        }
        true
    }

    /// Removes `key`; returns whether it was there.
    pub(crate) fn remove(&mut self, key: u64) -> bool {
        let slot = self.slot(key);
        let v = &mut self.vectors[slot];
        match v.iter().position(|&k| k == key) {
            Some(i) => {
                v.swap_remove(i);
                self.len -= 1;
                true
            }
            None => false,
        }
    }

    /// Keys held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes the set holds on the heap (vectors' capacity and the table of vectors).
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        let keys: usize = self.vectors.iter().map(Vec::capacity).sum();
        keys * size_of::<u64>() + self.vectors.capacity() * size_of::<Vec<u64>>()
    }

    /// Doubles the vectors, splitting each by the next bit of its keys, one vector at a time
    /// and in place: the upper half moves to a new vector of exactly its size, the lower half
    /// stays and gives back the room it no longer needs (which the next new vector reuses).
    fn split(&mut self) {
        self.bits += 1;
        let bit = 1u64 << (64 - self.bits);
        let old = std::mem::take(&mut self.vectors);
        let mut vectors = Vec::with_capacity(old.len() * 2);
        for mut lo in old {
            let high = lo.iter().filter(|&&k| k & bit != 0).count();
            let mut hi = Vec::with_capacity(high);
            hi.extend(lo.extract_if(.., |k| *k & bit != 0));
            lo.shrink_to_fit();
            vectors.push(lo);
            vectors.push(hi);
        }
        self.vectors = vectors;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::dedupe_key;

    fn key(n: u64) -> u64 {
        dedupe_key(&[&n.to_le_bytes()])
    }

    #[test]
    fn holds_every_key_once_through_many_splits() {
        let mut set = KeySet::default();
        for n in 0..100_000 {
            assert!(set.insert(key(n)));
        }
        assert!(!set.insert(key(7)));
        assert_eq!(set.len(), 100_000);
        assert!((0..100_000).all(|n| set.contains(key(n))));
        assert!(!(100_000..110_000).any(|n| set.contains(key(n))));
        assert!(set.remove(key(7)));
        assert!(!set.remove(key(7)));
        assert!(!set.contains(key(7)));
        assert_eq!(set.len(), 99_999);
    }

    #[test]
    fn keeps_keys_in_about_nine_bytes_each() {
        let mut set = KeySet::default();
        for n in 0..200_000 {
            set.insert(key(n));
        }
        let per_key = set.heap_bytes() as f64 / 200_000.0;
        assert!(per_key < 10.5, "{per_key:.2} bytes per key");
    }

    #[test]
    fn extreme_keys_land_in_the_first_and_last_vectors() {
        let mut set = KeySet::default();
        for k in [0, 1, u64::MAX, u64::MAX - 1, 1 << 63] {
            assert!(set.insert(k));
            assert!(set.contains(k));
        }
        assert_eq!(set.len(), 5);
    }
}
