//! The one pass over the window's slots of time: every cell summed into the totals and the
//! breakdowns a snapshot shows, and the helpers that put a cell in the snapshot's words.

use chrono::{DateTime, Duration};
use foldhash::HashMap;

use crate::aggregate::store::{Cell, Dims, Histogram, Store, StoredCell};
use crate::money::Money;
use crate::snapshot::{GroupBy, Totals};
use crate::time::Zone;
use crate::usage::Tier;

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

/// Adds one stored cell (of dimensions `d`) to the sums; `row` is its `--by hour|day|week|month` row.
pub(super) fn fold_cell(
    store: &Store,
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
    for &pair in store.tag_sets.pairs(d.tags) {
        f.by_tag.entry(pair).or_default().merge(c);
    }
    if let Some(key) = g.and_then(GroupBy::tag_key) {
        // Records without the tag are grouped under "(none)".
        let key_id = store.strings.get(key);
        let has = store
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

/// The row label of a minute for time groupings (`hour`, `day`, `week`, `month`). When clocks go back,
/// the repeated local hour gets its UTC offset (`2026-10-25 02:00 +01:00`), so the two
/// hours stay two rows (in order) instead of one row counting two hours.
pub(super) fn time_row_key(zone: Zone, g: &GroupBy, minute: i64) -> Option<String> {
    let t = DateTime::from_timestamp(minute * 60, 0)?;
    let local = zone.local(t);
    match g {
        GroupBy::Day => Some(local.format("%Y-%m-%d").to_string()),
        GroupBy::Week => Some(local.format("%G-W%V").to_string()),
        GroupBy::Month => Some(local.format("%Y-%m").to_string()),
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

/// `part` as a fraction of `whole` (0 when there is none).
pub(super) fn share(part: Money, whole: Money) -> f64 {
    if whole.0 == 0 {
        0.0
    } else {
        part.0 as f64 / whole.0 as f64
    }
}

/// `a / b` (0 when `b` is).
pub(super) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn row(zone: &str, g: &GroupBy, t: DateTime<chrono::Utc>) -> String {
        let zone: Zone = zone.parse().unwrap();
        time_row_key(zone, g, t.timestamp() / 60).unwrap()
    }

    #[test]
    fn weeks_are_iso_weeks_and_months_calendar_months_in_the_zone() {
        // Sunday 2026-12-06 23:30 UTC is already Monday in Berlin: the next ISO week.
        let sunday_night = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).unwrap();
        assert_eq!(row("UTC", &GroupBy::Week, sunday_night), "2026-W49");
        assert_eq!(
            row("Europe/Berlin", &GroupBy::Week, sunday_night),
            "2026-W50"
        );
        // 2027-01-01 is a Friday: it belongs to the last ISO week of 2026 (W53).
        let new_year = Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap();
        assert_eq!(row("UTC", &GroupBy::Week, new_year), "2026-W53");
        assert_eq!(row("UTC", &GroupBy::Month, new_year), "2027-01");
        // 2026-11-30 23:30 UTC is December in Berlin, November in New York.
        let month_end = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        assert_eq!(row("Europe/Berlin", &GroupBy::Month, month_end), "2026-12");
        assert_eq!(
            row("America/New_York", &GroupBy::Month, month_end),
            "2026-11"
        );
    }
}
