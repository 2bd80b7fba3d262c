//! The window's figures in the snapshot's words: per model, output length, cache, batch,
//! spend today and this month, sources.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::fold::{Fold, ratio, share, totals};
use crate::aggregate::store::{Cell, Interner, Store};
use crate::money::Money;
use crate::snapshot::{
    BatchStats, CacheStats, ModelOutputStats, ModelRow, OutputStats, SourceStatus, SpendSummary,
    UnpricedModel,
};
use crate::time::Zone;
use crate::usage::{SourceHealth, SourceState, Tier};

/// Spend today and this month, and their projections to the period's end.
pub(super) fn spend_summary(store: &Store, zone: Zone, now: DateTime<Utc>) -> SpendSummary {
    let day_start = zone.start_of_day(now);
    let month_start = zone.start_of_month(now);
    let before = |t: DateTime<Utc>| t - Duration::seconds(1);
    let today = store.spend_between(day_start, before(zone.end_of_day(now)), now);
    let month = store.spend_between(month_start, before(zone.end_of_month(now)), now);
    let hourly = store.spend_between(now - Duration::hours(1), now, now);
    let daily = store.spend_between(now - Duration::hours(24), now, now);
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

/// Per model, most expensive first, with each model's spend per series step.
pub(super) fn model_rows(
    strings: &Interner,
    f: &Fold,
    total_cost: Money,
    series_len: usize,
) -> Vec<ModelRow> {
    let mut rows: Vec<ModelRow> = f
        .by_model
        .iter()
        .filter(|(id, _)| **id != 0)
        .map(|(&id, c)| ModelRow {
            model: strings.name(id).to_string(),
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

/// Output tokens per request, overall and per model.
pub(super) fn output_stats(strings: &Interner, f: &Fold) -> OutputStats {
    let mut by_model: Vec<ModelOutputStats> = f
        .histogram_by_model
        .iter()
        .filter(|(id, h)| **id != 0 && h.count() > 0)
        .map(|(&id, h)| {
            let stops = f.by_model.get(&id).map_or(0, |c| c.max_tokens_stops);
            ModelOutputStats {
                model: strings.name(id).to_string(),
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

/// Models without a price, with what they counted.
pub(super) fn unpriced(strings: &Interner, f: &Fold) -> Vec<UnpricedModel> {
    let mut v: Vec<UnpricedModel> = f
        .by_model
        .iter()
        .filter(|(_, c)| c.unpriced_requests > 0 || c.unpriced_tokens > 0)
        .map(|(id, c)| UnpricedModel {
            model: strings.name(*id).to_string(),
            requests: c.unpriced_requests,
            tokens: c.unpriced_tokens,
        })
        .collect();
    v.sort_by(|a, b| a.model.cmp(&b.model));
    v
}

/// Each source's health.
pub(super) fn source_statuses(sources: &BTreeMap<String, SourceHealth>) -> Vec<SourceStatus> {
    sources
        .values()
        .map(|h| SourceStatus {
            name: h.name.clone(),
            state: h.state.as_str().to_string(),
            reason: match &h.state {
                SourceState::Error(r) => Some(r.clone()),
                _ => None,
            },
            lines: h.lines,
            parse_errors: h.parse_errors,
            first_error: h.first_error.clone(),
            last_event: h.last_event,
            files: h.files,
            naive_times: h.naive_times,
            compactions: h.compactions,
            receiver: h.receiver,
            proxy: h.proxy.clone(),
            note: h.note.clone(),
        })
        .collect()
}

/// Cache effectiveness of a cell.
pub(super) fn cache_stats(c: &Cell) -> CacheStats {
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

/// Batch API use of the window.
pub(super) fn batch_stats(f: &Fold, total_cost: Money) -> BatchStats {
    let b = f.by_tier.get(&Tier::Batch).copied().unwrap_or_default();
    BatchStats {
        share_of_cost: share(b.cost, total_cost),
        share_of_requests: ratio(b.requests, f.total.requests),
        savings: b.batch_savings,
        cost: b.cost,
        requests: b.requests,
    }
}
