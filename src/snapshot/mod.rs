//! The contract between the aggregator and everything that shows what it counted: the
//! immutable [`Snapshot`] it publishes (every output reads it), and what the outputs ask of it
//! in return ([`GroupBy`] rows, [`Control`]s, [`ReplayCommand`]s).
//!
//! Its JSON form is the documented contract of `watch`, `report --format json` and
//! `replay --format json` (DESIGN.md §6). Fields are only ever added, never renamed.

mod audit;
mod billing;
mod compare;
mod counters;
mod estimates;
mod histogram;
mod org;
mod request;
mod spend;
mod status;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use audit::{Kind, Lever};

pub use audit::AuditGroup;

pub use audit::AuditSnapshot;

pub(crate) use audit::{ByLever, ESTIMATE_NOTE, LeverSummary, Opportunity, SkippedCounts, per_day};
pub(crate) use billing::{BilledItem, ReconciliationDay};
pub use compare::{CompareRow, CompareSide, CompareSnapshot, Effects, PerUnit, PerUnitRow};
pub use counters::{CounterSeries, CounterSnapshot};
pub(crate) use counters::{ModelCounters, output_bounds};
pub use estimates::ClaudeCodeEstimates;
pub(crate) use estimates::{Comparison, DayEstimate, SessionEstimate, UncoveredModel};
pub(crate) use histogram::{BOUNDS, BUCKETS, HistogramBucket, bucket_of};
pub use org::{ClaudeCodeActor, OrgSnapshot, RateLimitStatus, SpendLimitStatus};
pub use request::{Control, GroupBy, ReplayCommand, StreamView};
pub(crate) use spend::MAX_GROUP_ROWS;
pub(crate) use spend::ModelOutputStats;
pub use spend::{
    BatchStats, CacheStats, GroupBreakdown, GroupRow, ModelRow, OutputStats, SeriesPoint,
    SpendOverTime, SpendSummary, Totals, UnpricedModel, WindowSpan,
};
pub use status::{AlarmLogEntry, AlarmStatus, BudgetStatus, ReplayStatus, SourceStatus};

/// Everything the panes, `watch` and `report` show, as of one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    pub(crate) series_step_seconds: i64,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<GroupRow>,
    /// The time zone that day, hour and period boundaries follow.
    pub(crate) time_zone: String,
    /// Estimated vs billed per UTC day, when the Admin API cost report is read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) reconciliation: Vec<ReconciliationDay>,
    /// Claude Code's own estimate beside costtop's, when its cost figures were read.
    #[serde(default, skip_serializing_if = "ClaudeCodeEstimates::is_empty")]
    pub claude_code_estimates: ClaudeCodeEstimates,
    /// The organisation's spend limits, rate-limit headroom and Claude Code figures, when
    /// the Admin API gave them.
    #[serde(default, skip_serializing_if = "OrgSnapshot::is_empty")]
    pub org: OrgSnapshot,
    /// `report --compare A B`: the change in spend between two periods, split into effects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareSnapshot>,
    /// `--per tag:KEY`: spend per distinct value of a tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_unit: Option<PerUnit>,
    /// Spend per local hour or day, when the HTML report asked for it (not part of the JSON).
    #[serde(skip)]
    pub spend_over_time: Option<SpendOverTime>,
    /// Set when replaying: where the replay stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<ReplayStatus>,
    /// Cumulative counters since start, for `/metrics` (runs with an HTTP listener only;
    /// not part of the JSON).
    #[serde(skip)]
    pub counters: Option<std::sync::Arc<CounterSnapshot>>,
}
