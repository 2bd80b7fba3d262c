//! The rollups over time, each kept only at the resolution its readers still need, so memory
//! grows with hours and dimensions, not with records:
//!
//! - **minutes by dimensions** for the last two to three hours ([`DETAIL`], from the start of
//!   a local hour): the 15 m and 1 h windows, hourly budgets, budget projections and the
//!   cache alarm read them;
//! - **local hours by dimensions** for everything older: days, weeks, months and every
//!   period boundary are whole local hours (also in zones 30 or 45 minutes off UTC and across
//!   DST changes), so windows and budgets stay exact; a 7d or 30d window starts at the hour;
//! - **minutes without dimensions** (cost, requests, cache hit ratio) for six days
//!   ([`TREND`]): burn rates, projections, the spike baseline and the spend-over-time chart,
//!   whose steps are under an hour only for windows under five days.
//!
//! Folding ([`History::compact`]) never changes a figure: readers treat data older than the
//! frontiers at `now` as whole hours whether or not it has been folded yet, so live, replay
//! (at any seek) and report agree.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::rollup::{Contribution, Slot};
use crate::pricing::Money;
use crate::time::Zone;

/// How far back minute detail by dimensions is kept (from the start of that local hour).
pub(crate) const DETAIL: Duration = Duration::hours(2);
/// How far back per-minute totals are kept (from the start of that local hour).
pub(crate) const TREND: Duration = Duration::days(6);

/// One minute's (or, once folded, one hour's) totals for the chart and the burn rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Trend {
    /// Cost.
    pub(crate) cost: Money,
    /// Requests.
    pub(crate) requests: u64,
    /// Cache-read tokens.
    pub(crate) cache_read: u64,
    /// Input tokens of every kind (uncached, cache writes, cache reads).
    pub(crate) input: u64,
}

impl Trend {
    fn apply(&mut self, c: &Contribution, add: bool) {
        let cost = c.cost.map_or(Money::ZERO, |x| x.total);
        if add {
            self.cost += cost;
            self.requests += c.requests;
            self.cache_read += c.tokens.cache_read;
            self.input += c.tokens.total_input();
        } else {
            self.cost -= cost;
            self.requests = self.requests.saturating_sub(c.requests);
            self.cache_read = self.cache_read.saturating_sub(c.tokens.cache_read);
            self.input = self.input.saturating_sub(c.tokens.total_input());
        }
    }

    /// Adds another trend's figures.
    pub(crate) fn add(&mut self, o: &Trend) {
        self.cost += o.cost;
        self.requests += o.requests;
        self.cache_read += o.cache_read;
        self.input += o.input;
    }

    /// The totals of a slot's cells.
    fn of(slot: &Slot) -> Trend {
        let mut t = Trend {
            cost: slot.cost,
            ..Trend::default()
        };
        for (_, c) in &slot.cells {
            t.requests += u64::from(c.requests);
            t.cache_read += c.tokens.cache_read;
            t.input += c.tokens.total_input();
        }
        t
    }
}

/// The rollups at their resolutions (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct History {
    zone: Zone,
    /// Minute slots at or after `detail_from`.
    minutes: BTreeMap<i64, Slot>,
    /// Hour slots (keyed by the minute their local hour starts) before `detail_from`.
    hours: BTreeMap<i64, Slot>,
    /// Per-minute totals at or after `trend_from`.
    trend: BTreeMap<i64, Trend>,
    detail_from: i64,
    trend_from: i64,
    /// The last hour looked up: (start, end) in minutes.
    last_hour: (i64, i64),
}

/// Minutes since the epoch of `t`.
pub(crate) fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

/// The minute the local hour (in `zone`) of `minute` starts at (`minute` itself out of
/// chrono's range).
pub(crate) fn hour_start(zone: Zone, minute: i64) -> i64 {
    minute
        .checked_mul(60)
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .map_or(minute, |t| minute_of(zone.start_of_hour(t)))
}

impl History {
    /// Empty rollups whose hours follow `zone`; nothing is folded before the first
    /// [`compact`](Self::compact).
    pub(crate) fn new(zone: Zone) -> History {
        History {
            zone,
            minutes: BTreeMap::new(),
            hours: BTreeMap::new(),
            trend: BTreeMap::new(),
            detail_from: i64::MIN,
            trend_from: i64::MIN,
            last_hour: (0, 0),
        }
    }

    /// The minute the local hour of `minute` starts at (`minute` itself out of chrono's range).
    pub(crate) fn hour_of(&self, minute: i64) -> i64 {
        hour_start(self.zone, minute)
    }

    /// Where minute detail begins since the last [`compact`](Self::compact): older data is
    /// kept per local hour.
    pub(crate) fn detail_from(&self) -> i64 {
        self.detail_from
    }

    /// Where per-minute detail by dimensions begins at `now`: older data reads as whole hours.
    pub(crate) fn detail_frontier(&self, now: DateTime<Utc>) -> i64 {
        minute_of(self.zone.start_of_hour(now - DETAIL))
    }

    /// Where per-minute totals begin at `now`: older spend reads as whole hours.
    pub(crate) fn trend_frontier(&self, now: DateTime<Utc>) -> i64 {
        minute_of(self.zone.start_of_hour(now - TREND))
    }

