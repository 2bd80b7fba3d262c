//! The snapshot's `org`: what the organisation's Admin API says beyond usage — its spend
//! limits beside the budgets, rate-limit headroom from minute buckets, and Claude Code's own
//! per-developer estimate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// The organisation's limits and Claude Code's figures, when the Admin API was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgSnapshot {
    /// The org's spend limits with the spend so far in their periods.
    pub spend_limits: Vec<SpendLimitStatus>,
    /// Configured rate limits with the usage of the latest minute that has data.
    pub rate_limits: Vec<RateLimitStatus>,
    /// Claude Code's own figures per developer over the window's days, largest estimate first.
    pub claude_code: Vec<ClaudeCodeActor>,
}

impl OrgSnapshot {
    /// Nothing to show (the Admin API gave none of it).
    pub(crate) fn is_empty(&self) -> bool {
        self.spend_limits.is_empty() && self.rate_limits.is_empty() && self.claude_code.is_empty()
    }
}

/// Where one of the org's spend limits stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendLimitStatus {
    /// What it is shown as (`organization`, `workspace Production`, `user a@b.c`).
    pub name: String,
    /// The scope type as the API writes it.
    pub scope: String,
    /// `day`, `week` or `month` (UTC boundaries).
    pub period: String,
    /// The cap; absent when the scope has no numeric cap.
    #[serde(rename = "limit_usd")]
    pub limit: Option<Money>,
    /// Spent so far in the period.
    #[serde(rename = "spent_usd")]
    pub spent: Money,
    /// Who says what was spent: `anthropic` (the Spend Limits API) or `costtop` (its own
    /// figure of the usage the scope covers, when Anthropic gives none).
    pub spent_source: String,
    /// `ok`, `warn`, `exceeded`, `no_limit` or `disabled`.
    pub state: String,
    /// Fraction of the limit at which it warns.
    pub warn_at: f64,
    /// Start of the current period.
    pub period_start: DateTime<Utc>,
    /// End of the current period.
    pub period_end: DateTime<Utc>,
}

impl SpendLimitStatus {
    /// Spent as a fraction of the limit (`None` without one).
    pub(crate) fn share(&self) -> Option<f64> {
        self.limit
            .filter(|l| l.0 > 0)
            .map(|l| self.spent.0 as f64 / l.0 as f64)
    }
}

/// One configured rate limit and how much of it the latest minute with data used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimitStatus {
    /// The group's name (`Claude Sonnet 4.x`).
    pub group: String,
    /// The limiter (`input_tokens_per_minute`, `output_tokens_per_minute`,
    /// `requests_per_minute`, …).
    pub limit_type: String,
    /// The configured value.
    pub limit: u64,
    /// What that minute used of it; absent when no minute bucket of the group's models is
    /// recent enough, or the limiter is not one costtop can count.
    pub used: Option<u64>,
    /// The minute that was read.
    pub minute: Option<DateTime<Utc>>,
}

impl RateLimitStatus {
    /// Used as a fraction of the limit.
    pub(crate) fn share(&self) -> Option<f64> {
        let used = self.used?;
        (self.limit > 0).then(|| used as f64 / self.limit as f64)
    }
}

/// Claude Code's figures for one developer (or API key) over the window's days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaudeCodeActor {
    /// Email, or the API key's name.
    pub actor: String,
    /// Days with figures.
    pub days: u64,
    /// Sessions.
    pub sessions: u64,
    /// Lines of code added.
    pub lines_added: u64,
    /// Lines of code removed.
    pub lines_removed: u64,
    /// Commits by Claude Code.
    pub commits: u64,
    /// Pull requests by Claude Code.
    pub pull_requests: u64,
    /// Claude Code's estimated cost.
    #[serde(rename = "estimate_usd")]
    pub estimate: Money,
}
