//! The cumulative counters `/metrics` shows: every figure since costtop started, per model,
//! tier, speed and label, never going down.

use std::sync::Arc;

use super::histogram::BOUNDS;
use crate::money::Money;
use crate::usage::{Tier, Tokens};

/// The counters as `/metrics` shows them: every figure cumulative since costtop started.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CounterSnapshot {
    /// Tag keys exported as extra labels, in the order of each series' `labels`.
    pub(crate) label_keys: Vec<String>,
    /// Cost, requests and tokens per model, tier, speed and tag labels.
    pub series: Vec<CounterSeries>,
    /// Unpriced requests and the output-token histogram per model.
    pub(crate) models: Vec<ModelCounters>,
}

/// One series of cost, requests and tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterSeries {
    /// Model id as the sources wrote it (`other` past the series cap).
    pub(crate) model: Arc<str>,
    /// Service tier.
    pub(crate) tier: Tier,
    /// Fast mode.
    pub(crate) fast: bool,
    /// Values of the label tag keys (empty: the record had no such tag).
    pub(crate) labels: Vec<Arc<str>>,
    /// Cost of priced records.
    pub(crate) cost: Money,
    /// Requests.
    pub(crate) requests: u64,
    /// Tokens by kind.
    pub(crate) tokens: Tokens,
}

/// Per-model counters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ModelCounters {
    /// Model id (`other` past the series cap).
    pub(crate) model: Arc<str>,
    /// Requests whose model has no price.
    pub(crate) unpriced_requests: u64,
    /// Cumulative requests with output at or below each of [`output_bounds`]; the last
    /// entry (one past the bounds) counts every request.
    pub(crate) output_cumulative: Vec<u64>,
    /// Output tokens of the requests in the histogram.
    pub(crate) output_sum: u64,
}

/// Upper bounds of the output-token histogram's buckets, matching
/// [`ModelCounters::output_cumulative`] (which has one more entry, for `+Inf`).
pub(crate) fn output_bounds() -> &'static [u64] {
    &BOUNDS
}
