//! The time zone that days, hours, windows and budget periods follow.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The time zone that days, hours and budget periods follow: the local one or a named one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// The system's local time zone.
    #[default]
    Local,
    /// A named IANA zone (`--tz Europe/Paris`, `UTC`).
    Named(Tz),
}

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Zone, String> {
        if s.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        s.parse::<Tz>().map(Zone::Named).map_err(|_| {
            format!("unknown time zone {s:?} (use an IANA name like Europe/Paris, or UTC)")
        })
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Local => f.write_str("local"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

impl Zone {
    /// The UTC offset in force at `t`.
    pub(crate) fn offset_at(self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Local => *t.with_timezone(&chrono::Local).offset(),
            Zone::Named(tz) => {
                use chrono::Offset;
                t.with_timezone(&tz).offset().fix()
            }
        }
    }

    /// `t` as local wall-clock time in this zone.
    pub(crate) fn local(self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset_at(t))
    }

    /// Midnight that starts the local day of `t`, as UTC.
    pub(crate) fn start_of_day(self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.midnight(self.local(t).date_naive(), t)
    }

    /// Midnight that starts the local day after `t`'s.
    pub(crate) fn end_of_day(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = self.local(t).date_naive();
        self.midnight(day.succ_opt().unwrap_or(day), t + Duration::days(1))
    }

    /// Midnight of the first of `t`'s local month.
    pub(crate) fn start_of_month(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = self.local(t).date_naive();
        self.midnight(d.with_day(1).unwrap_or(d), t)
    }

    /// Midnight of the first of the next local month.
    pub(crate) fn end_of_month(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = self.local(t).date_naive();
        let (y, m) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d);
        self.midnight(first, t + Duration::days(31))
    }

    /// Midnight of the Monday that starts `t`'s local week.
    pub(crate) fn start_of_week(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = self.local(t).date_naive();
        let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        self.midnight(monday, t)
    }

    /// The first instant of the local calendar day `day`, as UTC.
    pub(crate) fn start_of_date(self, day: NaiveDate) -> DateTime<Utc> {
        self.midnight(day, day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())
    }

    /// Start of the local hour of `t`.
    pub(crate) fn start_of_hour(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let secs = t.timestamp();
        let off = i64::from(self.offset_at(t).local_minus_utc());
        let local = secs + off;
        let floored = local - local.rem_euclid(3600);
        DateTime::from_timestamp(floored - off, 0).unwrap_or(t)
    }

    /// The first instant of `day` in this zone, as UTC: local midnight, or where a DST
    /// change skips midnight (clocks go from 23:59 to 01:00), the first local time after the
    /// gap, so a day never starts inside the one before it. `hint` is used only if the zone
    /// has no time at all in the day's first hours.
    fn midnight(self, day: NaiveDate, hint: DateTime<Utc>) -> DateTime<Utc> {
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let resolve = |t: chrono::NaiveDateTime| match self {
            Zone::Local => chrono::Local
                .from_local_datetime(&t)
                .earliest()
                .map(|t| t.to_utc()),
            Zone::Named(tz) => tz.from_local_datetime(&t).earliest().map(|t| t.to_utc()),
        };
        (0..=12)
            .find_map(|quarter| resolve(naive + Duration::minutes(15 * quarter)))
            .unwrap_or_else(|| {
                let off = self.offset_at(hint);
                (naive - Duration::seconds(i64::from(off.local_minus_utc()))).and_utc()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_zone_boundaries_follow_local_midnight() {
        let zone: Zone = "Europe/Paris".parse().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 23, 30, 0).unwrap(); // 00:30 in Paris
        assert_eq!(
            zone.start_of_day(t),
            Utc.with_ymd_and_hms(2026, 11, 23, 23, 0, 0).unwrap()
        );
        assert_eq!(
            zone.start_of_month(t),
            Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap() - Duration::days(30)
        );
        let utc: Zone = "UTC".parse().unwrap();
        assert_eq!(
            utc.end_of_month(t),
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            utc.start_of_week(t),
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
        );
    }
}
