//! Budgets: a spend limit per hour, day, week or month, optionally for a subset of usage
//! (what the config, the flags and the demo set; the aggregator says where each stands).

use chrono::{DateTime, Utc};
use globset::{Glob, GlobMatcher};

use crate::money::Money;
use crate::time::{Period, Zone};
use crate::usage::Tier;

/// Which usage a budget counts; every set field must match.
#[derive(Debug, Clone, Default)]
pub struct BudgetFilter {
    /// Model id glob, e.g. `claude-opus-*`.
    pub(crate) model: Option<GlobMatcher>,
    /// Exact project.
    pub(crate) project: Option<String>,
    /// Service tier.
    pub(crate) tier: Option<Tier>,
    /// A tag `key=value`.
    pub(crate) tag: Option<(String, String)>,
}

impl BudgetFilter {
    /// A filter from its parts as written in the config file.
    pub fn new(
        model: Option<&str>,
        project: Option<String>,
        tier: Option<Tier>,
        tag: Option<(String, String)>,
    ) -> Result<BudgetFilter, String> {
        let model = model
            .map(|g| Glob::new(g).map(|g| g.compile_matcher()))
            .transpose()
            .map_err(|e| format!("bad model glob: {e}"))?;
        Ok(BudgetFilter {
            model,
            project,
            tier,
            tag,
        })
    }

    /// Whether it counts all usage (no field set).
    pub(crate) fn is_empty(&self) -> bool {
        self.model.is_none() && self.project.is_none() && self.tier.is_none() && self.tag.is_none()
    }
}

/// Whose spend a budget holds to its limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// All usage its filter lets through, together.
    #[default]
    All,
    /// Each project's own (`check` and `hook`: the current one; elsewhere the largest).
    Project,
    /// Each session's own (`check` and `hook`: the current one; elsewhere the largest).
    Session,
}

impl Scope {
    /// The name used in the config, on the command line and in JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Project => "project",
            Scope::Session => "session",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Scope, String> {
        match s {
            "all" => Ok(Scope::All),
            "project" => Ok(Scope::Project),
            "session" => Ok(Scope::Session),
            _ => Err(format!("unknown scope {s:?} (use all, project, session)")),
        }
    }
}

/// A spend limit.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Name shown on screen and in alarms.
    pub name: String,
    /// Period the limit applies to.
    pub period: Period,
    /// The limit.
    pub limit: Money,
    /// Fraction of the limit at which it warns (default 0.8).
    pub warn_at: f64,
    /// Which usage counts.
    pub filter: BudgetFilter,
    /// Whose spend is held to the limit: all of it, or each project's or session's own.
    pub scope: Scope,
}

impl Budget {
    /// A budget over all usage, as `--budget day=200` gives.
    pub fn simple(period: Period, limit_usd: f64) -> Budget {
        Budget {
            name: format!("{period} budget"),
            period,
            limit: Money::from_usd(limit_usd),
            warn_at: 0.8,
            filter: BudgetFilter::default(),
            scope: Scope::All,
        }
    }

    /// The current period around `now` in `zone`.
    pub(crate) fn period_bounds(
        &self,
        zone: Zone,
        now: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        self.period.bounds(zone, now)
    }

    /// Where the burn rate behind a projection is measured from: the last hour (the last 15
    /// minutes for an hour budget), never before the period's `start`.
    pub(crate) fn rate_from(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        let lookback = if self.period == Period::Hour {
            chrono::Duration::minutes(15)
        } else {
            chrono::Duration::hours(1)
        };
        (now - lookback).max(start)
    }

    /// `spent` plus the burn of `recent` (spent from `rate_from` to `now`, at least a
    /// minute's worth) carried on until the period's `end`.
    pub(crate) fn projected(
        spent: Money,
        recent: Money,
        rate_from: DateTime<Utc>,
        now: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Money {
        let rate_secs = (now - rate_from).num_seconds().max(60) as f64;
        let remaining = (end - now).num_seconds().max(0) as f64;
        spent + Money::from_usd(recent.usd() / rate_secs * remaining)
    }

    /// `ok`, `warn` or `exceeded` for a spend.
    pub(crate) fn state(&self, spent: Money) -> &'static str {
        if spent >= self.limit {
            "exceeded"
        } else if spent.usd() >= self.limit.usd() * self.warn_at {
            "warn"
        } else {
            "ok"
        }
    }
}

/// How a budget stands, worst last (the order `check`'s exit codes follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Under its warning level.
    Ok,
    /// At or past its warning level, under the limit.
    Warn,
    /// At or past the limit.
    Exceeded,
}

impl State {
    /// `ok`, `warn` or `exceeded`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::Exceeded => "exceeded",
        }
    }

    /// Reads `ok`, `warn` or `exceeded`.
    pub(crate) fn parse(s: &str) -> Option<State> {
        match s {
            "ok" => Some(State::Ok),
            "warn" => Some(State::Warn),
            "exceeded" => Some(State::Exceeded),
            _ => None,
        }
    }
}

/// Where one budget stands at a moment, for `check` and `hook`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Standing {
    /// The budget's name.
    pub(crate) name: String,
    /// Its period.
    pub(crate) period: Period,
    /// Whose spend it holds.
    pub(crate) scope: Scope,
    /// The project or session judged, for a scoped budget.
    pub(crate) subject: Option<String>,
    /// The limit.
    pub(crate) limit: Money,
    /// Spent this period.
    pub(crate) spent: Money,
    /// Spent plus the recent burn over the rest of the period.
    pub(crate) projected: Money,
    /// Some usage had no price: the true spend is higher.
    pub(crate) lower_bound: bool,
    /// Where it stands (`None`: it could not be told, see `unknown`).
    pub(crate) state: Option<State>,
    /// Why it could not be told.
    pub(crate) unknown: Option<String>,
    /// The period's start.
    pub(crate) start: DateTime<Utc>,
    /// The period's end.
    pub(crate) end: DateTime<Utc>,
    /// Set when this is one of the organisation's spend limits rather than a budget.
    pub(crate) org: Option<OrgLimit>,
}

/// What marks a standing as one of the organisation's spend limits (`check --admin-api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrgLimit {
    /// The limit's scope type as the API writes it (`organization`, `workspace`, `user`, …).
    pub(crate) scope: String,
    /// Who measured the spend: `anthropic` (the Spend Limits API) or `costtop`.
    pub(crate) spent_source: String,
}

impl Budget {
    /// Where the budget stands having spent `spent` (projected `projected`) this period.
    pub(crate) fn standing(
        &self,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        spent: Money,
        projected: Money,
    ) -> Standing {
        Standing {
            name: self.name.clone(),
            period: self.period,
            scope: self.scope,
            subject: None,
            limit: self.limit,
            spent,
            projected,
            lower_bound: false,
            state: State::parse(self.state(spent)),
            unknown: None,
            start,
            end,
            org: None,
        }
    }
}
