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

    /// The current period around `now` in `zone`.
    pub(crate) fn period_bounds(
        &self,
        zone: Zone,
        now: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        self.period.bounds(zone, now)
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
