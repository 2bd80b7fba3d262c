//! Parsing of the periods `report --compare A B` sets side by side, and of `--per tag:KEY`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::parse::parse_time;
use crate::time::{Span, Zone};

/// Parses a period: `today`, `yesterday`, `this-week`, `last-week` (Monday to Sunday),
/// `this-month`, `last-month`, a day (`2026-11-20`), an ISO week (`2026-W47`), a month
/// (`2026-11`), or `A..B`: from the start of A to the end of B, each of them one of the above
/// or a time (`2026-11-01T09:00:00Z`, `"2026-11-01 09:00"`). Boundaries are local midnights
/// in `zone`; `now` places the relative names.
pub(crate) fn parse_span(s: &str, now: DateTime<Utc>, zone: Zone) -> Result<Span, String> {
    let label = s.trim();
    let (start, end) = match label.split_once("..") {
        Some((a, b)) => {
            let (start, _) = bounds(a.trim(), now, zone)?;
            let (_, end) = bounds(b.trim(), now, zone)?;
            (start, end)
        }
        None => match named(label, now, zone) {
            Some(bounds) => bounds,
            None => return Err(not_a_period(label)),
        },
    };
    if start >= end {
        return Err(format!(
            "{label:?} is empty: its end is not after its start"
        ));
    }
    Ok(Span {
        label: label.to_string(),
        start,
        end,
    })
}

fn not_a_period(s: &str) -> String {
    format!(
        "{s:?} is not a period: use a day (2026-11-20), a month (2026-11), an ISO week \
         (2026-W47), today, yesterday, this-week, last-week, this-month, last-month, or A..B \
         (2026-11-01..2026-11-15)"
    )
}

/// Parses `--per tag:KEY` into the tag key.
pub(crate) fn parse_per(s: &str) -> Result<String, String> {
    match s.trim().strip_prefix("tag:") {
        Some(key) if !key.is_empty() => Ok(key.to_string()),
        _ => Err(format!("{s:?} is not tag:KEY (e.g. tag:document)")),
    }
}

/// One end of `A..B`: a named period (its start and end), or a time (both ends at it).
fn bounds(
    s: &str,
    now: DateTime<Utc>,
    zone: Zone,
) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    if let Some(b) = named(s, now, zone) {
        return Ok(b);
    }
    let t = parse_time(s, now, zone).map_err(|_| not_a_period(s))?;
    Ok((t, t))
}

/// A period with a name or a calendar form, or `None`.
fn named(s: &str, now: DateTime<Utc>, zone: Zone) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let today = zone.local(now).date_naive();
    let days = |from: NaiveDate, n: i64| {
        (
            zone.start_of_date(from),
            zone.start_of_date(from + Duration::days(n)),
        )
    };
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = today.with_day(1)?;
    match s {
        "today" => return Some(days(today, 1)),
        "yesterday" => return Some(days(today - Duration::days(1), 1)),
        "this-week" => return Some(days(monday, 7)),
        "last-week" => return Some(days(monday - Duration::days(7), 7)),
        "this-month" => return Some(month(first, zone)),
        "last-month" => return Some(month((first - Duration::days(1)).with_day(1)?, zone)),
        _ => {}
    }
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(days(day, 1));
    }
    if let Some((year, week)) = s.split_once("-W") {
        let monday = NaiveDate::from_isoywd_opt(
            year.parse().ok()?,
            week.parse().ok()?,
            chrono::Weekday::Mon,
        )?;
        return Some(days(monday, 7));
    }
    let first = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()?;
    // `2026-11-01` parsed above; only a bare month reaches here.
    (s.len() <= 7).then(|| month(first, zone))
}

/// The local calendar month starting on `first`.
fn month(first: NaiveDate, zone: Zone) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (zone.start_of_date(first), zone.start_of_date(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    /// Thursday 2026-11-26, noon UTC.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
    }

    fn span(s: &str) -> (DateTime<Utc>, DateTime<Utc>) {
        let z: Zone = "UTC".parse().unwrap();
        let p = parse_span(s, now(), z).unwrap();
        assert_eq!(p.label, s.trim());
        (p.start, p.end)
    }

    #[test]
    fn every_documented_period_parses() {
        assert_eq!(span("2026-11"), (utc(2026, 11, 1), utc(2026, 12, 1)));
        assert_eq!(span("2026-12"), (utc(2026, 12, 1), utc(2027, 1, 1)));
        assert_eq!(span("2026-11-20"), (utc(2026, 11, 20), utc(2026, 11, 21)));
        assert_eq!(span("2026-W47"), (utc(2026, 11, 16), utc(2026, 11, 23)));
        assert_eq!(span("today"), (utc(2026, 11, 26), utc(2026, 11, 27)));
        assert_eq!(span("yesterday"), (utc(2026, 11, 25), utc(2026, 11, 26)));
        assert_eq!(span("this-week"), (utc(2026, 11, 23), utc(2026, 11, 30)));
        assert_eq!(span("last-week"), (utc(2026, 11, 16), utc(2026, 11, 23)));
        assert_eq!(span("this-month"), (utc(2026, 11, 1), utc(2026, 12, 1)));
        assert_eq!(span("last-month"), (utc(2026, 10, 1), utc(2026, 11, 1)));
        // Both ends of a range are whole days: the 15th is in it.
        assert_eq!(
            span("2026-11-01..2026-11-15"),
            (utc(2026, 11, 1), utc(2026, 11, 16))
        );
        assert_eq!(
            span("2026-10..2026-11"),
            (utc(2026, 10, 1), utc(2026, 12, 1))
        );
        assert_eq!(
            span("2026-11-01T06:00:00Z..2026-11-01T18:00:00Z"),
            (
                utc(2026, 11, 1) + Duration::hours(6),
                utc(2026, 11, 1) + Duration::hours(18)
            )
        );
    }

    #[test]
    fn boundaries_are_local_midnights() {
        let paris: Zone = "Europe/Paris".parse().unwrap();
        let p = parse_span("2026-11", now(), paris).unwrap();
        assert_eq!(p.start, utc(2026, 11, 1) - Duration::hours(1));
        assert_eq!(p.end, utc(2026, 12, 1) - Duration::hours(1));
    }

    #[test]
    fn nonsense_and_empty_periods_are_refused() {
        let z: Zone = "UTC".parse().unwrap();
        for bad in [
            "",
            "last-year",
            "2026-13",
            "2026-11-31",
            "2026-W60",
            "2026-11-15..2026-11-01",
            "x..2026-11",
        ] {
            assert!(parse_span(bad, now(), z).is_err(), "{bad}");
        }
    }
}
