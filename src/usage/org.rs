//! What an organisation's Admin API says beyond usage buckets: who spends (the dimensions
//! `actor`, `api_key`, `workspace`, `product`, carried as tags), the org's spend limits, its
//! configured rate limits, and Claude Code's own per-developer figures.

use std::fmt;

use chrono::NaiveDate;

use super::event::Tokens;
use crate::money::Money;
use crate::time::Period;

/// An organisation dimension a record may be attributed to. Records carry it as a tag whose
/// key is [`OrgDimension::tag_key`] and whose value is a readable name (an email, a key or
/// workspace name) where the API gives one, the id otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgDimension {
    /// Who sent the request: a user (email), a service account, an API key, a federated
    /// identity.
    Actor,
    /// The API key that authenticated it.
    ApiKey,
    /// The workspace it ran in.
    Workspace,
    /// The product it came from (Claude Code, the API, …), as the API spells it.
    Product,
}

impl OrgDimension {
    /// Every dimension, in the order screens cycle through them.
    pub const ALL: [OrgDimension; 4] = [
        OrgDimension::Actor,
        OrgDimension::ApiKey,
        OrgDimension::Workspace,
        OrgDimension::Product,
    ];

    /// The tag key a record carries the dimension under (also its name in `--by`).
    pub fn tag_key(self) -> &'static str {
        match self {
            OrgDimension::Actor => "actor",
            OrgDimension::ApiKey => "api_key",
            OrgDimension::Workspace => "workspace",
            OrgDimension::Product => "product",
        }
    }

    /// The dimension whose tag key (or `--by` name) is `name`.
    pub fn from_name(name: &str) -> Option<OrgDimension> {
        OrgDimension::ALL.into_iter().find(|d| d.tag_key() == name)
    }
}

impl fmt::Display for OrgDimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag_key())
    }
}

/// Organisation facts a source read, each replacing what the same source said before.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgUpdate {
    /// Every spend limit in force (the whole list: an absent limit was removed).
    SpendLimits(Vec<SpendLimitReading>),
    /// Every configured rate limit (the whole list).
    RateLimits(Vec<RateLimitGroup>),
    /// Claude Code's per-developer figures for `days` (every row of those days: a day read
    /// again replaces its rows).
    ClaudeCode {
        /// The UTC days the rows cover.
        days: Vec<NaiveDate>,
        /// One row per developer and day.
        rows: Vec<ClaudeCodeDay>,
    },
}

/// One spend limit of the organisation (Spend Limits API), with Anthropic's own reading of
/// the spend so far in its period when it gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendLimitReading {
    /// What it is shown as: `organization`, `workspace Production`, `user a@b.c`,
    /// `usage tier`.
    pub name: String,
    /// The scope type as the API writes it (`organization`, `workspace`, `user`,
    /// `usage_tier`, …; unknown ones kept as text).
    pub scope: String,
    /// The dimension value the scope matches (a workspace's or user's readable name), for
    /// counting costtop's own spend when Anthropic gives none.
    pub subject: Option<(OrgDimension, String)>,
    /// The period it applies to (UTC boundaries).
    pub period: Period,
    /// The cap; `None`: no numeric cap at this scope.
    pub limit: Option<Money>,
    /// Spend so far in the period as Anthropic reports it (`period_to_date_spend`).
    pub spent: Option<Money>,
    /// False when the API says the limit is switched off.
    pub enabled: bool,
}

/// One rate-limit group of the organisation (Rate Limits API): its models and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitGroup {
    /// The group's display name (`Claude Sonnet 4.x`), else its id.
    pub name: String,
    /// `model_group`, `batch`, `files`, … as the API writes it.
    pub group_type: String,
    /// Model ids the group covers (empty for groups that are not about models).
    pub models: Vec<String>,
    /// Each limiter: its type (`input_tokens_per_minute`, …) and value.
    pub limits: Vec<(String, u64)>,
}

/// Claude Code's own figures for one developer (or API key) on one UTC day (Claude Code
/// Analytics API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaudeCodeDay {
    /// The UTC day.
    pub day: NaiveDate,
    /// The developer's email, or the API key's name.
    pub actor: String,
    /// Sessions that day.
    pub sessions: u64,
    /// Lines of code added and removed.
    pub lines: (u64, u64),
    /// Commits and pull requests made by Claude Code.
    pub commits: u64,
    /// Pull requests made by Claude Code.
    pub pull_requests: u64,
    /// Claude Code's estimated cost, summed over models.
    pub estimated_cost: Money,
    /// Its token counts, summed over models (cache writes counted as 5-minute writes: it gives
    /// no split).
    pub tokens: Tokens,
}
