//! The alarm rules: what is raised and cleared at "now" (budgets and the org's spend limits,
//! forecasts, spend spikes, cache losing money, unpriced models, sources down or stale). The
//! book keeping lives in [`super::book`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::book::{AlarmBook, Raise, Severity};
use super::budget::spent_and_projected;
use super::spend_limits;
use crate::aggregate::settings::SpendLimitAlarms;
use crate::aggregate::store::Store;
use crate::budget::Budget;
use crate::pricing::Money;
use crate::time::Zone;
use crate::usage::{SourceHealth, SourceState, SpendLimitReading};

/// A spike: the 15-minute burn rate at least this many times the baseline…
const SPIKE_RAISE: f64 = 3.0;
/// …and it clears below this many times.
const SPIKE_CLEAR: f64 = 2.0;
/// Spikes below this burn rate ($/h) are noise.
const SPIKE_FLOOR_USD_PER_HOUR: f64 = 1.0;
/// Budgets clear their alarms once spend falls below this fraction of the level (new period).
const CLEAR_FRACTION: f64 = 0.9;

/// What the rules read at "now".
pub(crate) struct Facts<'a> {
    /// The counted usage.
    pub(crate) store: &'a Store,
    /// The time zone budget periods follow.
    pub(crate) zone: &'a Zone,
    /// The budgets.
    pub(crate) budgets: &'a [Budget],
    /// Interned models seen without a price.
    pub(crate) unpriced: &'a BTreeSet<u32>,
    /// Each source's health, by name.
    pub(crate) sources: &'a BTreeMap<String, SourceHealth>,
    /// The oldest record's time.
    pub(crate) first_event: Option<DateTime<Utc>>,
    /// The organisation's spend limits.
    pub(crate) spend_limits: &'a [SpendLimitReading],
    /// Whether and when they raise alarms.
    pub(crate) spend_limit_alarms: SpendLimitAlarms,
}

