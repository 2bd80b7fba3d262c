//! State → snapshot: one fold over the window's slots of time ([`fold`]), put in the
//! snapshot's words ([`stats`], [`groups`], [`series`], [`per_unit`], [`timeline`]), beside
//! what the parts that keep their own state say (the audit, alarms, budgets, other tools'
//! estimates, the bill, the org's limits).

mod fold;
mod groups;
mod org;
mod per_unit;
mod reconcile;
mod series;
mod stats;
mod timeline;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::alarms::budget_status;
use super::audit::WindowFigures;
use super::state::State;
use super::store::minute_of;
use crate::snapshot::{GroupBy, Snapshot, WindowSpan};
use crate::time::Window;
use fold::{Fold, fold_cell, time_row_key, totals};
use groups::{groups, report_rows};
use org::org_snapshot;
use per_unit::PerFold;
use reconcile::reconciliation;
use series::{add_to_trend, series, series_grid};
use stats::{
    batch_stats, cache_stats, model_rows, output_stats, source_statuses, spend_summary, unpriced,
};
use timeline::TimeFold;

impl State {
    /// The snapshot at `now`, with `--by` rows when `group_by` is given.
    pub fn snapshot(&self, now: DateTime<Utc>, group_by: Option<&GroupBy>) -> Snapshot {
        self.snapshot_in(now, self.settings.window, group_by)
    }

    /// The snapshot at `now` over `window` (not necessarily the one in force: a screen
    /// attached to this costtop may look at another), with `--by` rows when asked.
    pub(crate) fn snapshot_in(
        &self,
        now: DateTime<Utc>,
        window: Window,
        group_by: Option<&GroupBy>,
    ) -> Snapshot {
        let store = &self.store;
        let zone = self.settings.zone;
        let start = window.start(now, zone);
        let from_minute = start.map_or(i64::MIN, minute_of);
        // A window ends with its calendar period, or (rolling) a little after now: records
        // stamped later (a clock stepped back) are not in it.
        let to_minute = window.end(now, zone).map_or(i64::MAX, |e| minute_of(e) - 1);
        // Hours before the detail frontier count whole: say where the data really starts.
        let covered = start.map(|s| {
            let from = store.history.covered_from(from_minute, now);
            DateTime::from_timestamp(from * 60, 0).map_or(s, |c| c.min(s))
        });

        let grid = series_grid(&store.history, covered.or(self.first_event), to_minute, now);
        let mut f = Fold::default();
        let mut per = self.settings.per.as_deref().map(PerFold::new);
        let mut over_time = self.settings.spend_over_time.then(|| TimeFold::new(zone));
        // Before the detail frontier data counts as whole hours, folded yet or not.
        let detail = store.history.detail_frontier(now);
        for (minute, m) in store.history.slots(from_minute, to_minute, now) {
            let placed = if minute < detail {
                store.history.hour_of(minute)
            } else {
                minute
            };
            let row_key = group_by.and_then(|g| time_row_key(zone, g, minute));
            for (dims, cell) in &m.cells {
                fold_cell(store, &mut f, dims, cell, group_by, row_key.as_deref());
                if let Some(per) = &mut per {
                    per.visit(store, dims, cell, group_by, row_key.as_deref());
                }
                if let Some(t) = &mut over_time {
                    t.visit(minute, cell);
                }
                add_to_trend(
                    &mut f.model_series,
                    dims.model,
                    grid.slot(placed),
                    cell.cost,
                );
            }
            for &(model, bucket, count) in &m.histogram {
                f.histogram.add(bucket, u64::from(count));
                f.histogram_by_model
                    .entry(model)
                    .or_default()
                    .add(bucket, u64::from(count));
            }
        }
        let total_cost = f.total.cost;
        let series = series(&store.history, &grid, from_minute, to_minute, now);
        let batch = batch_stats(&f, total_cost);
        let audit = self.audit.snapshot(
            store,
            now,
            &WindowFigures {
                from_minute,
                total: total_cost,
                batch_share: batch.share_of_cost,
            },
        );

        Snapshot {
            as_of: now,
            window: WindowSpan {
                name: window.as_str().to_string(),
                start: covered.or(self.first_event),
                end: now,
            },
            totals: totals(&f.total),
            by_model: model_rows(&store.strings, &f, total_cost, series.len()),
            cache: cache_stats(&f.total),
            batch,
            output_tokens: output_stats(&store.strings, &f),
            burn_rate_usd_per_hour: store
                .spend_between(now - Duration::minutes(15), now, now)
                .usd()
                * 4.0,
            burn_rate_1h_usd_per_hour: store
                .spend_between(now - Duration::hours(1), now, now)
                .usd(),
            spend: spend_summary(store, zone, now),
            series,
            series_step_seconds: grid.step,
            groups: groups(&store.strings, &f, total_cost),
            budgets: self
                .settings
                .budgets
                .iter()
                .map(|b| budget_status(b, store, zone, now))
                .collect(),
            alarms: self.alarms.active(),
            alarm_log: self.alarms.log(),
            unpriced_models: unpriced(&store.strings, &f),
            prices_checked: self.settings.prices.checked.clone(),
            sources: source_statuses(&self.sources),
            audit,
            rows: group_by
                .map_or_else(Vec::new, |g| report_rows(&store.strings, g, &f, total_cost)),
            time_zone: zone.to_string(),
            reconciliation: reconciliation(&self.billed, store, now),
            claude_code_estimates: self.estimates.snapshot(
                store,
                &self.settings,
                start,
                matches!(group_by, Some(GroupBy::Session)),
            ),
            org: org_snapshot(&self.org, store, self.settings.spend_limits, start, now),
            compare: self.compare.as_ref().map(|b| b.snapshot(&store.strings)),
            per_unit: per.map(PerFold::finish),
            spend_over_time: over_time.map(|t| t.finish(total_cost)),
            replay: None,
            counters: store
                .counters
                .as_ref()
                .map(|c| Arc::new(c.export(&store.strings))),
        }
    }
}
