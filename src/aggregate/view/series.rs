//! The spend-over-time series of a snapshot: its grid of steps across the window, the totals
//! per step, and each model's spend per step (the screen's per-model trend).

use chrono::{DateTime, Duration, Utc};

use super::fold::ratio;
use crate::aggregate::store::{History, Trend};
use crate::pricing::Money;
use crate::snapshot::SeriesPoint;

/// Most points in the spend-over-time series.
const MAX_SERIES_POINTS: i64 = 240;

/// The steps of the spend series: `last + 1` steps of `step` seconds from `origin`.
pub(super) struct SeriesGrid {
    origin: i64,
    pub(super) step: i64,
    last: usize,
}

impl SeriesGrid {
    /// The step a minute falls in (the first or last for minutes outside the grid).
    pub(super) fn slot(&self, minute: i64) -> usize {
        ((minute * 60 - self.origin) / self.step).clamp(0, self.last as i64) as usize
    }
}

/// The series' steps across the window: from `start` to now (or the newest record, if a
/// stepped clock put it later), at most [`MAX_SERIES_POINTS`] of them.
pub(super) fn series_grid(
    history: &History,
    start: Option<DateTime<Utc>>,
    to_minute: i64,
    now: DateTime<Utc>,
) -> SeriesGrid {
    let newest = history
        .newest()
        .filter(|&m| m <= to_minute)
        .and_then(|m| DateTime::from_timestamp(m * 60, 0));
    let end = newest.map_or(now, |n| n.max(now));
    let series_start = start.unwrap_or(now).min(end);
    let step = series_step(end - series_start);
    let origin = series_start.timestamp().div_euclid(step) * step;
    let last = ((end.timestamp() - origin) / step).max(0) as usize;
    SeriesGrid { origin, step, last }
}

/// Spend over time across the window, one point per step of `grid`.
pub(super) fn series(
    history: &History,
    grid: &SeriesGrid,
    from_minute: i64,
    to_minute: i64,
    now: DateTime<Utc>,
) -> Vec<SeriesPoint> {
    let mut acc: Vec<(Trend, bool)> = vec![(Trend::default(), false); grid.last + 1];
    for (minute, t) in history.trend(from_minute, to_minute, now) {
        let slot = grid.slot(minute);
        acc[slot].0.add(&t);
        acc[slot].1 = true;
    }
    acc.iter()
        .enumerate()
        .map(|(i, (t, any))| SeriesPoint {
            start: DateTime::from_timestamp(grid.origin + i as i64 * grid.step, 0)
                .unwrap_or_default(),
            cost: t.cost,
            requests: t.requests,
            hit_ratio: (*any && t.input > 0).then(|| ratio(t.cache_read, t.input)),
        })
        .collect()
}

/// Adds a cell's cost to its model's trend at series step `slot`.
pub(super) fn add_to_trend(trends: &mut Vec<Vec<Money>>, model: u32, slot: usize, cost: i64) {
    let model = model as usize;
    if trends.len() <= model {
        trends.resize_with(model + 1, Vec::new);
    }
    let t = &mut trends[model];
    if t.len() <= slot {
        t.resize(slot + 1, Money::ZERO);
    }
    t[slot] += Money(i128::from(cost));
}

/// The smallest step from a fixed ladder that keeps the series under 240 points.
fn series_step(span: Duration) -> i64 {
    const LADDER: [i64; 12] = [
        60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    ];
    let secs = span.num_seconds().max(60);
    LADDER
        .into_iter()
        .find(|s| secs / s <= MAX_SERIES_POINTS)
        .unwrap_or_else(|| ((secs / MAX_SERIES_POINTS) / 86_400 + 1) * 86_400)
}
