//! The snapshot's `claude_code_estimates`: Claude Code's own estimate beside costtop's, per
//! session and per day, and the usage it accounted for that no transcript line holds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Claude Code's own figures beside costtop's: a check, never added to spend.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaudeCodeEstimates {
    /// Over every session below.
    #[serde(flatten)]
    pub(crate) total: Comparison,
    /// Per session, largest estimate first (at most 50 unless the report groups by session).
    pub by_session: Vec<SessionEstimate>,
    /// Per local day, oldest first.
    pub by_day: Vec<DayEstimate>,
    /// What Claude Code accounted for that costtop has no record of.
    pub coverage: EstimateCoverage,
}

impl ClaudeCodeEstimates {
    /// Nothing to show (no tool figures were read).
    pub(crate) fn is_empty(&self) -> bool {
        self.by_session.is_empty() && self.by_day.is_empty()
    }
}

/// Claude Code's estimate and costtop's cost of the same usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Claude Code's estimate.
    #[serde(rename = "estimate_usd")]
    pub estimate: Money,
    /// costtop's cost of the same usage (of the same requests, for per-request figures).
    #[serde(rename = "costtop_usd")]
    pub costtop: Money,
    /// Requests costtop cannot price, left out of `costtop_usd` (then a lower bound).
    pub(crate) costtop_unpriced_requests: u64,
    /// (costtop − estimate) / estimate, in percent; `None` when the estimate is zero.
    pub(crate) difference_pct: Option<f64>,
}

impl Comparison {
    /// Adds an estimate and costtop's figures for the same usage.
    pub(crate) fn add(&mut self, estimate: Money, costtop: Money, unpriced: u64) {
        self.estimate += estimate;
        self.costtop += costtop;
        self.costtop_unpriced_requests += unpriced;
        self.difference_pct = (self.estimate.0 != 0)
            .then(|| (self.costtop.0 - self.estimate.0) as f64 / self.estimate.0 as f64 * 100.0);
    }
}

/// One session's estimate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionEstimate {
    /// The session id (`(none)` for figures that name none).
    pub session: String,
    /// Which figures it comes from: `cost_state`, `otlp_metric` or `requests`.
    pub source: String,
    /// The estimate beside costtop's cost of the session.
    #[serde(flatten)]
    pub figures: Comparison,
    /// When the latest figure was written.
    pub(crate) last_written: DateTime<Utc>,
}

/// One day's estimate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayEstimate {
    /// The local day.
    pub day: NaiveDate,
    /// The day's estimate beside costtop's cost that day of the sessions with an estimate.
    #[serde(flatten)]
    pub figures: Comparison,
}

/// Usage Claude Code accounted for that no record costtop read holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EstimateCoverage {
    /// Sessions with an estimate.
    pub(crate) sessions: u64,
    /// Of those, sessions costtop has no record of at all.
    pub sessions_without_records: u64,
    /// Claude Code's cost of the usage below.
    #[serde(rename = "not_in_transcripts_usd")]
    pub(crate) not_in_transcripts_cost: Money,
    /// Per model, the usage in Claude Code's per-model totals of sessions that no record of
    /// the session is of (its auxiliary calls, e.g. session titles on a small model).
    pub not_in_transcripts_by_model: Vec<UncoveredModel>,
    /// The same per session and model, largest first (at most 50 unless the report groups by
    /// session).
    pub not_in_transcripts: Vec<UncoveredModel>,
    /// Figures forgotten to bound memory.
    pub(crate) dropped_figures: u64,
}

/// A model Claude Code counted that no record holds, in one session or summed over sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UncoveredModel {
    /// The session (empty in the per-model summary).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// Sessions summed (1 per session row).
    pub sessions: u64,
    /// The model as Claude Code named it.
    pub model: String,
    /// Claude Code's cost for it.
    #[serde(rename = "estimate_usd")]
    pub estimate: Money,
    /// Uncached input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Cache reads.
    pub(crate) cache_read_tokens: u64,
    /// Cache writes.
    pub(crate) cache_write_tokens: u64,
}

impl UncoveredModel {
    /// Adds another row of the same model.
    pub(crate) fn add(&mut self, o: &UncoveredModel) {
        self.sessions += o.sessions;
        self.estimate += o.estimate;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cache_read_tokens += o.cache_read_tokens;
        self.cache_write_tokens += o.cache_write_tokens;
    }
}
