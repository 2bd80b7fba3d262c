//! Builds a [`Snapshot`] from the state: one fold over the window's slots of time.

use foldhash::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::audit::fold::WindowFigures;
use super::groups::GroupBy;
use super::histogram::Histogram;
use super::history::minute_of;
use super::rollup::{Cell, Dims, StoredCell};
use super::series::add_to_trend;
use super::snapshot::{
    BatchStats, CacheStats, ModelOutputStats, ModelRow, OutputStats, Snapshot, SourceStatus,
    SpendSummary, Totals, UnpricedModel, WindowSpan,
};
use super::state::State;
use crate::pricing::Money;
use crate::usage::Tier;

/// Most rows kept per breakdown in a live snapshot (the report's `--by` rows are complete).
pub(super) const MAX_GROUP_ROWS: usize = 50;
/// Sums of the window, gathered in one pass.
#[derive(Default)]
pub(super) struct Fold {
    pub(super) total: Cell,
    pub(super) by_model: HashMap<u32, Cell>,
    pub(super) by_tier: HashMap<Tier, Cell>,
    pub(super) by_project: HashMap<u32, Cell>,
    pub(super) by_session: HashMap<u32, Cell>,
    pub(super) by_tag: HashMap<(u32, u32), Cell>,
    pub(super) by_row: HashMap<String, Cell>,
    pub(super) histogram: Histogram,
    pub(super) histogram_by_model: HashMap<u32, Histogram>,
    /// Spend per step of the series grid, by model id.
    pub(super) model_series: Vec<Vec<Money>>,
}