    /// Adds (`add`) or retracts a contribution counted in `minute`.
    pub(crate) fn apply(&mut self, minute: i64, c: &Contribution, add: bool) {
        if minute >= self.trend_from {
            self.trend.entry(minute).or_default().apply(c, add);
        }
        let slot = if minute >= self.detail_from {
            self.minutes.entry(minute).or_default()
        } else {
            let (start, end) = self.last_hour;
            let hour = if (start..end).contains(&minute) {
                start
            } else {
                let start = self.hour_of(minute);
                self.last_hour = (start, start + 60);
                start
            };
            self.hours.entry(hour).or_default()
        };
        slot.apply(c, add);
    }

    /// Folds what is older than the frontiers at `now` (or at the newest record, if that is
    /// earlier: a clock running ahead of the data folds nothing the data still needs):
    /// minutes by dimensions into their hours, per-minute totals away (their hours hold
    /// them). A frontier never moves back; a record arriving older than it is kept per hour.
    pub(crate) fn compact(&mut self, now: DateTime<Utc>) {
        let newest = self
            .newest()
            .and_then(|m| DateTime::from_timestamp((m + 1).saturating_mul(60), 0));
        let now = newest.map_or(now, |n| n.min(now));
        let detail = self.detail_frontier(now);
        if detail > self.detail_from {
            let newer = self.minutes.split_off(&detail);
            let older = std::mem::replace(&mut self.minutes, newer);
            let mut touched = Vec::new();
            for (minute, slot) in older {
                let hour = self.hour_of(minute);
                self.hours.entry(hour).or_default().merge(&slot);
                if touched.last() != Some(&hour) {
                    touched.push(hour);
                }
            }
            for hour in touched {
                if let Some(slot) = self.hours.get_mut(&hour) {
                    slot.cells.shrink_to_fit();
                    slot.histogram.shrink_to_fit();
                }
            }
            self.detail_from = detail;
        }
        let trend = self.trend_frontier(now);
        if trend > self.trend_from {
            self.trend = self.trend.split_off(&trend);
            self.trend_from = trend;
        }
    }

    /// `from` as the readers at `now` see it: rounded down to its local hour when it is older
    /// than `frontier`.
    fn round(&self, from: i64, frontier: i64) -> i64 {
        if from < frontier {
            self.hour_of(from)
        } else {
            from
        }
    }

    /// The first minute the slots from `from` cover at `now` (see [`slots`](Self::slots)).
    pub(crate) fn covered_from(&self, from: i64, now: DateTime<Utc>) -> i64 {
        self.round(from, self.detail_frontier(now))
    }

    /// Every slot with data in minutes `[from, to]`, oldest first, at the resolution `now`
    /// gives them: before the detail frontier whole local hours (an hour `from` falls in
    /// counts whole), after it minutes.
    pub(crate) fn slots(
        &self,
        from: i64,
        to: i64,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = (i64, &Slot)> {
        let from = self.covered_from(from, now);
        let to = to.max(from);
        let hours = self.hours.range(self.hour_of(from)..=to);
        hours
            .chain(self.minutes.range(from..=to))
            .map(|(&m, s)| (m, s))
    }

    /// Every slot holding data from the one `from` falls in on, oldest first, at the
    /// resolution it is kept at (whole local hours, then minutes).
    pub(crate) fn slots_from(&self, from: i64) -> impl Iterator<Item = (i64, &Slot)> {
        self.hours
            .range(self.hour_of(from)..)
            .chain(self.minutes.range(from..))
            .map(|(&m, s)| (m, s))
    }

    /// Cost in minutes `[from, to]` at `now`: per minute within the trend frontier, whole
    /// local hours before it.
    pub(crate) fn cost_between(&self, from: i64, to: i64, now: DateTime<Utc>) -> Money {
        if from > to {
            return Money::ZERO;
        }
        let from = self.round(from, self.trend_frontier(now));
        let old_end = to.min(self.trend_from.saturating_sub(1));
        let old: Money = if self.hour_of(from) <= old_end {
            self.hours
                .range(self.hour_of(from)..=old_end)
                .map(|(_, s)| s.cost)
                .sum()
        } else {
            Money::ZERO
        };
        let recent_from = from.max(self.trend_from);
        let recent: Money = if recent_from <= to {
            self.trend
                .range(recent_from..=to)
                .map(|(_, t)| t.cost)
                .sum()
        } else {
            Money::ZERO
        };
        old + recent
    }

    /// Totals in minutes `[from, to]` for a chart at `now`, each with the minute it is
    /// placed at: minutes within the trend frontier, whole local hours (placed at their start)
    /// before it.
    pub(crate) fn trend(&self, from: i64, to: i64, now: DateTime<Utc>) -> Vec<(i64, Trend)> {
        let frontier = self.trend_frontier(now);
        let from = self.round(from, frontier);
        let mut out = Vec::new();
        let old_end = to.min(self.trend_from.saturating_sub(1));
        if self.hour_of(from) <= old_end {
            for (&hour, slot) in self.hours.range(self.hour_of(from)..=old_end) {
                out.push((hour, Trend::of(slot)));
            }
        }
        let recent_from = from.max(self.trend_from);
        if recent_from <= to {
            for (&minute, t) in self.trend.range(recent_from..=to) {
                let at = if minute < frontier {
                    self.hour_of(minute)
                } else {
                    minute
                };
                out.push((at, *t));
            }
        }
        out
    }

    /// The newest minute holding data.
    pub(crate) fn newest(&self) -> Option<i64> {
        let minute = self.minutes.keys().next_back().copied();
        let hour = self.hours.keys().next_back().copied();
        minute.max(hour)
    }
}
