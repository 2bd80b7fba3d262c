//! The time windows the totals and panes can show, and the time zone their boundaries follow.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// A window of time ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Window {
    /// The last 15 minutes.
    Last15m,
    /// The last hour.
    Last1h,
    /// Since local midnight.
    #[default]
    Today,
    /// The last 7 days.
    Last7d,
    /// The last 30 days.
    Last30d,
    /// Since the first of the month.
    Month,
    /// Everything read.
    All,
}

impl Window {
    /// Every window, in the order `w` cycles through them.
    pub const ALL: [Window; 7] = [
        Window::Last15m,
        Window::Last1h,
        Window::Today,
        Window::Last7d,
        Window::Last30d,
        Window::Month,
        Window::All,
    ];

    /// The name used on the command line, in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Last15m => "15m",
            Window::Last1h => "1h",
            Window::Today => "today",
            Window::Last7d => "7d",
            Window::Last30d => "30d",
            Window::Month => "month",
            Window::All => "all",
        }
    }

    /// The next window in the cycle.
    #[must_use]
    pub fn next(self) -> Window {
        let i = Window::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Window::ALL[(i + 1) % Window::ALL.len()]
    }

    /// Where the window starts at `now`; `None` for `all`.
    pub fn start(self, now: DateTime<Utc>, zone: &Zone) -> Option<DateTime<Utc>> {
        match self {
            Window::Last15m => Some(now - Duration::minutes(15)),
            Window::Last1h => Some(now - Duration::hours(1)),
            Window::Today => Some(zone.start_of_day(now)),
            Window::Last7d => Some(now - Duration::days(7)),
            Window::Last30d => Some(now - Duration::days(30)),
            Window::Month => Some(zone.start_of_month(now)),
            Window::All => None,
        }
    }
}

/// How far past now a rolling window reaches, for records stamped slightly ahead of this
/// machine's clock.
const FUTURE_SLACK: Duration = Duration::minutes(5);

impl Window {
    /// Where the window ends at `now` (exclusive): a calendar window at its period's end, a
    /// rolling one a few minutes after now; `None` for `all`. Records stamped later (a clock
    /// stepped back) are not in the window until their time comes.
    pub fn end(self, now: DateTime<Utc>, zone: &Zone) -> Option<DateTime<Utc>> {
        match self {
            Window::Today => Some(zone.end_of_day(now)),
            Window::Month => Some(zone.end_of_month(now)),
            Window::All => None,
            _ => Some(now + FUTURE_SLACK),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Window, String> {
        Window::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!("unknown window {s:?} (use 15m, 1h, today, 7d, 30d, month, all)")
            })
    }
}

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
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Local => *t.with_timezone(&chrono::Local).offset(),
            Zone::Named(tz) => {
                use chrono::Offset;
                t.with_timezone(tz).offset().fix()
            }
        }
    }

    /// `t` as local wall-clock time in this zone.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset_at(t))
    }

    /// Midnight that starts the local day of `t`, as UTC.
    pub fn start_of_day(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.midnight(self.local(t).date_naive(), t)
    }

    /// Midnight that starts the local day after `t`'s.
    pub fn end_of_day(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = self.local(t).date_naive();
        self.midnight(day.succ_opt().unwrap_or(day), t + Duration::days(1))
    }

    /// Midnight of the first of `t`'s local month.
    pub fn start_of_month(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = self.local(t).date_naive();
        self.midnight(d.with_day(1).unwrap_or(d), t)
    }

    /// Midnight of the first of the next local month.
    pub fn end_of_month(&self, t: DateTime<Utc>) -> DateTime<Utc> {
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
    pub fn start_of_week(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = self.local(t).date_naive();
        let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        self.midnight(monday, t)
    }

    /// Start of the local hour of `t`.
    pub fn start_of_hour(&self, t: DateTime<Utc>) -> DateTime<Utc> {
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
    fn windows_parse_and_cycle() {
        assert_eq!("7d".parse::<Window>(), Ok(Window::Last7d));
        assert!("8d".parse::<Window>().is_err());
        assert_eq!(Window::All.next(), Window::Last15m);
    }

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
