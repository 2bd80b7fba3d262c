//! A group's spend as a product of seven factors, and what it would have cost with each
//! factor taken from either period (exact rational arithmetic, rounded once per cost).
//!
//! For each model of the group (a cell), with `n` its requests and `N` the group's:
//!
//! ```text
//! cost = N · s · ( k · ( P · Σ φ_c·p_c + O · p_out ) + ω · q )        c ∈ input, 5m, 1h, read
//!        │   │     │     │    └ cache   └ price  │       └ price  │   └ fee per search (price)
//!        │   │     │     └ prompt tokens per request (input)     └ searches per request (input)
//!        │   │     └ billed ÷ standard-tier cost (batch)         output tokens per request (output)
//!        │   └ n ÷ N, the model's share of requests (mix)
//!        └ requests (volume)
//! ```
//!
//! With φ_c the category's share of the prompt and p_c its cost per token at the standard
//! tier, this is the cell's billed spend exactly. A value a period cannot define (a model
//! absent from it, a category with no tokens) is taken from the other period, so it changes
//! nothing. Records without requests (billed iterations, Admin API buckets) form cells of
//! their own, whose share is 1 (0 when absent) and whose intensities are per request of the
//! group.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

use super::shapley::MASKS;
use crate::money::Money;
use crate::pricing::Parts;
use crate::usage::Tokens;

/// A model's records in a group and a period: requests, tokens, cost by category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Rollup {
    /// Requests.
    pub(crate) requests: u64,
    /// Tokens.
    pub(crate) tokens: Tokens,
    /// Cost by category at the standard tier ([`Parts::standard`]).
    pub(crate) standard: [Money; 5],
    /// Billed cost of the tokens.
    pub(crate) billed: Money,
    /// Per-request fees.
    pub(crate) fees: Money,
}

impl Rollup {
    /// Adds (or, when `add` is false, takes back) one record.
    pub(crate) fn apply(&mut self, requests: u64, tokens: Tokens, parts: &Parts, add: bool) {
        if add {
            self.requests += requests;
            self.tokens += tokens;
            for (s, p) in self.standard.iter_mut().zip(parts.standard) {
                *s += p;
            }
            self.billed += parts.billed;
            self.fees += parts.fees;
        } else {
            self.requests = self.requests.saturating_sub(requests);
            self.tokens -= tokens;
            for (s, p) in self.standard.iter_mut().zip(parts.standard) {
                *s -= p;
            }
            self.billed -= parts.billed;
            self.fees -= parts.fees;
        }
    }

    /// Adds another rollup.
    pub(crate) fn merge(&mut self, o: &Rollup) {
        self.requests += o.requests;
        self.tokens += o.tokens;
        for (s, p) in self.standard.iter_mut().zip(o.standard) {
            *s += p;
        }
        self.billed += o.billed;
        self.fees += o.fees;
    }

    /// What it was billed.
    pub(crate) fn cost(&self) -> Money {
        self.billed + self.fees
    }

    fn is_empty(&self) -> bool {
        *self == Rollup::default()
    }
}

/// A cell: a model, and whether its records are requests (`false`) or requestless
/// (billed iterations, buckets).
pub(crate) type CellKey = (u32, bool);

/// A group in one period: its cells.
pub(crate) type Group = BTreeMap<CellKey, Rollup>;

type Q = BigRational;

/// One cell's factor values in one period (`None`: the period cannot define it).
#[derive(Clone, Default)]
struct Values {
    share: Option<Q>,
    cache: [Option<Q>; 4],
    batch: Option<Q>,
    output: Option<Q>,
    input: Option<Q>,
    searches: Option<Q>,
    prices: [Option<Q>; 5],
    fee: Option<Q>,
}

fn int(n: impl Into<BigInt>) -> Q {
    Q::from_integer(n.into())
}

/// `a / b`, `None` when `b` is zero.
fn ratio(a: impl Into<BigInt>, b: impl Into<BigInt>) -> Option<Q> {
    let b = b.into();
    (!b.is_zero()).then(|| Q::new(a.into(), b))
}

/// The prompt's categories: uncached input, 5-minute writes, 1-hour writes, reads.
fn prompt(t: &Tokens) -> [u64; 4] {
    [t.input, t.cache_write_5m, t.cache_write_1h, t.cache_read]
}

