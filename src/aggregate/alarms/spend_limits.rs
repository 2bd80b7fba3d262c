//! The organisation's spend limits as budgets: where each stands in its (UTC) period, and
//! the budget alarms they raise — `budget_warn` at `warn_at` of the limit, `budget_exceeded`
//! at the limit, each cleared with hysteresis.

use chrono::{DateTime, Utc};

use super::book::{AlarmBook, Raise, Severity};
use super::budget::spent;
use crate::aggregate::settings::SpendLimitAlarms;
use crate::aggregate::store::Store;
use crate::budget::{Budget, BudgetFilter, Scope};
use crate::money::Money;
use crate::snapshot::SpendLimitStatus;
use crate::time::Zone;
use crate::usage::SpendLimitReading;

/// Alarms clear once spend falls below this fraction of the level that raised them.
const CLEAR_FRACTION: f64 = 0.9;

/// Where each spend limit stands at `now`: Anthropic's reading of the spend when it gives
/// one, else costtop's own figure of the usage the scope covers (all usage for the
/// organisation, the tagged usage for a workspace or user).
pub(crate) fn statuses(
    readings: &[SpendLimitReading],
    store: &Store,
    settings: SpendLimitAlarms,
    now: DateTime<Utc>,
) -> Vec<SpendLimitStatus> {
    readings
        .iter()
        .map(|r| {
            let (start, end) = r.period.bounds(Zone::Named(chrono_tz::UTC), now);
            let (spent_now, source) = match r.spent {
                Some(s) => (s, "anthropic"),
                None => (costtop_spend(r, store, start, now), "costtop"),
            };
            let state = match r.limit {
                _ if !r.enabled => "disabled",
                None => "no_limit",
                Some(limit) if spent_now >= limit => "exceeded",
                Some(limit) if spent_now.0 as f64 >= limit.0 as f64 * settings.warn_at => "warn",
                Some(_) => "ok",
            };
            SpendLimitStatus {
                name: r.name.clone(),
                scope: r.scope.clone(),
                period: r.period.as_str().to_string(),
                limit: r.limit,
                spent: spent_now,
                spent_source: source.to_string(),
                state: state.to_string(),
                warn_at: settings.warn_at,
                period_start: start,
                period_end: end,
            }
        })
        .collect()
}

/// costtop's spend in `[start, now]` of the usage a limit's scope covers.
fn costtop_spend(
    r: &SpendLimitReading,
    store: &Store,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Money {
    let filter = BudgetFilter {
        tag: r
            .subject
            .as_ref()
            .map(|(d, v)| (d.tag_key().to_string(), v.clone())),
        ..BudgetFilter::default()
    };
    let as_budget = Budget {
        name: r.name.clone(),
        period: r.period,
        limit: r.limit.unwrap_or(Money::ZERO),
        warn_at: 1.0,
        filter,
        scope: Scope::All,
    };
    spent(&as_budget, store, start, now, now)
}

/// Raises and clears the budget alarms of the spend limits; returns how many were raised
/// and whether any cleared.
pub(crate) fn evaluate(
    book: &mut AlarmBook,
    limits: &[SpendLimitStatus],
    now: DateTime<Utc>,
) -> (usize, bool) {
    let (mut raised, mut changed) = (0, false);
    for s in limits {
        let subject = format!("spend limit {} ({})", s.name, s.period);
        let (exceeded, warn) = (
            format!("budget_exceeded:{subject}"),
            format!("budget_warn:{subject}"),
        );
        let Some(limit) = s.limit.filter(|l| l.0 > 0 && s.state != "disabled") else {
            changed |= book.clear(&exceeded, now) | book.clear(&warn, now);
            continue;
        };
        let share = s.spent.0 as f64 / limit.0 as f64;
        let message = |what: String| format!("{subject}: {} spent of {limit} ({what})", s.spent);
        if share >= 1.0 {
            changed |= book.clear(&warn, now);
            let r = Raise {
                id: exceeded,
                kind: "budget_exceeded",
                severity: Severity::Critical,
                message: message("limit exceeded".into()),
                amounts: Some((s.spent, limit)),
            };
            raised += usize::from(book.raise_with(r, now));
            continue;
        }
        if share < CLEAR_FRACTION {
            changed |= book.clear(&exceeded, now);
        } else if book.is_active(&exceeded) {
            continue;
        }
        if share >= s.warn_at {
            let r = Raise {
                id: warn,
                kind: "budget_warn",
                severity: Severity::Warning,
                message: message(format!("{:.0}% of the limit", share * 100.0)),
                amounts: Some((s.spent, limit)),
            };
            raised += usize::from(book.raise_with(r, now));
        } else if share < s.warn_at * CLEAR_FRACTION {
            changed |= book.clear(&warn, now);
        }
    }
    (raised, changed)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::time::Period;

    fn reading(spent_cents: &str) -> SpendLimitReading {
        SpendLimitReading {
            name: "organization".into(),
            scope: "organization".into(),
            subject: None,
            period: Period::Month,
            limit: Money::from_cents_str("50000"),
            spent: Money::from_cents_str(spent_cents),
            enabled: true,
        }
    }

    #[test]
    fn warns_at_eighty_percent_then_exceeds_then_clears_in_a_new_period() {
        let store = Store::new(Zone::Named(chrono_tz::UTC), None);
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let mut book = AlarmBook::default();
        let at =
            |cents: &str| statuses(&[reading(cents)], &store, SpendLimitAlarms::default(), now);

        let below = at("39999");
        assert_eq!(below[0].state, "ok");
        assert_eq!(evaluate(&mut book, &below, now), (0, false));

        let warned = at("40000");
        assert_eq!(warned[0].state, "warn");
        assert_eq!(evaluate(&mut book, &warned, now).0, 1);
        let active = book.active();
        assert_eq!(active[0].kind, "budget_warn");
        assert!(
            active[0]
                .message
                .contains("$400.00 spent of $500.00 (80% of the limit)"),
            "{}",
            active[0].message
        );

        assert_eq!(evaluate(&mut book, &at("50000"), now).0, 1);
        let kinds: Vec<String> = book.active().into_iter().map(|a| a.kind).collect();
        assert_eq!(kinds, ["budget_exceeded"]);
        // A dip just under the limit neither clears it nor warns again.
        assert_eq!(evaluate(&mut book, &at("49000"), now), (0, false));
        assert_eq!(evaluate(&mut book, &at("100"), now), (0, true));
        assert!(book.active().is_empty());
        assert_eq!(
            at("100")[0].period_start.to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
    }
}
