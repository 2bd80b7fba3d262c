//! Spend per local hour or day for the HTML report's chart, gathered in the snapshot's one
//! pass: every cell lands in the row of its slot's local hour (keyed as `report --by hour`
//! keys its rows), so the rows sum exactly to the window's totals.

use std::collections::BTreeMap;

use super::fold::{share, time_row_key, totals};
use crate::aggregate::store::{Cell, StoredCell};
use crate::money::Money;
use crate::snapshot::{GroupBy, GroupRow, SpendOverTime};
use crate::time::Zone;

/// Records spanning at most this many minutes get a row per hour; longer spans one per day.
const HOURLY_SPAN_MINUTES: i64 = 2 * 24 * 60;
/// Every zone's offset is a whole number of quarter hours, so a quarter hour (from a multiple
/// of 15 minutes) lies in one local hour: its key is worked out once.
const QUARTER: i64 = 15;

/// Spend per local hour, as the fold visits the slots.
pub(super) struct TimeFold {
    zone: Zone,
    hours: BTreeMap<String, Cell>,
    days: BTreeMap<String, Cell>,
    /// The first and last minutes holding a record.
    span: Option<(i64, i64)>,
    /// The quarter hour last visited and its hour's key.
    quarter: Option<(i64, String)>,
}

impl TimeFold {
    /// An empty fold keying hours in `zone`.
    pub(super) fn new(zone: Zone) -> Self {
        TimeFold {
            zone,
            hours: BTreeMap::new(),
            days: BTreeMap::new(),
            span: None,
            quarter: None,
        }
    }

    /// Adds one cell of the slot starting at `minute`.
    pub(super) fn visit(&mut self, minute: i64, cell: &StoredCell) {
        let quarter = minute.div_euclid(QUARTER);
        if self.quarter.as_ref().is_none_or(|(q, _)| *q != quarter) {
            self.quarter = Some((quarter, self.hour_key(minute)));
        }
        if let Some((_, key)) = &self.quarter {
            self.hours.entry(key.clone()).or_default().merge(cell);
            self.days.entry(day_of(key)).or_default().merge(cell);
        }
        self.span = Some(self.span.map_or((minute, minute), |(first, last)| {
            (first.min(minute), last.max(minute))
        }));
    }

    /// Rows per hour when the records span two days or less, per day otherwise; the empty
    /// hours or days between the first record and the last get a row too.
    pub(super) fn finish(mut self, total_cost: Money) -> SpendOverTime {
        let Some((first, last)) = self.span else {
            return SpendOverTime::default();
        };
        let daily = last - first > HOURLY_SPAN_MINUTES;
        // A day is never shorter than an hour: stepping by hours misses no day.
        let step = if daily { 60 } else { QUARTER };
        let mut minute = first;
        while minute < last {
            let key = self.hour_key(minute);
            if daily {
                self.days.entry(day_of(&key)).or_default();
            } else {
                self.hours.entry(key).or_default();
            }
            minute += step;
        }
        let rows = if daily { self.days } else { self.hours };
        SpendOverTime {
            daily,
            rows: rows
                .into_iter()
                .map(|(key, c)| GroupRow {
                    key,
                    totals: totals(&c),
                    share_of_cost: share(c.cost, total_cost),
                })
                .collect(),
        }
    }

    fn hour_key(&self, minute: i64) -> String {
        // Only a minute past chrono's range has no key; it keeps its figures, unlabelled.
        time_row_key(self.zone, &GroupBy::Hour, minute).unwrap_or_default()
    }
}

/// The local day of an hour's key (`2026-12-07 14:00` → `2026-12-07`).
fn day_of(hour: &str) -> String {
    hour.split(' ').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use crate::aggregate::{Settings, State};
    use crate::money::Money;
    use crate::snapshot::{SpendOverTime, Totals};
    use crate::time::{Window, Zone};
    use crate::usage::{Tokens, UsageEvent};

    /// One Sonnet 5.5 request: 1,000 input × $2 + 200 output × $10 per million = 4,000 µ$.
    const REQUEST: Money = Money(4_000 * 1_000_000);

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    /// The spend over time of one request at each of `times`, seen at `now` in `zone`.
    fn over_time(
        zone: &str,
        times: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> (SpendOverTime, Totals) {
        let mut s = State::new(Settings {
            zone: zone.parse::<Zone>().unwrap(),
            window: Window::All,
            spend_over_time: true,
            ..Settings::default()
        });
        for &t in times {
            let tokens = Tokens {
                input: 1_000,
                output: 200,
                ..Tokens::default()
            };
            s.ingest(&UsageEvent::request(t, "claude-sonnet-5-5", tokens));
        }
        let snap = s.snapshot(now, None);
        (snap.spend_over_time.expect("asked for"), snap.totals)
    }

    fn rows(o: &SpendOverTime) -> Vec<(&str, u64, Money)> {
        o.rows
            .iter()
            .map(|r| (r.key.as_str(), r.totals.requests, r.totals.cost))
            .collect()
    }

    fn sum(o: &SpendOverTime) -> Money {
        o.rows.iter().map(|r| r.totals.cost).sum()
    }

    #[test]
    fn three_days_of_records_are_local_days_summing_to_the_total() {
        // 23:30 UTC on the 5th is 00:30 on the 6th in Berlin; nothing on the 7th.
        let times = [at(5, 23, 30), at(6, 10, 0), at(8, 18, 0)];
        for now in [at(8, 19, 0), at(30, 0, 0)] {
            let (o, totals) = over_time("Europe/Berlin", &times, now);
            assert!(o.daily);
            assert_eq!(
                rows(&o),
                [
                    ("2026-12-06", 2, Money(2 * REQUEST.0)),
                    ("2026-12-07", 0, Money::ZERO),
                    ("2026-12-08", 1, REQUEST),
                ]
            );
            assert_eq!(sum(&o), totals.cost);
            assert_eq!(totals.cost, Money(3 * REQUEST.0));
        }
    }

    #[test]
    fn a_day_of_records_is_local_hours_empty_ones_included() {
        let times = [at(7, 10, 5), at(7, 10, 50), at(7, 13, 20)];
        let (o, totals) = over_time("UTC", &times, at(7, 14, 0));
        assert!(!o.daily);
        assert_eq!(
            rows(&o),
            [
                ("2026-12-07 10:00", 2, Money(2 * REQUEST.0)),
                ("2026-12-07 11:00", 0, Money::ZERO),
                ("2026-12-07 12:00", 0, Money::ZERO),
                ("2026-12-07 13:00", 1, REQUEST),
            ]
        );
        assert_eq!(sum(&o), totals.cost);
        // In Kolkata (UTC+5:30) 10:05 and 10:50 UTC fall in two local hours.
        let (o, totals) = over_time("Asia/Kolkata", &times[..2], at(7, 14, 0));
        assert_eq!(
            rows(&o),
            [
                ("2026-12-07 15:00", 1, REQUEST),
                ("2026-12-07 16:00", 1, REQUEST)
            ]
        );
        assert_eq!(sum(&o), totals.cost);
    }

    #[test]
    fn not_asked_for_it_is_not_folded() {
        let s = State::new(Settings::default());
        assert!(s.snapshot(at(7, 14, 0), None).spend_over_time.is_none());
    }
}
