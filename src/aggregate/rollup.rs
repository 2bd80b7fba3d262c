//! Rollup storage: per-minute cells keyed by compact dimensions. Memory grows with distinct
//! minutes × models × projects × sessions × tag sets, not with the number of records.

use std::collections::HashMap;
use std::sync::Arc;

use crate::pricing::{Cost, Money};
use crate::usage::{Tier, Tokens};

/// Interned strings: each distinct model, project, session or tag string is stored once.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

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

    /// The id of `s` if it was ever interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
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
            ids: HashMap::new(),
            sets: Vec::new(),
        };
        t.intern(Vec::new());
        t
    }
}

impl TagSets {
    /// The id of a tag set, adding it when new.
    pub fn intern(&mut self, set: Vec<(u32, u32)>) -> u32 {
        if let Some(&id) = self.ids.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.clone());
        self.ids.insert(set, id);
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
    /// Service tier.
    pub tier: Tier,
    /// Project (interner; 0 = none).
    pub project: u32,
    /// Session (interner; 0 = none).
    pub session: u32,
    /// Tag set (`TagSets`; 0 = none).
    pub tags: u32,
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
}

/// Summed figures of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Tokens.
    pub tokens: Tokens,
    /// Requests (deduplicated responses).
    pub requests: u64,
    /// Billed cost of priced records.
    pub cost: Money,
    /// Part of `cost` paid for cache writes and reads.
    pub cache_cost: Money,
    /// What the cached tokens would have cost uncached.
    pub cache_uncached: Money,
    /// Savings from the batch tier.
    pub batch_savings: Money,
    /// Requests that stopped at `max_tokens`.
    pub max_tokens_stops: u64,
    /// Requests counted in the output histogram.
    pub histogram_requests: u64,
    /// Largest single output in the cell.
    pub max_output: u64,
    /// Requests whose model has no price.
    pub unpriced_requests: u64,
    /// Tokens of requests whose model has no price.
    pub unpriced_tokens: u64,
}

impl Cell {
    fn apply(&mut self, c: &Contribution, add: bool) {
        let cost = c.cost.unwrap_or_default();
        let unpriced = u64::from(c.cost.is_none());
        let hist = u64::from(c.output_bucket.is_some());
        let stops = u64::from(c.max_tokens);
        if add {
            self.tokens += c.tokens;
            self.requests += c.requests;
            self.cost += cost.total;
            self.cache_cost += cost.cache;
            self.cache_uncached += cost.cache_uncached_equivalent;
            self.batch_savings += cost.batch_savings;
            self.max_tokens_stops += stops;
            self.histogram_requests += hist;
            self.unpriced_requests += unpriced * c.requests;
            self.unpriced_tokens += unpriced * c.tokens.total();
            if c.output_bucket.is_some() {
                self.max_output = self.max_output.max(c.tokens.output);
            }
        } else {
            self.tokens -= c.tokens;
            self.requests = self.requests.saturating_sub(c.requests);
            self.cost -= cost.total;
            self.cache_cost -= cost.cache;
            self.cache_uncached -= cost.cache_uncached_equivalent;
            self.batch_savings -= cost.batch_savings;
            self.max_tokens_stops = self.max_tokens_stops.saturating_sub(stops);
            self.histogram_requests = self.histogram_requests.saturating_sub(hist);
            self.unpriced_requests = self.unpriced_requests.saturating_sub(unpriced * c.requests);
            self.unpriced_tokens = self
                .unpriced_tokens
                .saturating_sub(unpriced * c.tokens.total());
        }
    }

    /// Merges another cell's figures in.
    pub fn merge(&mut self, o: &Cell) {
        self.tokens += o.tokens;
        self.requests += o.requests;
        self.cost += o.cost;
        self.cache_cost += o.cache_cost;
        self.cache_uncached += o.cache_uncached;
        self.batch_savings += o.batch_savings;
        self.max_tokens_stops += o.max_tokens_stops;
        self.histogram_requests += o.histogram_requests;
        self.max_output = self.max_output.max(o.max_output);
        self.unpriced_requests += o.unpriced_requests;
        self.unpriced_tokens += o.unpriced_tokens;
    }
}

/// Everything counted in one minute.
#[derive(Debug, Default, Clone)]
pub struct Minute {
    /// One cell per distinct dimension set.
    pub cells: Vec<(Dims, Cell)>,
    /// Output histogram entries: (model, bucket, count).
    pub histogram: Vec<(u32, u8, u32)>,
    /// Total cost of the minute (all cells).
    pub cost: Money,
}

impl Minute {
    /// Adds (`add`) or retracts a contribution.
    pub fn apply(&mut self, c: &Contribution, add: bool) {
        let index = if let Some(i) = self.cells.iter().position(|(d, _)| *d == c.dims) {
            i
        } else {
            self.cells.push((c.dims, Cell::default()));
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
                None if add => self.histogram.push((model, bucket, 1)),
                None => {}
            }
        }
    }
}
