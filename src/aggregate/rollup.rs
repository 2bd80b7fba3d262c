//! Rollup storage: per-minute cells keyed by compact dimensions. Memory grows with distinct
//! minutes × models × projects × sessions × tag sets, not with the number of records.

use foldhash::HashMap;
use std::sync::Arc;

use crate::pricing::{Cost, Money};
use crate::usage::{Tier, Tokens};

/// Interned strings: each distinct model, project, session or tag string is stored once.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    /// The strings interned last, by allocation: events read from one file share their
    /// model, project and session `Arc`s, so most lookups end here without hashing.
    recent: [Option<(Arc<str>, u32)>; RECENT],
    next_recent: usize,
}

/// Entries in [`Interner::intern_shared`]'s cache of recent strings.
const RECENT: usize = 8;

impl Interner {
    /// A new interner where id 0 is the empty string ("none").
    pub fn new() -> Interner {
        let mut i = Interner::default();
        i.intern("");
        i
    }

    /// The id of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        let arc: Arc<str> = Arc::from(s);
        self.names.push(arc.clone());
        self.ids.insert(arc, id);
        id
    }

    /// The id of a shared string: [`intern`](Self::intern), answered from a few recent
    /// allocations first.
    pub fn intern_shared(&mut self, s: &Arc<str>) -> u32 {
        for (arc, id) in self.recent.iter().flatten() {
            if Arc::ptr_eq(arc, s) {
                return *id;
            }
        }
        let id = self.intern(s);
        self.recent[self.next_recent] = Some((Arc::clone(s), id));
        self.next_recent = (self.next_recent + 1) % RECENT;
        id
    }

    /// The id of `s` if it was ever interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The shared string of an id.
    pub fn arc(&self, id: u32) -> Arc<str> {
        self.names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }

    /// The string of an id.
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}

/// Interned tag sets: a sorted list of (key id, value id) pairs per id; id 0 is "no tags".
#[derive(Debug, Clone)]
pub struct TagSets {
    ids: HashMap<Vec<(u32, u32)>, u32>,
    sets: Vec<Vec<(u32, u32)>>,
}

impl Default for TagSets {
    fn default() -> Self {
        let mut t = TagSets {
            ids: HashMap::default(),
            sets: Vec::new(),
        };
        t.intern(&[]);
        t
    }
}

impl TagSets {
    /// The id of a tag set, adding it when new.
    pub fn intern(&mut self, set: &[(u32, u32)]) -> u32 {
        if let Some(&id) = self.ids.get(set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.to_vec());
        self.ids.insert(set.to_vec(), id);
        id
    }

    /// The pairs of a tag set.
    pub fn pairs(&self, id: u32) -> &[(u32, u32)] {
        self.sets.get(id as usize).map_or(&[], Vec::as_slice)
    }
}

/// The dimensions a cell is keyed by (all interned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dims {
    /// Model id (interner).
    pub model: u32,
    /// Project (interner; 0 = none).
    pub project: u32,
    /// Session (interner; 0 = none).
    pub session: u32,
    /// Tag set (`TagSets`; 0 = none).
    pub tags: u32,
    /// Service tier.
    pub tier: Tier,
}

/// What one record adds to (or, when replaced, takes from) the rollups.
#[derive(Debug, Clone, Copy)]
pub struct Contribution {
    /// Where it is counted.
    pub dims: Dims,
    /// Its tokens.
    pub tokens: Tokens,
    /// 1 for a request, 0 for an API bucket.
    pub requests: u64,
    /// Its price; `None` when the model is unpriced.
    pub cost: Option<Cost>,
    /// Output-histogram bucket, for requests.
    pub output_bucket: Option<u8>,
    /// Whether it stopped at `max_tokens`.
    pub max_tokens: bool,
    /// Fast mode (a label of the `/metrics` counters).
    pub fast: bool,
}

/// Summed figures: the wide accumulator the snapshot folds into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Tokens.
    pub tokens: Tokens,
    /// Requests (deduplicated responses).
    pub requests: u64,
    /// Billed cost of priced records.
    pub cost: Money,
    /// What caching saved: cached tokens at the uncached price minus what they cost.
    pub cache_savings: Money,
    /// Savings from the batch tier.
    pub batch_savings: Money,
    /// Requests that stopped at `max_tokens`.
    pub max_tokens_stops: u64,
    /// Requests counted in the output histogram.
    pub histogram_requests: u64,
    /// Largest single output.
    pub max_output: u64,
    /// Requests whose model has no price.
    pub unpriced_requests: u64,
    /// Tokens of requests whose model has no price.
    pub unpriced_tokens: u64,
}

impl Cell {
    /// Adds a stored cell's figures.
    pub fn merge(&mut self, o: &StoredCell) {
        self.tokens += o.tokens;
        self.requests += u64::from(o.requests);
        self.cost += Money(i128::from(o.cost));
        self.cache_savings += Money(i128::from(o.cache_savings));
        self.batch_savings += Money(i128::from(o.batch_savings));
        self.max_tokens_stops += u64::from(o.max_tokens_stops);
        self.histogram_requests += u64::from(o.histogram_requests);
        self.max_output = self.max_output.max(u64::from(o.max_output));
        self.unpriced_requests += u64::from(o.unpriced_requests);
        self.unpriced_tokens += o.unpriced_tokens;
    }
}

