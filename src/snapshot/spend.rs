//! The spend figures of a snapshot: totals over the window, per model, cache, batch, output
//! length, spend over time and the breakdowns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::histogram::HistogramBucket;
use crate::money::Money;

/// Most rows kept per breakdown in a live snapshot (the report's `--by` rows are complete).
pub(crate) const MAX_GROUP_ROWS: usize = 50;

/// The start and end of the selected window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowSpan {
    /// Window name: `15m`, `1h`, `today`, `7d`, `30d`, `month`, `all`.
    pub name: String,
    /// Inclusive start (the earliest record for `all`).
    pub start: Option<DateTime<Utc>>,
    /// Exclusive end (now).
    pub end: DateTime<Utc>,
}

/// Summed usage and cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Cost in USD (priced models only).
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// Deduplicated API responses.
    pub requests: u64,
    /// Uncached input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// 5-minute cache writes.
    pub(crate) cache_write_5m_tokens: u64,
    /// 1-hour cache writes.
    pub(crate) cache_write_1h_tokens: u64,
    /// Cache reads.
    pub(crate) cache_read_tokens: u64,
    /// Web searches.
    pub(crate) web_search_requests: u64,
    /// Requests whose model (or date) the price table does not price: counted, not costed.
    pub unpriced_requests: u64,
    /// Whether `cost` leaves unpriced records out, so the true cost is higher.
    pub cost_is_lower_bound: bool,
}

/// One model's totals and its share of spend.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// The model id as the sources wrote it (normalised spelling).
    pub model: String,
    /// Its totals.
    #[serde(flatten)]
    pub(crate) totals: Totals,
    /// Share of the window's spend, 0–1.
    pub(crate) share_of_cost: f64,
    /// False when the model is not in the price table.
    pub priced: bool,
    /// Its spend per step of `series` (the screen's per-model trend).
    #[serde(rename = "trend_usd", default)]
    pub(crate) trend: Vec<Money>,
}

/// Cache metrics (DESIGN.md §4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheStats {
    /// cache read / (uncached input + cache writes + cache reads), token-weighted.
    pub hit_ratio: f64,
    /// Cache read tokens per cache write token.
    pub(crate) reads_per_write: f64,
    /// What the cached tokens would have cost uncached minus what they cost.
    #[serde(rename = "net_savings_usd")]
    pub(crate) net_savings: Money,
    /// 5-minute write tokens.
    pub(crate) write_5m_tokens: u64,
    /// 1-hour write tokens.
    pub(crate) write_1h_tokens: u64,
    /// Read tokens.
    pub(crate) read_tokens: u64,
}

/// Batch API share and savings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchStats {
    /// Batch spend / total spend.
    pub share_of_cost: f64,
    /// Batch requests / total requests.
    pub(crate) share_of_requests: f64,
    /// What the batch tier saved against standard prices.
    #[serde(rename = "savings_usd")]
    pub savings: Money,
    /// Batch spend.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// Batch requests.
    pub requests: u64,
}

/// Output-token distribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputStats {
    /// Median output tokens per request (upper bound of its bucket).
    pub(crate) p50: u64,
    /// 90th percentile.
    pub(crate) p90: u64,
    /// 99th percentile.
    pub(crate) p99: u64,
    /// Largest output seen.
    pub max: u64,
    /// Share of responses that stopped at `max_tokens`.
    pub(crate) max_tokens_share: f64,
    /// Log-scale buckets: requests with output ≤ `le` (and above the previous bucket).
    pub buckets: Vec<HistogramBucket>,
    /// The same per model.
    pub(crate) by_model: Vec<ModelOutputStats>,
}

/// Output-token distribution of one model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ModelOutputStats {
    /// Model id.
    pub(crate) model: String,
    /// Requests counted.
    pub(crate) requests: u64,
    /// Median.
    pub(crate) p50: u64,
    /// 90th percentile.
    pub(crate) p90: u64,
    /// 99th percentile.
    pub(crate) p99: u64,
    /// Largest.
    pub(crate) max: u64,
    /// Share stopped at `max_tokens`.
    pub(crate) max_tokens_share: f64,
    /// Buckets.
    pub(crate) buckets: Vec<HistogramBucket>,
}

/// Spend today and this month with projections to the end of each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendSummary {
    /// Spend since local midnight.
    #[serde(rename = "today_usd")]
    pub today: Money,
    /// Spend since the first of the month.
    #[serde(rename = "month_usd")]
    pub month: Money,
    /// Today's spend plus the 1-hour burn rate over the rest of the day.
    #[serde(rename = "projected_today_usd")]
    pub projected_today: Money,
    /// Month's spend plus the trailing 24-hour rate over the rest of the month.
    #[serde(rename = "projected_month_usd")]
    pub projected_month: Money,
}

/// Spend in one step of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Start of the step.
    pub(crate) start: DateTime<Utc>,
    /// Spend in the step.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// Requests in the step.
    pub(crate) requests: u64,
    /// Cache hit ratio in the step (token-weighted), when there was input.
    pub(crate) hit_ratio: Option<f64>,
}

/// Spend per local hour (when the records span two days or less) or per local day: the HTML
/// report's chart. Its rows sum exactly to the window's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpendOverTime {
    /// One row per local day (`false`: per local hour).
    pub daily: bool,
    /// Oldest first, from the first record's hour or day to the last one's, empty ones
    /// included; keyed as `report --by hour|day` keys its rows.
    pub rows: Vec<GroupRow>,
}

/// A breakdown of the window by one dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupBreakdown {
    /// `tier`, `project`, `session` or `tag:KEY`.
    pub by: String,
    /// Rows, most expensive first.
    pub rows: Vec<GroupRow>,
}

/// One row of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group's value (`(none)` when a record has no value for it).
    pub key: String,
    /// Its totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// Share of the window's spend.
    pub(crate) share_of_cost: f64,
}

/// A model costtop could not price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpricedModel {
    /// Model id as written.
    pub model: String,
    /// Requests seen.
    pub(crate) requests: u64,
    /// All tokens seen (input, writes, reads, output).
    pub tokens: u64,
}
