//! `Snapshot`: the immutable picture of spend the aggregator publishes; every output reads it.
//!
//! Its JSON form is the documented contract of `watch`, `report --format json` and
//! `replay --format json` (DESIGN.md §6). Fields are only ever added, never renamed.

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use super::audit::AuditSnapshot;
use crate::pricing::Money;

pub use super::estimates_snapshot::{
    ClaudeCodeEstimates, Comparison, DayEstimate, EstimateCoverage, SessionEstimate, UncoveredModel,
};

/// Everything the panes, `watch` and `report` show, as of one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    /// The clock's "now" when this snapshot was taken (event time when replaying).
    pub as_of: DateTime<Utc>,
    /// The window the totals and breakdowns cover.
    pub window: WindowSpan,
    /// Totals over the window.
    pub totals: Totals,
    /// Per model over the window, most expensive first.
    pub by_model: Vec<ModelRow>,
    /// Cache effectiveness over the window.
    pub cache: CacheStats,
    /// Batch API use over the window.
    pub batch: BatchStats,
    /// Output tokens per request over the window.
    pub output_tokens: OutputStats,
    /// Spend per hour over the last 15 minutes.
    pub burn_rate_usd_per_hour: f64,
    /// Spend per hour over the last hour.
    pub burn_rate_1h_usd_per_hour: f64,
    /// Spend today, this month, and their projections to the period's end.
    pub spend: SpendSummary,
    /// Spend over time across the window, oldest first, at `series_step_seconds` resolution.
    pub series: Vec<SeriesPoint>,
    /// Width of one `series` point in seconds.
    pub series_step_seconds: i64,
    /// Breakdowns for the "top" pane: by tier, project, session and each tag key.
    pub groups: Vec<GroupBreakdown>,
    /// Budgets and their state.
    pub budgets: Vec<BudgetStatus>,
    /// Active (not yet cleared) alarms.
    pub alarms: Vec<AlarmStatus>,
    /// Recent alarm transitions, newest last (bounded).
    pub alarm_log: Vec<AlarmLogEntry>,
    /// Models seen in the window whose prices are unknown: tokens counted, cost not.
    pub unpriced_models: Vec<UnpricedModel>,
    /// When the price table in force was last checked against Anthropic's prices.
    pub prices_checked: String,
    /// Health of each input source.
    pub sources: Vec<SourceStatus>,
    /// Savings opportunities over the window: the four levers in dollars.
    pub audit: AuditSnapshot,
    /// Extra rows for `report --by …` (empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<GroupRow>,
    /// The time zone that day, hour and period boundaries follow.
    pub time_zone: String,
    /// Estimated vs billed per UTC day, when the Admin API cost report is read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reconciliation: Vec<ReconciliationDay>,
    /// Claude Code's own estimate beside costtop's, when its cost figures were read.
    #[serde(skip_serializing_if = "ClaudeCodeEstimates::is_empty")]
    pub claude_code_estimates: ClaudeCodeEstimates,
    /// Set when replaying: where the replay stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplayStatus>,
    /// Cumulative counters since start, for `/metrics` (runs with an HTTP listener only;
    /// not part of the JSON).
    #[serde(skip)]
    pub counters: Option<std::sync::Arc<super::counters::CounterSnapshot>>,
}

/// The start and end of the selected window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WindowSpan {
    /// Window name: `15m`, `1h`, `today`, `7d`, `30d`, `month`, `all`.
    pub name: String,
    /// Inclusive start (the earliest record for `all`).
    pub start: Option<DateTime<Utc>>,
    /// Exclusive end (now).
    pub end: DateTime<Utc>,
}

/// Summed usage and cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
    pub cache_write_5m_tokens: u64,
    /// 1-hour cache writes.
    pub cache_write_1h_tokens: u64,
    /// Cache reads.
    pub cache_read_tokens: u64,
    /// Web searches.
    pub web_search_requests: u64,
    /// Requests whose model (or date) the price table does not price: counted, not costed.
    pub unpriced_requests: u64,
    /// Whether `cost` leaves unpriced records out, so the true cost is higher.
    pub cost_is_lower_bound: bool,
}

/// One model's totals and its share of spend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelRow {
    /// The model id as the sources wrote it (normalised spelling).
    pub model: String,
    /// Its totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// Share of the window's spend, 0–1.
    pub share_of_cost: f64,
    /// False when the model is not in the price table.
    pub priced: bool,
    /// Its spend per step of `series`, for the screen's per-model trend (not in JSON:
    /// `series` carries the total).
    #[serde(skip)]
    pub trend: Vec<Money>,
}

/// Cache metrics (DESIGN.md §4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CacheStats {
    /// cache read / (uncached input + cache writes + cache reads), token-weighted.
    pub hit_ratio: f64,
    /// Cache read tokens per cache write token.
    pub reads_per_write: f64,
    /// What the cached tokens would have cost uncached minus what they cost.
    #[serde(rename = "net_savings_usd")]
    pub net_savings: Money,
    /// 5-minute write tokens.
    pub write_5m_tokens: u64,
    /// 1-hour write tokens.
    pub write_1h_tokens: u64,
    /// Read tokens.
    pub read_tokens: u64,
}

