//! Budgets: a spend limit per hour, day, week or month, optionally for a subset of usage.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use globset::{Glob, GlobMatcher};

use super::history::minute_of;
use super::rollup::Dims;
use super::snapshot::BudgetStatus;
use super::state::State;
use super::window::Zone;
use crate::pricing::Money;
use crate::usage::Tier;

/// The period a budget's limit applies to; boundaries follow the configured time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Clock hour.
    Hour,
    /// Calendar day.
    Day,
    /// Monday-to-Sunday week.
    Week,
    /// Calendar month.
    Month,
}

impl Period {
    /// The name used in config, flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// Start (inclusive) and end (exclusive) of the period around `now` in `zone`.
    pub fn bounds(self, zone: &Zone, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Period::Hour => {
                let s = zone.start_of_hour(now);
                (s, s + Duration::hours(1))
            }
            Period::Day => (zone.start_of_day(now), zone.end_of_day(now)),
            Period::Week => {
                let s = zone.start_of_week(now);
                (s, zone.start_of_week(s + Duration::days(8)))
            }
            Period::Month => (zone.start_of_month(now), zone.end_of_month(now)),
        }
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Period, String> {
        match s {
            "hour" | "hourly" => Ok(Period::Hour),
            "day" | "daily" => Ok(Period::Day),
            "week" | "weekly" => Ok(Period::Week),
            "month" | "monthly" => Ok(Period::Month),
            _ => Err(format!(
                "unknown budget period {s:?} (use hour, day, week, month)"
            )),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which usage a budget counts; every set field must match.
#[derive(Debug, Clone, Default)]
pub struct BudgetFilter {
    /// Model id glob, e.g. `claude-opus-*`.
    pub model: Option<GlobMatcher>,
    /// Exact project.
    pub project: Option<String>,
    /// Service tier.
    pub tier: Option<Tier>,
    /// A tag `key=value`.
    pub tag: Option<(String, String)>,
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
    pub fn is_empty(&self) -> bool {
        self.model.is_none() && self.project.is_none() && self.tier.is_none() && self.tag.is_none()
    }

    fn matches(&self, state: &State, d: &Dims) -> bool {
        let s = &state.strings;
        self.model
            .as_ref()
            .is_none_or(|g| g.is_match(s.name(d.model)))
            && self
                .project
                .as_deref()
                .is_none_or(|p| s.name(d.project) == p)
            && self.tier.is_none_or(|t| t == d.tier)
            && self.tag.as_ref().is_none_or(|(k, v)| {
                state
                    .tag_sets
                    .pairs(d.tags)
                    .iter()
                    .any(|(tk, tv)| s.name(*tk) == k && s.name(*tv) == v)
            })
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
        }
    }

    /// The current period around `now`.
    pub fn period_bounds(
        &self,
        state: &State,
        now: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        self.period.bounds(&state.settings.zone, now)
    }

    /// Spend matching the filter in `[from, to]` as seen at `now` (whole local hours before
    /// the detail frontier: periods start on local hours, so they are exact).
    pub fn spent(
        &self,
        state: &State,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Money {
        if self.filter.is_empty() {
            return state.spend_between(from, to, now);
        }
        let (a, b) = (minute_of(from), minute_of(to));
        if a > b {
            return Money::ZERO;
        }
        state
            .history
            .slots(a, b, now)
            .flat_map(|(_, m)| m.cells.iter())
            .filter(|(d, _)| self.filter.matches(state, d))
            .map(|(_, c)| Money(i128::from(c.cost)))
            .sum()
    }

    /// Spent so far this period and the projection to its end at the recent burn rate
    /// (the last hour; the last 15 minutes for hourly budgets; never longer than the period).
    pub fn spent_and_projected(&self, state: &State, now: DateTime<Utc>) -> (Money, Money) {
        let (start, end) = self.period_bounds(state, now);
        // Spend stamped later than now still counts in its period (clocks differ a little);
        // spend after the period's end does not.
        let spent = self.spent(state, start, end - Duration::seconds(1), now);
        let lookback = if self.period == Period::Hour {
            Duration::minutes(15)
        } else {
            Duration::hours(1)
        };
        let rate_from = (now - lookback).max(start);
        let rate_secs = (now - rate_from).num_seconds().max(60) as f64;
        let recent = self.spent(state, rate_from, now, now);
        let remaining = (end - now).num_seconds().max(0) as f64;
        let projected = spent + Money::from_usd(recent.usd() / rate_secs * remaining);
        (spent, projected)
    }

    /// Where the budget stands at `now`.
    pub fn status(&self, state: &State, now: DateTime<Utc>) -> BudgetStatus {
        let (start, end) = self.period_bounds(state, now);
        let (spent, projected) = self.spent_and_projected(state, now);
        BudgetStatus {
            name: self.name.clone(),
            period: self.period.as_str().to_string(),
            limit_usd: self.limit.usd(),
            spent_usd: crate::pricing::round_usd(spent.usd()),
            projected_usd: crate::pricing::round_usd(projected.usd()),
            state: self.state(spent).to_string(),
            warn_at: self.warn_at,
            period_start: start,
            period_end: end,
        }
    }

    /// `ok`, `warn` or `exceeded` for a spend.
    pub fn state(&self, spent: Money) -> &'static str {
        if spent >= self.limit {
            "exceeded"
        } else if spent.usd() >= self.limit.usd() * self.warn_at {
            "warn"
        } else {
            "ok"
        }
    }
}
