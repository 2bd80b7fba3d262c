//! Estimated vs billed: costtop's estimate per UTC day against the Admin API cost report,
//! with the list price and the discount when the report gives them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::aggregate::state::Billed;
use crate::aggregate::store::Store;
use crate::money::Money;
use crate::snapshot::{BilledItem, ReconciliationDay};

/// Every day the cost report covers beside costtop's estimate read from `store`; the day
/// `now` falls in (or a later one) is partial.
pub(super) fn reconciliation(
    billed: &Billed,
    store: &Store,
    now: DateTime<Utc>,
) -> Vec<ReconciliationDay> {
    let mut days: BTreeMap<NaiveDate, ReconciliationDay> = BTreeMap::new();
    for ((day, model, description), (amount, list)) in billed {
        let d = days.entry(*day).or_insert_with(|| ReconciliationDay {
            day: *day,
            ..ReconciliationDay::default()
        });
        d.billed += *amount;
        if let Some(list) = list {
            *d.list.get_or_insert(Money::ZERO) += *list;
        }
        let item = model
            .clone()
            .or_else(|| description.clone())
            .unwrap_or_else(|| "(other)".into());
        match d.items.iter_mut().find(|i| i.item == item) {
            Some(i) => i.billed += *amount,
            None => d.items.push(BilledItem {
                item,
                billed: *amount,
            }),
        }
    }
    for d in days.values_mut() {
        let start = d.day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        d.estimated = store.spend_between(
            start,
            start + Duration::days(1) - Duration::seconds(60),
            now,
        );
        d.partial = start + Duration::days(1) > now;
        d.difference_pct = (d.billed.0 != 0)
            .then(|| (d.estimated.0 - d.billed.0) as f64 / d.billed.0 as f64 * 100.0);
        d.discount_pct = d
            .list
            .filter(|l| l.0 != 0 && *l != d.billed)
            .map(|l| (l.0 - d.billed.0) as f64 / l.0 as f64 * 100.0);
        d.items.sort_by_key(|i| std::cmp::Reverse(i.billed));
    }
    days.into_values().collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::aggregate::{Settings, State};
    use crate::usage::{BilledCost, SourceMsg};

    #[test]
    fn the_day_not_yet_over_is_partial() {
        let mut state = State::new(Settings::default());
        let billed = |day: u32| BilledCost {
            day: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            model: Some("claude-opus-4-5".into()),
            description: None,
            amount: Money::from_cents_str("250").unwrap(),
            list_amount: Some(Money::from_cents_str("300").unwrap()),
        };
        state.apply(SourceMsg::Billed(vec![billed(22), billed(23)]));
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let days: Vec<(String, bool)> = reconciliation(&state.billed, &state.store, now)
            .iter()
            .map(|d| (d.day.to_string(), d.partial))
            .collect();
        assert_eq!(
            days,
            [("2026-11-22".into(), false), ("2026-11-23".into(), true)]
        );
        let day = &reconciliation(&state.billed, &state.store, now)[0];
        assert_eq!(day.list, Some(Money::from_usd(3.0)));
        let discount = day.discount_pct.unwrap();
        assert!((discount - 100.0 / 6.0).abs() < 1e-9, "{discount}");
    }
}
