//! Rollup cells: summed figures keyed by compact dimensions, one [`Slot`] of cells per minute
//! or per local hour. Memory grows with distinct slots × models × projects × sessions × tag
//! sets, not with the number of records.

use crate::pricing::{Cost, Money};
use crate::usage::{Tier, Tokens};

/// The dimensions a cell is keyed by (all interned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Dims {
    /// Model id (interner).
    pub(crate) model: u32,
    /// Project (interner; 0 = none).
    pub(crate) project: u32,
    /// Session (interner; 0 = none).
    pub(crate) session: u32,
    /// Tag set (`TagSets`; 0 = none).
    pub(crate) tags: u32,
    /// Service tier.
    pub(crate) tier: Tier,
}

/// What one record adds to (or, when replaced, takes from) the rollups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Contribution {
    /// Where it is counted.
    pub(crate) dims: Dims,
    /// Its tokens.
    pub(crate) tokens: Tokens,
    /// 1 for a request, 0 for an API bucket.
    pub(crate) requests: u64,
    /// Its price; `None` when the model is unpriced.
    pub(crate) cost: Option<Cost>,
    /// Output-histogram bucket, for requests.
    pub(crate) output_bucket: Option<u8>,
    /// Whether it stopped at `max_tokens`.
    pub(crate) max_tokens: bool,
    /// Fast mode (a label of the `/metrics` counters).
    pub(crate) fast: bool,
}

/// Summed figures: the wide accumulator the snapshot folds into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cell {
    /// Tokens.
    pub(crate) tokens: Tokens,
    /// Requests (deduplicated responses).
    pub(crate) requests: u64,
    /// Billed cost of priced records.
    pub(crate) cost: Money,
    /// What caching saved: cached tokens at the uncached price minus what they cost.
    pub(crate) cache_savings: Money,
    /// Savings from the batch tier.
    pub(crate) batch_savings: Money,
    /// Requests that stopped at `max_tokens`.
    pub(crate) max_tokens_stops: u64,
    /// Requests counted in the output histogram.
    pub(crate) histogram_requests: u64,
    /// Largest single output.
    pub(crate) max_output: u64,
    /// Requests whose model has no price.
    pub(crate) unpriced_requests: u64,
    /// Tokens of requests whose model has no price.
    pub(crate) unpriced_tokens: u64,
}

impl Cell {
    /// Adds a stored cell's figures.
    pub(crate) fn merge(&mut self, o: &StoredCell) {
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
pub(crate) struct StoredCell {
    /// Tokens.
    pub(crate) tokens: Tokens,
    /// Tokens of unpriced requests.
    pub(crate) unpriced_tokens: u64,
    /// Billed cost, picodollars.
    pub(crate) cost: i64,
    /// Cache savings, picodollars.
    pub(crate) cache_savings: i64,
    /// Batch savings, picodollars.
    pub(crate) batch_savings: i64,
    /// Requests.
    pub(crate) requests: u32,
    /// Requests stopped at `max_tokens`.
    pub(crate) max_tokens_stops: u32,
    /// Requests in the output histogram.
    pub(crate) histogram_requests: u32,
    /// Unpriced requests.
    pub(crate) unpriced_requests: u32,
    /// Largest single output (saturating).
    pub(crate) max_output: u32,
}

/// Money into a stored cell's `i64`, saturating (a minute's cell never nears the bound).
fn picos(m: Money) -> i64 {
    i64::try_from(m.0).unwrap_or(if m.0 < 0 { i64::MIN } else { i64::MAX })
}

impl StoredCell {
    /// Adds another stored cell's figures.
    fn add(&mut self, o: &StoredCell) {
        self.tokens += o.tokens;
        self.unpriced_tokens += o.unpriced_tokens;
        self.cost += o.cost;
        self.cache_savings += o.cache_savings;
        self.batch_savings += o.batch_savings;
        self.requests += o.requests;
        self.max_tokens_stops += o.max_tokens_stops;
        self.histogram_requests += o.histogram_requests;
        self.unpriced_requests += o.unpriced_requests;
        self.max_output = self.max_output.max(o.max_output);
    }

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

/// Everything counted in one slot of time (a minute, or a whole local hour once folded).
#[derive(Debug, Default, Clone)]
pub(crate) struct Slot {
    /// One cell per distinct dimension set, sorted by dimensions.
    pub(crate) cells: Vec<(Dims, StoredCell)>,
    /// Output histogram entries: (model, bucket, count).
    pub(crate) histogram: Vec<(u32, u8, u32)>,
    /// Total cost of the slot (all cells).
    pub(crate) cost: Money,
}

/// Makes room for one more item, growing by an eighth (at least one): a month of hour slots
/// holding many cells must not carry the half-empty tail of doubling growth.
fn reserve_one<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 8).max(1));
    }
}

impl Slot {
    /// The cell of `dims`, added (empty) when new.
    fn cell(&mut self, dims: Dims) -> &mut StoredCell {
        let i = match self.cells.binary_search_by(|(d, _)| d.cmp(&dims)) {
            Ok(i) => i,
            Err(i) => {
                reserve_one(&mut self.cells);
                self.cells.insert(i, (dims, StoredCell::default()));
                i
            }
        };
        &mut self.cells[i].1
    }

    /// Adds (`add`) or retracts a contribution.
    pub(crate) fn apply(&mut self, c: &Contribution, add: bool) {
        self.cell(c.dims).apply(c, add);
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
                None if add => {
                    reserve_one(&mut self.histogram);
                    self.histogram.push((model, bucket, 1));
                }
                None => {}
            }
        }
    }

    /// Adds everything `other` counted (folding minutes into their hour).
    pub(crate) fn merge(&mut self, other: &Slot) {
        for (dims, c) in &other.cells {
            self.cell(*dims).add(c);
        }
        for &(model, bucket, count) in &other.histogram {
            if let Some((_, _, n)) = self
                .histogram
                .iter_mut()
                .find(|(m, b, _)| *m == model && *b == bucket)
            {
                *n += count;
            } else {
                reserve_one(&mut self.histogram);
                self.histogram.push((model, bucket, count));
            }
        }
        self.cost += other.cost;
    }
}