/// Re-evaluates every alarm rule at `now`; returns how many alarms were newly raised, and
/// whether any other changed (cleared).
pub(crate) fn evaluate(
    book: &mut AlarmBook,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> (usize, bool) {
    let mut raised = 0;
    let mut changed = false;
    for b in facts.budgets {
        let (spent, projected) = spent_and_projected(b, facts.store, *facts.zone, now);
        let warn_level = b.limit.usd() * b.warn_at;
        let limit = b.limit.usd();
        let msg = |what: &str| format!("{}: {} spent of {} ({what})", b.name, spent, b.limit);
        let (ex, warn, fc) = (
            format!("budget_exceeded:{}", b.name),
            format!("budget_warn:{}", b.name),
            format!("forecast:{}", b.name),
        );
        if spent.usd() >= limit {
            changed |= book.clear(&warn, now) | book.clear(&fc, now);
            let r = Raise {
                id: ex,
                kind: "budget_exceeded",
                severity: Severity::Critical,
                message: msg("limit exceeded"),
                amounts: Some((spent, b.limit)),
            };
            raised += usize::from(book.raise_with(r, now));
            continue;
        }
        if spent.usd() < limit * CLEAR_FRACTION {
            changed |= book.clear(&ex, now);
        } else if book.is_active(&ex) {
            // Still exceeded until the spend falls well under the limit (hysteresis): a
            // dip just under it must not raise the warning (and the forecast) again.
            continue;
        }
        if spent.usd() >= warn_level {
            let r = Raise {
                id: warn,
                kind: "budget_warn",
                severity: Severity::Warning,
                message: msg(&format!("{:.0}% of the limit", spent.usd() / limit * 100.0)),
                amounts: Some((spent, b.limit)),
            };
            raised += usize::from(book.raise_with(r, now));
        } else if spent.usd() < warn_level * CLEAR_FRACTION {
            changed |= book.clear(&warn, now);
        }
        let (start, _) = b.period_bounds(*facts.zone, now);
        let settled = now - start >= Duration::minutes(10);
        if settled && projected.usd() >= limit {
            let m = format!(
                "{}: projected {} by the end of the {} exceeds {}",
                b.name, projected, b.period, b.limit
            );
            let r = Raise {
                id: fc,
                kind: "forecast",
                severity: Severity::Warning,
                message: m,
                amounts: Some((spent, b.limit)),
            };
            raised += usize::from(book.raise_with(r, now));
        } else if projected.usd() < limit * CLEAR_FRACTION {
            changed |= book.clear(&fc, now);
        }
    }
    if facts.spend_limit_alarms.enabled {
        let limits = spend_limits::statuses(
            facts.spend_limits,
            facts.store,
            facts.spend_limit_alarms,
            now,
        );
        let (r, c) = spend_limits::evaluate(book, &limits, now);
        raised += r;
        changed |= c;
    }
    raised += evaluate_spike(book, facts, now, &mut changed);
    raised += evaluate_cache(book, facts.store, now, &mut changed);
    for &model in facts.unpriced {
        let name = facts.store.strings.name(model).to_string();
        let m = format!(
            "model {name} is not in the price table: its tokens are counted, its cost is not (add it under [prices] in the config)"
        );
        raised += usize::from(book.raise(
            format!("unpriced:{name}"),
            "unpriced_model",
            Severity::Warning,
            now,
            m,
        ));
    }
    for h in facts.sources.values() {
        let (name, state) = (&h.name, &h.state);
        let id = format!("source:{name}");
        match state {
            SourceState::Error(reason) => {
                raised += usize::from(book.raise(
                    id,
                    "source_down",
                    Severity::Critical,
                    now,
                    format!("source {name} is failing: {reason}"),
                ));
            }
            SourceState::Stale => {
                raised += usize::from(book.raise(
                    id,
                    "source_down",
                    Severity::Warning,
                    now,
                    format!("source {name} is stale: no new data"),
                ));
            }
            SourceState::Ok | SourceState::Done => changed |= book.clear(&id, now),
        }
    }
    (raised, changed)
}

fn evaluate_spike(
    book: &mut AlarmBook,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
    changed: &mut bool,
) -> usize {
    let id = "spend_spike".to_string();
    let recent = facts
        .store
        .spend_between(now - Duration::minutes(15), now, now)
        .usd()
        * 4.0;
    let base_from = (now - Duration::hours(3)).max(facts.first_event.unwrap_or(now));
    let base_to = now - Duration::minutes(15);
    let base_secs = (base_to - base_from).num_seconds();
    if base_secs < 3600 {
        return 0; // not enough history for a baseline
    }
    let baseline = facts
        .store
        .spend_between(base_from, base_to - Duration::minutes(1), now)
        .usd()
        / base_secs as f64
        * 3600.0;
    // Work starting after an idle spell is not a spike: a spike needs a baseline to
    // rise from (runaway spend from idle is the budget and forecast alarms' job).
    if baseline > 0.0 && recent >= SPIKE_FLOOR_USD_PER_HOUR && recent >= baseline * SPIKE_RAISE {
        let m = format!(
            "spend spike: {} /h over the last 15 min vs {} /h before",
            Money::from_usd(recent),
            Money::from_usd(baseline)
        );
        usize::from(book.raise(id, "spend_spike", Severity::Warning, now, m))
    } else {
        if recent < baseline * SPIKE_CLEAR || recent < SPIKE_FLOOR_USD_PER_HOUR {
            *changed |= book.clear(&id, now);
        }
        0
    }
}

fn evaluate_cache(
    book: &mut AlarmBook,
    store: &Store,
    now: DateTime<Utc>,
    changed: &mut bool,
) -> usize {
    let id = "cache_losing_money".to_string();
    let from = (now - Duration::hours(1)).timestamp().div_euclid(60);
    let to = now.timestamp().div_euclid(60);
    let (mut net, mut writes) = (Money::ZERO, 0u64);
    for (_, m) in store.history.slots(from, to, now) {
        for (_, c) in &m.cells {
            net += Money(i128::from(c.cache_savings));
            writes += c.tokens.cache_writes();
        }
    }
    if writes > 0 && net < Money::from_usd(-0.01) {
        let m = format!(
            "caching is losing money: {net} net over the last hour (cache writes are not being read back)"
        );
        usize::from(book.raise(id, "cache_losing_money", Severity::Warning, now, m))
    } else {
        if net >= Money::ZERO {
            *changed |= book.clear(&id, now);
        }
        0
    }
}
