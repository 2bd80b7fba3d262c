//! Parsing of the command line's values: budgets, listen addresses, durations and times.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::time::{Period, Zone};

/// Parses `PERIOD=USD`.
pub(crate) fn parse_budget(s: &str) -> Result<(Period, f64), String> {
    let (p, usd) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not PERIOD=USD (e.g. day=200)"))?;
    let period: Period = p.trim().parse()?;
    let usd: f64 = usd
        .trim()
        .trim_start_matches('$')
        .parse()
        .map_err(|_| format!("{usd:?} is not an amount in USD"))?;
    if !(usd.is_finite() && usd > 0.0) {
        return Err(format!("budget {usd} must be positive"));
    }
    Ok((period, usd))
}

/// Parses a listen address: `HOST:PORT` with an IP address (`[::1]:9871`), `localhost:PORT`,
/// or a bare `PORT` / `:PORT` on loopback.
pub(crate) fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    let loopback = |port: &str| {
        port.parse::<u16>()
            .map(|p| SocketAddr::from(([127, 0, 0, 1], p)))
            .map_err(|_| {
                format!("{s:?} is not an address: use HOST:PORT (127.0.0.1:9871) or a port")
            })
    };
    if let Some(port) = s.strip_prefix(':').or_else(|| s.strip_prefix("localhost:")) {
        return loopback(port);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return loopback(s);
    }
    s.parse().map_err(|_| {
        format!("{s:?} is not an address: use HOST:PORT with an IP (0.0.0.0:9871) or a port")
    })
}

/// Parses a duration: `200ms`, `1s`, `5m`, `1h`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("{s:?}: {e}"))
}

/// Parses a point in time: a date (local midnight in `zone`), RFC 3339, a local date-time
/// (`2026-11-20 14:03`), or a span back from `now` (`90m`, `1h`, `7d`).
pub(crate) fn parse_time(s: &str, now: DateTime<Utc>, zone: Zone) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.to_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        return Ok(zone.start_of_day(
            noon - chrono::Duration::seconds(i64::from(zone.offset_at(noon).local_minus_utc())),
        ));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            let guess = naive.and_utc();
            let off = zone.offset_at(guess);
            return Ok(guess - chrono::Duration::seconds(i64::from(off.local_minus_utc())));
        }
    }
    if let Ok(span) = humantime::parse_duration(s) {
        let span = chrono::Duration::from_std(span).map_err(|e| e.to_string())?;
        return Ok(now - span);
    }
    Err(format!(
        "{s:?} is not a time: use a date (2026-11-01), RFC 3339 (2026-11-01T09:00:00Z), \
         a local time (\"2026-11-01 09:00\") or a span back from now (90m, 1h, 7d)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_parse_in_every_documented_form() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let utc: Zone = "UTC".parse().unwrap();
        let paris: Zone = "Europe/Paris".parse().unwrap();
        assert_eq!(
            parse_time("2026-11-01", now, utc).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time("2026-11-01", now, paris).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 31, 23, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time("2026-11-20T14:03:00Z", now, paris).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 20, 14, 3, 0).unwrap()
        );
        assert_eq!(
            parse_time("2026-11-20 15:03", now, paris).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 20, 14, 3, 0).unwrap()
        );
        assert_eq!(
            parse_time("90m", now, utc).unwrap(),
            now - chrono::Duration::minutes(90)
        );
        assert_eq!(
            parse_time("7d", now, utc).unwrap(),
            now - chrono::Duration::days(7)
        );
        assert!(parse_time("yesterday-ish", now, utc).is_err());
    }

    #[test]
    fn listen_addresses_parse_in_every_documented_form() {
        let local = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
        assert_eq!(parse_listen("127.0.0.1:9871"), Ok(local(9871)));
        assert_eq!(parse_listen("9871"), Ok(local(9871)));
        assert_eq!(parse_listen(":0"), Ok(local(0)));
        assert_eq!(parse_listen("localhost:80"), Ok(local(80)));
        assert_eq!(parse_listen("[::]:9871"), Ok("[::]:9871".parse().unwrap()));
        assert!(parse_listen("example.com:80").is_err());
        assert!(parse_listen("99999").is_err());
    }

    #[test]
    fn budgets_and_durations_parse() {
        assert_eq!(parse_budget("day=200"), Ok((Period::Day, 200.0)));
        assert!(parse_budget("fortnight=3").is_err());
        assert!(parse_budget("day=-1").is_err());
        assert_eq!(parse_duration("200ms"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
    }
}
