//! Budget periods: an hour, day, week or month, whose boundaries follow the time zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

use super::zone::Zone;

/// The period a budget's limit applies to; boundaries follow the configured time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Clock hour.
    Hour,
    /// Calendar day.
    Day,
    /// Monday-to-Sunday week.
    Week,
    /// Calendar month.
    Month,
}

impl Period {
    /// The name used in config, flags and JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// Start (inclusive) and end (exclusive) of the period around `now` in `zone`.
    pub(crate) fn bounds(self, zone: Zone, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Period::Hour => {
                let s = zone.start_of_hour(now);
                (s, s + Duration::hours(1))
            }
            Period::Day => (zone.start_of_day(now), zone.end_of_day(now)),
            Period::Week => {
                let s = zone.start_of_week(now);
                (s, zone.start_of_week(s + Duration::days(8)))
            }
            Period::Month => (zone.start_of_month(now), zone.end_of_month(now)),
        }
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Period, String> {
        match s {
            "hour" | "hourly" => Ok(Period::Hour),
            "day" | "daily" => Ok(Period::Day),
            "week" | "weekly" => Ok(Period::Week),
            "month" | "monthly" => Ok(Period::Month),
            _ => Err(format!(
                "unknown budget period {s:?} (use hour, day, week, month)"
            )),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