/// Batch API share and savings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BatchStats {
    /// Batch spend / total spend.
    pub share_of_cost: f64,
    /// Batch requests / total requests.
    pub share_of_requests: f64,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutputStats {
    /// Median output tokens per request (upper bound of its bucket).
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest output seen.
    pub max: u64,
    /// Share of responses that stopped at `max_tokens`.
    pub max_tokens_share: f64,
    /// Log-scale buckets: requests with output ≤ `le` (and above the previous bucket).
    pub buckets: Vec<HistogramBucket>,
    /// The same per model.
    pub by_model: Vec<ModelOutputStats>,
}

/// One histogram bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HistogramBucket {
    /// Upper bound (inclusive) of the bucket, in tokens.
    pub le: u64,
    /// Requests in the bucket.
    pub count: u64,
}

/// Output-token distribution of one model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelOutputStats {
    /// Model id.
    pub model: String,
    /// Requests counted.
    pub requests: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest.
    pub max: u64,
    /// Share stopped at `max_tokens`.
    pub max_tokens_share: f64,
    /// Buckets.
    pub buckets: Vec<HistogramBucket>,
}

/// Spend today and this month with projections to the end of each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Start of the step.
    pub start: DateTime<Utc>,
    /// Spend in the step.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// Requests in the step.
    pub requests: u64,
    /// Cache hit ratio in the step (token-weighted), when there was input.
    pub hit_ratio: Option<f64>,
}

/// A breakdown of the window by one dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupBreakdown {
    /// `tier`, `project`, `session` or `tag:KEY`.
    pub by: String,
    /// Rows, most expensive first.
    pub rows: Vec<GroupRow>,
}

/// One row of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group's value (`(none)` when a record has no value for it).
    pub key: String,
    /// Its totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// Share of the window's spend.
    pub share_of_cost: f64,
}

/// Where a budget stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BudgetStatus {
    /// Budget name.
    pub name: String,
    /// `hour`, `day`, `week` or `month`.
    pub period: String,
    /// The limit.
    pub limit_usd: f64,
    /// Spent in the current period (matching the budget's filter).
    pub spent_usd: f64,
    /// Spent plus the current burn over the rest of the period.
    pub projected_usd: f64,
    /// `ok`, `warn`, `exceeded`.
    pub state: String,
    /// Fraction of the limit at which the budget warns.
    pub warn_at: f64,
    /// Start of the current period.
    pub period_start: DateTime<Utc>,
    /// End of the current period.
    pub period_end: DateTime<Utc>,
}

/// An active alarm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlarmStatus {
    /// Stable id of the alarm (kind plus subject), for acknowledging.
    pub id: String,
    /// `budget_warn`, `budget_exceeded`, `forecast`, `spend_spike`, `cache_losing_money`,
    /// `unpriced_model`, `source_down`.
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// When it started.
    pub since: DateTime<Utc>,
    /// Human sentence.
    pub message: String,
    /// Acknowledged by the user (still active, no longer flashing).
    pub acknowledged: bool,
}

/// One line of the alarm log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlarmLogEntry {
    /// Sequence number of the transition, increasing; hooks use it to act once per entry.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Alarm kind.
    pub kind: String,
    /// Severity.
    pub severity: String,
    /// `raised` or `cleared`.
    pub transition: String,
    /// Human sentence.
    pub message: String,
    /// For budget alarms: spend in the period when it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spent_usd: Option<f64>,
    /// For budget alarms: the budget's limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_usd: Option<f64>,
}

/// A model costtop could not price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnpricedModel {
    /// Model id as written.
    pub model: String,
    /// Requests seen.
    pub requests: u64,
    /// All tokens seen (input, writes, reads, output).
    pub tokens: u64,
}

/// Health of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// Source name (a path, `stdin`, `admin-api`, `demo`).
    pub name: String,
    /// `ok`, `stale`, `error`, `done`.
    pub state: String,
    /// Why it is not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Lines (or API buckets) read.
    pub lines: u64,
    /// Lines that could not be parsed.
    pub parse_errors: u64,
    /// `file:line` and reason of the first parse error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// Time of the newest record.
    pub last_event: Option<DateTime<Utc>>,
    /// Files followed (tail sources).
    pub files: u64,
    /// A receiver's (the OTLP listener's) senders, refused payloads and records whose cache
    /// TTL was assumed; absent for other sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver: Option<crate::usage::ReceiverCounts>,
}

/// Replay position, shown in the header.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReplayStatus {
    /// Speed factor (`0` = paused).
    pub speed: f64,
    /// Paused.
    pub paused: bool,
    /// First record's time.
    pub start: Option<DateTime<Utc>>,
    /// Last record's time.
    pub end: Option<DateTime<Utc>>,
    /// Fraction of records replayed, 0–1.
    pub progress: f64,
    /// Records whose time came from their file's modification time.
    pub undated_records: u64,
}

/// What costtop estimated for a UTC day against what Anthropic billed for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReconciliationDay {
    /// The UTC day.
    pub day: chrono::NaiveDate,
    /// costtop's estimate from usage records.
    #[serde(rename = "estimated_usd")]
    pub estimated: Money,
    /// The cost report's amount.
    #[serde(rename = "billed_usd")]
    pub billed: Money,
    /// (estimated − billed) / billed, in percent; `None` when nothing was billed.
    pub difference_pct: Option<f64>,
    /// Billed amounts per cost-report line item (model or description), largest first.
    pub items: Vec<BilledItem>,
    /// The day is not over: both figures are "so far", and the cost report lags usage.
    pub partial: bool,
}

/// One billed line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BilledItem {
    /// Model or description.
    pub item: String,
    /// Amount billed.
    #[serde(rename = "billed_usd")]
    pub billed: Money,
}