/// The compact figures of one (minute, dimensions) cell as stored. Money is in picodollars
/// as `i64` (±$9.2 million per cell and minute) and counters are `u32` (per minute), which
/// keeps a month of per-request cells small; the snapshot folds them into wide [`Cell`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoredCell {
    /// Tokens.
    pub tokens: Tokens,
    /// Tokens of unpriced requests.
    pub unpriced_tokens: u64,
    /// Billed cost, picodollars.
    pub cost: i64,
    /// Cache savings, picodollars.
    pub cache_savings: i64,
    /// Batch savings, picodollars.
    pub batch_savings: i64,
    /// Requests.
    pub requests: u32,
    /// Requests stopped at `max_tokens`.
    pub max_tokens_stops: u32,
    /// Requests in the output histogram.
    pub histogram_requests: u32,
    /// Unpriced requests.
    pub unpriced_requests: u32,
    /// Largest single output (saturating).
    pub max_output: u32,
}

/// Money into a stored cell's `i64`, saturating (a minute's cell never nears the bound).
fn picos(m: Money) -> i64 {
    i64::try_from(m.0).unwrap_or(if m.0 < 0 { i64::MIN } else { i64::MAX })
}

impl StoredCell {
    fn apply(&mut self, c: &Contribution, add: bool) {
        let cost = c.cost.unwrap_or_default();
        let unpriced = u32::from(c.cost.is_none()) * c.requests as u32;
        let unpriced_tokens = if c.cost.is_none() {
            c.tokens.total()
        } else {
            0
        };
        let hist = u32::from(c.output_bucket.is_some());
        let stops = u32::from(c.max_tokens);
        let requests = c.requests as u32;
        let savings = cost.cache_uncached_equivalent - cost.cache;
        if add {
            self.tokens += c.tokens;
            self.requests += requests;
            self.cost += picos(cost.total);
            self.cache_savings += picos(savings);
            self.batch_savings += picos(cost.batch_savings);
            self.max_tokens_stops += stops;
            self.histogram_requests += hist;
            self.unpriced_requests += unpriced;
            self.unpriced_tokens += unpriced_tokens;
            if c.output_bucket.is_some() {
                let out = u32::try_from(c.tokens.output).unwrap_or(u32::MAX);
                self.max_output = self.max_output.max(out);
            }
        } else {
            self.tokens -= c.tokens;
            self.requests = self.requests.saturating_sub(requests);
            self.cost -= picos(cost.total);
            self.cache_savings -= picos(savings);
            self.batch_savings -= picos(cost.batch_savings);
            self.max_tokens_stops = self.max_tokens_stops.saturating_sub(stops);
            self.histogram_requests = self.histogram_requests.saturating_sub(hist);
            self.unpriced_requests = self.unpriced_requests.saturating_sub(unpriced);
            self.unpriced_tokens = self.unpriced_tokens.saturating_sub(unpriced_tokens);
        }
    }
}

/// Everything counted in one minute.
#[derive(Debug, Default, Clone)]
pub struct Minute {
    /// One cell per distinct dimension set.
    pub cells: Vec<(Dims, StoredCell)>,
    /// Output histogram entries: (model, bucket, count).
    pub histogram: Vec<(u32, u8, u32)>,
    /// Total cost of the minute (all cells).
    pub cost: Money,
}

/// Pushes without the default growth to four slots: most minutes hold one or two cells.
fn push_tight<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() && v.len() < 4 {
        v.reserve_exact(1);
    }
    v.push(item);
}

impl Minute {
    /// Adds (`add`) or retracts a contribution.
    pub fn apply(&mut self, c: &Contribution, add: bool) {
        let index = if let Some(i) = self.cells.iter().position(|(d, _)| *d == c.dims) {
            i
        } else {
            push_tight(&mut self.cells, (c.dims, StoredCell::default()));
            self.cells.len() - 1
        };
        self.cells[index].1.apply(c, add);
        let cost = c.cost.map_or(Money::ZERO, |x| x.total);
        if add {
            self.cost += cost;
        } else {
            self.cost -= cost;
        }
        if let Some(bucket) = c.output_bucket {
            let model = c.dims.model;
            match self
                .histogram
                .iter_mut()
                .find(|(m, b, _)| *m == model && *b == bucket)
            {
                Some((_, _, n)) if add => *n += 1,
                Some((_, _, n)) => *n = n.saturating_sub(1),
                None if add => push_tight(&mut self.histogram, (model, bucket, 1)),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_intern_by_text_not_by_address() {
        let mut strings = Interner::new();
        let a: Arc<str> = Arc::from("opus");
        let b: Arc<str> = Arc::from("opus");
        let id = strings.intern_shared(&a);
        assert_eq!(strings.intern_shared(&b), id);
        assert_eq!(strings.intern_shared(&a), id);
        assert_eq!(strings.intern("opus"), id);
        assert_ne!(strings.intern_shared(&Arc::from("haiku")), id);
        // Past the cache of recent strings, lookups still find the same ids.
        let many: Vec<Arc<str>> = (0..3 * RECENT).map(|n| Arc::from(n.to_string())).collect();
        let ids: Vec<u32> = many.iter().map(|s| strings.intern_shared(s)).collect();
        let again: Vec<u32> = many.iter().map(|s| strings.intern_shared(s)).collect();
        assert_eq!(ids, again);
        assert_eq!(strings.intern_shared(&a), id);
    }
}