impl Values {
    /// The values of a cell with `group_requests` requests in its group.
    fn of(r: &Rollup, requestless: bool, group_requests: u64) -> Values {
        let per = if requestless {
            group_requests
        } else {
            r.requests
        };
        let share = if requestless {
            Some(int(u8::from(!r.is_empty())))
        } else {
            ratio(r.requests, group_requests)
        };
        let parts = prompt(&r.tokens);
        let prompt_total: u64 = parts.iter().sum();
        let standard: Money = r.standard.iter().copied().sum();
        let counts = [parts[0], parts[1], parts[2], parts[3], r.tokens.output];
        Values {
            share,
            cache: parts.map(|c| ratio(c, prompt_total)),
            batch: ratio(r.billed.0, standard.0),
            output: ratio(r.tokens.output, per),
            input: ratio(prompt_total, per),
            searches: ratio(r.tokens.web_search_requests, per),
            prices: std::array::from_fn(|c| ratio(r.standard[c].0, counts[c])),
            fee: ratio(r.fees.0, r.tokens.web_search_requests),
        }
    }
}

/// Each value of `a` and `b`, the missing side taken from the other, `fallback` if both are.
fn pair(a: Option<Q>, b: Option<Q>, fallback: &Q) -> [Q; 2] {
    match (a, b) {
        (Some(a), Some(b)) => [a, b],
        (Some(a), None) => [a.clone(), a],
        (None, Some(b)) => [b.clone(), b],
        (None, None) => [fallback.clone(), fallback.clone()],
    }
}

/// A cell's values with both periods filled in, indexed by period (0 = A, 1 = B).
struct Pairs {
    share: [Q; 2],
    batch: [Q; 2],
    output: [Q; 2],
    input: [Q; 2],
    /// `Σ φ_c·p_c` by (cache period, price period).
    prompt_price: [[Q; 2]; 2],
    /// `p_out` by price period.
    output_price: [Q; 2],
    /// `ω · q` by (input period, price period).
    searches_fee: [[Q; 2]; 2],
}

impl Pairs {
    fn new(a: Values, b: Values) -> Pairs {
        let zero = Q::zero();
        let cache: Vec<[Q; 2]> = a
            .cache
            .into_iter()
            .zip(b.cache)
            .map(|(x, y)| pair(x, y, &zero))
            .collect();
        let prices: Vec<[Q; 2]> = a
            .prices
            .into_iter()
            .zip(b.prices)
            .map(|(x, y)| pair(x, y, &zero))
            .collect();
        let searches = pair(a.searches, b.searches, &zero);
        let fee = pair(a.fee, b.fee, &zero);
        let prompt_price = std::array::from_fn(|c| {
            std::array::from_fn(|p| {
                cache
                    .iter()
                    .zip(&prices)
                    .map(|(share, price)| &share[c] * &price[p])
                    .sum()
            })
        });
        Pairs {
            share: pair(a.share, b.share, &zero),
            batch: pair(a.batch, b.batch, &Q::one()),
            output: pair(a.output, b.output, &zero),
            input: pair(a.input, b.input, &zero),
            output_price: prices[4].clone(),
            searches_fee: std::array::from_fn(|i| std::array::from_fn(|p| &searches[i] * &fee[p])),
            prompt_price,
        }
    }

    /// The cell's cost per request of the group with each factor's period from `mask`.
    fn per_group_request(&self, mask: usize) -> Q {
        let side = |factor: usize| (mask >> factor) & 1;
        let (mix, cache, batch, output, input, price) =
            (side(1), side(2), side(3), side(4), side(5), side(6));
        let tokens = &self.input[input] * &self.prompt_price[cache][price]
            + &self.output[output] * &self.output_price[price];
        &self.share[mix] * (&self.batch[batch] * tokens + &self.searches_fee[input][price])
    }
}

/// What the group would have cost under each of the 128 choices of period per factor, each
/// rounded half away from zero to a picodollar; `None` when a period has spend without any
/// request (nothing to divide by).
pub(super) fn costs(a: &Group, b: &Group) -> Option<[i128; MASKS]> {
    let requests = |g: &Group| -> u64 { g.values().map(|r| r.requests).sum() };
    let volume = [requests(a), requests(b)];
    for (g, n) in [(a, volume[0]), (b, volume[1])] {
        if n == 0
            && g.values()
                .any(|r| r.cost() != Money::ZERO || r.tokens.total() > 0)
        {
            return None;
        }
    }
    let empty = Rollup::default();
    let keys: std::collections::BTreeSet<&CellKey> = a.keys().chain(b.keys()).collect();
    let cells: Vec<Pairs> = keys
        .into_iter()
        .map(|key| {
            let value = |g: &Group, n| Values::of(g.get(key).unwrap_or(&empty), key.1, n);
            Pairs::new(value(a, volume[0]), value(b, volume[1]))
        })
        .collect();
    let volume = volume.map(int);
    Some(std::array::from_fn(|mask| {
        let per_request: Q = cells.iter().map(|c| c.per_group_request(mask)).sum();
        let cost = (&volume[mask & 1] * per_request).round();
        cost.to_integer().to_i128().unwrap_or(0)
    }))
}