impl State {
    /// The snapshot at `now`, with `--by` rows when `group_by` is given.
    pub fn snapshot(&self, now: DateTime<Utc>, group_by: Option<&GroupBy>) -> Snapshot {
        let zone = self.settings.zone;
        let window = self.settings.window;
        let start = window.start(now, &zone);
        let from_minute = start.map_or(i64::MIN, minute_of);
        // A window ends with its calendar period, or (rolling) a little after now: records
        // stamped later (a clock stepped back) are not in it.
        let to_minute = window
            .end(now, &zone)
            .map_or(i64::MAX, |e| minute_of(e) - 1);
        // Hours before the detail frontier count whole: say where the data really starts.
        let covered = start.map(|s| {
            let from = self.history.covered_from(from_minute, now);
            DateTime::from_timestamp(from * 60, 0).map_or(s, |c| c.min(s))
        });

        let grid = self.series_grid(covered.or(self.first_event), to_minute, now);
        let mut f = Fold::default();
        // Before the detail frontier data counts as whole hours, folded yet or not.
        let detail = self.history.detail_frontier(now);
        for (minute, m) in self.history.slots(from_minute, to_minute, now) {
            let placed = if minute < detail {
                self.history.hour_of(minute)
            } else {
                minute
            };
            let row_key = group_by.and_then(|g| self.time_row_key(g, minute));
            for (dims, cell) in &m.cells {
                self.fold_cell(&mut f, dims, cell, group_by, row_key.as_deref());
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
        let series = self.series(&grid, from_minute, to_minute, now);
        let batch = batch_stats(&f, total_cost);
        let audit = self.audit_snapshot(
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
            by_model: self.model_rows(&f, total_cost, series.len()),
            cache: cache_stats(&f.total),
            batch,
            output_tokens: self.output_stats(&f),
            burn_rate_usd_per_hour: self
                .spend_between(now - Duration::minutes(15), now, now)
                .usd()
                * 4.0,
            burn_rate_1h_usd_per_hour: self.spend_between(now - Duration::hours(1), now, now).usd(),
            spend: self.spend_summary(now),
            series,
            series_step_seconds: grid.step,
            groups: self.groups(&f, total_cost),
            budgets: self
                .settings
                .budgets
                .iter()
                .map(|b| b.status(self, now))
                .collect(),
            alarms: self.alarms.active(),
            alarm_log: self.alarms.log(),
            unpriced_models: self.unpriced(&f),
            prices_checked: self.settings.prices.checked.clone(),
            sources: self.source_statuses(),
            audit,
            rows: group_by.map_or_else(Vec::new, |g| self.report_rows(g, &f, total_cost)),
            time_zone: zone.to_string(),
            reconciliation: self.reconciliation(now),
            claude_code_estimates: self
                .claude_code_estimates(start, matches!(group_by, Some(GroupBy::Session))),
            replay: None,
            counters: self
                .counters
                .as_ref()
                .map(|c| std::sync::Arc::new(c.export(&self.strings))),
        }
    }

    fn fold_cell(
        &self,
        f: &mut Fold,
        d: &Dims,
        c: &StoredCell,
        g: Option<&GroupBy>,
        row: Option<&str>,
    ) {
        f.total.merge(c);
        f.by_model.entry(d.model).or_default().merge(c);
        f.by_tier.entry(d.tier).or_default().merge(c);
        f.by_project.entry(d.project).or_default().merge(c);
        f.by_session.entry(d.session).or_default().merge(c);
        for &pair in self.tag_sets.pairs(d.tags) {
            f.by_tag.entry(pair).or_default().merge(c);
        }
        if let Some(GroupBy::Tag(key)) = g {
            // Records without the tag are grouped under "(none)".
            let key_id = self.strings.get(key);
            let has = self
                .tag_sets
                .pairs(d.tags)
                .iter()
                .any(|(k, _)| Some(*k) == key_id);
            if !has {
                f.by_tag
                    .entry((key_id.unwrap_or(u32::MAX), 0))
                    .or_default()
                    .merge(c);
            }
        }
        if let Some(row) = row {
            f.by_row.entry(row.to_string()).or_default().merge(c);
        }
        if let Some(max) = (c.max_output > 0).then_some(u64::from(c.max_output)) {
            f.histogram.observe_max(max);
            f.histogram_by_model
                .entry(d.model)
                .or_default()
                .observe_max(max);
        }
    }

    /// The row label of a minute for time groupings (`day`, `hour`). When clocks go back,
    /// the repeated local hour gets its UTC offset (`2026-10-25 02:00 +01:00`), so the two
    /// hours stay two rows (in order) instead of one row counting two hours.
    fn time_row_key(&self, g: &GroupBy, minute: i64) -> Option<String> {
        let t = DateTime::from_timestamp(minute * 60, 0)?;
        let zone = self.settings.zone;
        let local = zone.local(t);
        match g {
            GroupBy::Day => Some(local.format("%Y-%m-%d").to_string()),
            GroupBy::Hour => {
                let label = local.format("%Y-%m-%d %H:00").to_string();
                let hour_before = zone.local(t - Duration::hours(1));
                if hour_before.format("%Y-%m-%d %H:00").to_string() == label {
                    Some(format!("{label} {}", local.format("%:z")))
                } else {
                    Some(label)
                }
            }
            _ => None,
        }
    }

    /// Cost of all records in `[from, to]` as seen at `now`: per minute for the last six
    /// days, whole local hours before (`history.rs`).
    pub(super) fn spend_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Money {
        self.history
            .cost_between(minute_of(from), minute_of(to), now)
    }

    fn spend_summary(&self, now: DateTime<Utc>) -> SpendSummary {
        let zone = self.settings.zone;
        let day_start = zone.start_of_day(now);
        let month_start = zone.start_of_month(now);
        let before = |t: DateTime<Utc>| t - Duration::seconds(1);
        let today = self.spend_between(day_start, before(zone.end_of_day(now)), now);
        let month = self.spend_between(month_start, before(zone.end_of_month(now)), now);
        let hourly = self.spend_between(now - Duration::hours(1), now, now);
        let daily = self.spend_between(now - Duration::hours(24), now, now);
        let hours_left_today = (zone.end_of_day(now) - now).num_seconds().max(0) as f64 / 3600.0;
        let hours_left_month = (zone.end_of_month(now) - now).num_seconds().max(0) as f64 / 3600.0;
        // Today runs on at the last hour's rate; the days after it at the last 24 hours'
        // average. The month's projection contains today's, so it is never the smaller.
        let projected_today = today + Money::from_usd(hourly.usd() * hours_left_today);
        let after_today = (hours_left_month - hours_left_today).max(0.0);
        SpendSummary {
            today,
            month,
            projected_today,
            projected_month: month
                + (projected_today - today)
                + Money::from_usd(daily.usd() / 24.0 * after_today),
        }
    }

    fn model_rows(&self, f: &Fold, total_cost: Money, series_len: usize) -> Vec<ModelRow> {
        let mut rows: Vec<ModelRow> = f
            .by_model
            .iter()
            .filter(|(id, _)| **id != 0)
            .map(|(&id, c)| ModelRow {
                model: self.strings.name(id).to_string(),
                totals: totals(c),
                share_of_cost: share(c.cost, total_cost),
                priced: c.unpriced_requests == 0 && c.unpriced_tokens == 0,
                trend: {
                    let mut t = f.model_series.get(id as usize).cloned().unwrap_or_default();
                    t.resize(series_len, Money::ZERO);
                    t
                },
            })
            .collect();
        rows.sort_by(|a, b| {
            b.totals
                .cost
                .cmp(&a.totals.cost)
                .then(b.totals.requests.cmp(&a.totals.requests))
                .then(a.model.cmp(&b.model))
        });
        rows
    }

    fn output_stats(&self, f: &Fold) -> OutputStats {
        let mut by_model: Vec<ModelOutputStats> = f
            .histogram_by_model
            .iter()
            .filter(|(id, h)| **id != 0 && h.count() > 0)
            .map(|(&id, h)| {
                let stops = f.by_model.get(&id).map_or(0, |c| c.max_tokens_stops);
                ModelOutputStats {
                    model: self.strings.name(id).to_string(),
                    requests: h.count(),
                    p50: h.quantile(0.5),
                    p90: h.quantile(0.9),
                    p99: h.quantile(0.99),
                    max: h.max(),
                    max_tokens_share: ratio(stops, h.count()),
                    buckets: h.buckets(),
                }
            })
            .collect();
        by_model.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.model.cmp(&b.model)));
        let h = &f.histogram;
        OutputStats {
            p50: h.quantile(0.5),
            p90: h.quantile(0.9),
            p99: h.quantile(0.99),
            max: h.max(),
            max_tokens_share: ratio(f.total.max_tokens_stops, f.total.histogram_requests),
            buckets: h.buckets(),
            by_model,
        }
    }

