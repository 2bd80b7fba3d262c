//! Estimated vs billed: costtop's estimate per UTC day against the Admin API cost report.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::snapshot::{BilledItem, ReconciliationDay};
use super::state::State;

impl State {
    pub(super) fn reconciliation(&self) -> Vec<ReconciliationDay> {
        let mut days: BTreeMap<NaiveDate, ReconciliationDay> = BTreeMap::new();
        for ((day, model, description), amount) in &self.billed {
            let d = days.entry(*day).or_insert_with(|| ReconciliationDay {
                day: *day,
                ..ReconciliationDay::default()
            });
            d.billed += *amount;
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
            d.estimated =
                self.spend_between(start, start + Duration::days(1) - Duration::seconds(60));
            d.difference_pct = (d.billed.0 != 0)
                .then(|| (d.estimated.0 - d.billed.0) as f64 / d.billed.0 as f64 * 100.0);
            d.items.sort_by_key(|i| std::cmp::Reverse(i.billed));
        }
        days.into_values().collect()
    }
}
