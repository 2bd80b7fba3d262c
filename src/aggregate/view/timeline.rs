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