    fn unpriced(&self, f: &Fold) -> Vec<UnpricedModel> {
        let mut v: Vec<UnpricedModel> = f
            .by_model
            .iter()
            .filter(|(_, c)| c.unpriced_requests > 0 || c.unpriced_tokens > 0)
            .map(|(id, c)| UnpricedModel {
                model: self.strings.name(*id).to_string(),
                requests: c.unpriced_requests,
                tokens: c.unpriced_tokens,
            })
            .collect();
        v.sort_by(|a, b| a.model.cmp(&b.model));
        v
    }

    /// Estimated vs billed per UTC day, for the days the cost report covers.
    fn source_statuses(&self) -> Vec<SourceStatus> {
        self.sources
            .values()
            .map(|h| SourceStatus {
                name: h.name.clone(),
                state: h.state.as_str().to_string(),
                reason: match &h.state {
                    crate::usage::SourceState::Error(r) => Some(r.clone()),
                    _ => None,
                },
                lines: h.lines,
                parse_errors: h.parse_errors,
                first_error: h.first_error.clone(),
                last_event: h.last_event,
                files: h.files,
                receiver: h.receiver,
            })
            .collect()
    }
}

/// A cell's figures in the snapshot's vocabulary.
pub(super) fn totals(c: &Cell) -> Totals {
    Totals {
        cost: c.cost,
        requests: c.requests,
        input_tokens: c.tokens.input,
        output_tokens: c.tokens.output,
        cache_write_5m_tokens: c.tokens.cache_write_5m,
        cache_write_1h_tokens: c.tokens.cache_write_1h,
        cache_read_tokens: c.tokens.cache_read,
        web_search_requests: c.tokens.web_search_requests,
        unpriced_requests: c.unpriced_requests,
        cost_is_lower_bound: c.unpriced_requests > 0 || c.unpriced_tokens > 0,
    }
}

fn cache_stats(c: &Cell) -> CacheStats {
    let t = &c.tokens;
    CacheStats {
        hit_ratio: ratio(t.cache_read, t.total_input()),
        reads_per_write: ratio(t.cache_read, t.cache_writes()),
        net_savings: c.cache_savings,
        write_5m_tokens: t.cache_write_5m,
        write_1h_tokens: t.cache_write_1h,
        read_tokens: t.cache_read,
    }
}

fn batch_stats(f: &Fold, total_cost: Money) -> BatchStats {
    let b = f.by_tier.get(&Tier::Batch).copied().unwrap_or_default();
    BatchStats {
        share_of_cost: share(b.cost, total_cost),
        share_of_requests: ratio(b.requests, f.total.requests),
        savings: b.batch_savings,
        cost: b.cost,
        requests: b.requests,
    }
}

pub(super) fn share(part: Money, whole: Money) -> f64 {
    if whole.0 == 0 {
        0.0
    } else {
        part.0 as f64 / whole.0 as f64
    }
}

pub(super) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
