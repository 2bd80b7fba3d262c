//! Where things stand at the snapshot's moment: budgets, alarms, sources, the replay.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a budget stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatus {
    /// Budget name.
    pub name: String,
    /// `hour`, `day`, `week` or `month`.
    pub period: String,
    /// The limit.
    pub(crate) limit_usd: f64,
    /// Spent in the current period (matching the budget's filter).
    pub spent_usd: f64,
    /// Spent plus the current burn over the rest of the period.
    pub projected_usd: f64,
    /// `ok`, `warn`, `exceeded`.
    pub state: String,
    /// Fraction of the limit at which the budget warns.
    pub(crate) warn_at: f64,
    /// Start of the current period.
    pub period_start: DateTime<Utc>,
    /// End of the current period.
    pub period_end: DateTime<Utc>,
    /// `project` or `session` when the limit holds for each one's own spend (absent: all
    /// usage together); `spent_usd` is then the largest one's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// With a scope: the project or session that spent the most this period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest: Option<String>,
}

/// An active alarm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmStatus {
    /// Stable id of the alarm (kind plus subject), for acknowledging.
    pub(crate) id: String,
    /// `budget_warn`, `budget_exceeded`, `forecast`, `spend_spike`, `cache_losing_money`,
    /// `unpriced_model`, `source_down`.
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub(crate) severity: String,
    /// When it started.
    pub since: DateTime<Utc>,
    /// Human sentence.
    pub(crate) message: String,
    /// Acknowledged by the user (still active, no longer flashing).
    pub acknowledged: bool,
}

/// One line of the alarm log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmLogEntry {
    /// Sequence number of the transition, increasing; hooks use it to act once per entry.
    pub(crate) seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Alarm kind.
    pub kind: String,
    /// Severity.
    pub(crate) severity: String,
    /// `raised` or `cleared`.
    pub transition: String,
    /// Human sentence.
    pub message: String,
    /// For budget alarms: spend in the period when it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) spent_usd: Option<f64>,
    /// For budget alarms: the budget's limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_usd: Option<f64>,
}

/// Health of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub(crate) first_error: Option<String>,
    /// Time of the newest record.
    pub(crate) last_event: Option<DateTime<Utc>>,
    /// Files followed (tail sources).
    pub files: u64,
    /// Records whose time named no zone (read as UTC, or local time as configured).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub naive_times: u64,
    /// Claude Code compactions the transcripts record (`compact_boundary` lines): their
    /// summary requests are billed but in no transcript line.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub compactions: u64,
    /// A receiver's (the OTLP listener's) senders, refused payloads and records whose cache
    /// TTL was assumed; absent for other sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) receiver: Option<crate::usage::ReceiverCounts>,
    /// The proxy's address and upstream, requests by status, clients, cancellations and
    /// added latency; absent for other sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) proxy: Option<Box<crate::usage::ProxyCounts>>,
    /// How the source reads, when it says (the Admin API: which API, and why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Replay position, shown in the header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayStatus {
    /// Speed factor (`0` = paused).
    pub(crate) speed: f64,
    /// Paused.
    pub(crate) paused: bool,
    /// First record's time.
    pub(crate) start: Option<DateTime<Utc>>,
    /// Last record's time.
    pub(crate) end: Option<DateTime<Utc>>,
    /// Fraction of records replayed, 0–1.
    pub(crate) progress: f64,
    /// Records whose time came from their file's modification time.
    pub undated_records: u64,
}

/// Serde's test for leaving a zero count out.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}
