//! What the aggregator is told: prices, time zone, window, the records' time range, budgets,
//! counters, dedupe retention, the audit's settings, the org's spend-limit alarms, and what
//! `report --compare` and `--per` ask for.

use chrono::{DateTime, Utc};

use super::audit::AuditSettings;
use super::compare::CompareSpec;
use super::store::CounterOptions;
use crate::budget::Budget;
use crate::pricing::PriceTable;
use crate::time::{Window, Zone};

/// How the aggregator counts: prices, time zone, the records' time range, budgets.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The price table (embedded plus config overrides).
    pub prices: PriceTable,
    /// Time zone for days, hours and budget periods.
    pub zone: Zone,
    /// Window the snapshot's totals and breakdowns cover.
    pub window: Window,
    /// Records before this are ignored.
    pub since: Option<DateTime<Utc>>,
    /// Records at or after this are ignored.
    pub until: Option<DateTime<Utc>>,
    /// Budgets to track.
    pub budgets: Vec<Budget>,
    /// Keep monotonic counters for `/metrics` (runs with an HTTP listener).
    pub counters: Option<CounterOptions>,
    /// How long dedupe keys are remembered, by kind of source.
    pub retention: Retention,
    /// What the audit is told: ladder, async groups, grouping.
    pub audit: AuditSettings,
    /// How the organisation's spend limits raise alarms.
    pub spend_limits: SpendLimitAlarms,
    /// `report --compare A B`: the two periods to fold side by side.
    pub compare: Option<CompareSpec>,
    /// `--per tag:KEY`: the tag whose distinct values spend is divided by.
    pub per: Option<String>,
    /// Fold spend per local hour or day too ([`SpendOverTime`](crate::snapshot::SpendOverTime)),
    /// for the HTML report.
    pub spend_over_time: bool,
}

/// When the organisation's spend limits (read by the Admin API source) raise the budget
/// alarms: `budget_warn` at `warn_at` of the limit, `budget_exceeded` at the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendLimitAlarms {
    /// Raise alarms at all (the limits are shown either way).
    pub enabled: bool,
    /// Fraction of a limit at which it warns (default 0.8).
    pub warn_at: f64,
}

impl Default for SpendLimitAlarms {
    fn default() -> Self {
        SpendLimitAlarms {
            enabled: true,
            warn_at: 0.8,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            prices: PriceTable::embedded(),
            zone: Zone::Local,
            window: Window::Today,
            since: None,
            until: None,
            budgets: Vec::new(),
            counters: None,
            retention: Retention::default(),
            audit: AuditSettings::default(),
            spend_limits: SpendLimitAlarms::default(),
            compare: None,
            per: None,
            spend_over_time: false,
        }
    }
}

/// How long keys are remembered once their records are no longer replaceable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Records without a session (application logs, batch results): minutes of event time
    /// behind the newest record.
    pub(crate) short_keys: chrono::Duration,
    /// Admin API buckets: event time behind the newest bucket during which a re-poll may
    /// still replace one.
    pub(crate) buckets: chrono::Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            short_keys: chrono::Duration::minutes(10),
            buckets: chrono::Duration::days(1),
        }
    }
}
