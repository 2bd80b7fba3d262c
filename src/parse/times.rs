//! Event times as loggers write them: RFC 3339 with or without a zone offset, a space instead
//! of the `T`, any number of fractional digits, and epoch seconds, milliseconds, microseconds
//! or nanoseconds (told apart by magnitude) as numbers or numeric strings. A time written
//! without a zone is read as UTC, or in the machine's zone after [`read_naive_times_as_local`]
//! (`[app_log] naive_time = "local"`), and counted ([`take_naive_times`]) so the source's
//! health can say the zone was assumed.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};

use super::fields::schema;
use super::lenient::Scalar;
use super::parsed::ParseError;

/// Epoch numbers below this are seconds (1e11 s is the year 5138), …
const SECONDS_BELOW: f64 = 1e11;
/// … below this milliseconds, …
const MILLIS_BELOW: f64 = 1e14;
/// … below this microseconds, and nanoseconds above.
const MICROS_BELOW: f64 = 1e17;

/// Times without a zone are local time (not UTC).
static NAIVE_IS_LOCAL: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Times read on this thread that named no zone, since the last [`take_naive_times`].
    static NAIVE_TIMES: Cell<u64> = const { Cell::new(0) };
}

/// Reads times written without a zone in the machine's local zone from now on (the config's
/// `[app_log] naive_time = "local"`); the default is UTC.
pub fn read_naive_times_as_local(local: bool) {
    NAIVE_IS_LOCAL.store(local, Ordering::Relaxed);
}

/// How many times without a zone this thread read since the last call (and resets the count).
pub fn take_naive_times() -> u64 {
    NAIVE_TIMES.with(|n| n.replace(0))
}

/// An event time at `path` (see the module documentation).
pub(crate) fn time(value: &Scalar<'_>, path: &str) -> Result<DateTime<Utc>, ParseError> {
    let epoch = match value {
        Scalar::Str(s) => {
            let s = s.trim();
            if let Some(t) = text_time(s) {
                return Ok(t);
            }
            if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
                return match s.parse::<u64>() {
                    Ok(n) => integer_epoch(n, path),
                    Err(_) => Err(schema(path, "out of range")),
                };
            }
            s.parse::<f64>()
                .map_err(|_| schema(path, "neither RFC 3339 nor an epoch number"))?
        }
        Scalar::Unsigned(n) => return integer_epoch(*n, path),
        Scalar::Float(f) => *f,
        Scalar::Negative(_) => return Err(schema(path, "negative epoch")),
        Scalar::Bool(_) | Scalar::Compound => return Err(schema(path, "not a time")),
    };
    if !epoch.is_finite() || epoch < 0.0 {
        return Err(schema(path, "not a valid epoch"));
    }
    let unit: i64 = if epoch < SECONDS_BELOW {
        1_000_000_000
    } else if epoch < MILLIS_BELOW {
        1_000_000
    } else if epoch < MICROS_BELOW {
        1_000
    } else {
        1
    };
    if epoch >= i64::MAX as f64 {
        return Err(schema(path, "out of range"));
    }
    // Whole units and the fraction apart, so a fraction is not lost to the float's precision.
    let nanos = (epoch.trunc() as i64)
        .checked_mul(unit)
        .and_then(|n| n.checked_add((epoch.fract() * unit as f64).round() as i64))
        .ok_or_else(|| schema(path, "out of range"))?;
    Ok(DateTime::from_timestamp_nanos(nanos))
}

/// An integer epoch, exactly: seconds, milliseconds, microseconds or nanoseconds by size.
fn integer_epoch(n: u64, path: &str) -> Result<DateTime<Utc>, ParseError> {
    let n = i64::try_from(n).map_err(|_| schema(path, "out of range"))?;
    let t = if (n as f64) < SECONDS_BELOW {
        DateTime::from_timestamp(n, 0)
    } else if (n as f64) < MILLIS_BELOW {
        DateTime::from_timestamp_millis(n)
    } else if (n as f64) < MICROS_BELOW {
        DateTime::from_timestamp_micros(n)
    } else {
        Some(DateTime::from_timestamp_nanos(n))
    };
    t.ok_or_else(|| schema(path, "out of range"))
}

/// A written date and time: RFC 3339, or its relatives loggers write (a space for the `T`,
/// no zone, more than nine fractional digits).
fn text_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc());
    }
    if s.len() < 19 || !s.is_char_boundary(10) || !s.is_char_boundary(11) {
        return None;
    }
    let mut text = String::with_capacity(s.len());
    text.push_str(&s[..10]);
    text.push('T');
    text.push_str(&s[11..]);
    let text = cut_fraction(&text);
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Some(t.to_utc());
    }
    if let Ok(t) = DateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f%#z") {
        return Some(t.to_utc());
    }
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    NAIVE_TIMES.with(|n| n.set(n.get() + 1));
    if NAIVE_IS_LOCAL.load(Ordering::Relaxed) {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.to_utc())
    } else {
        Some(naive.and_utc())
    }
}

/// `text` with its fraction of a second cut to nine digits (chrono reads no more).
fn cut_fraction(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(dot) = text.get(19..20).filter(|c| *c == ".").map(|_| 19) else {
        return text.into();
    };
    let digits = text[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits <= 9 {
        return text.into();
    }
    format!("{}{}", &text[..dot + 10], &text[dot + 1 + digits..]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Scalar<'_> {
        Scalar::Str(v.into())
    }

    const AT: &str = "2026-12-07T18:51:46Z";

    fn at(frac_nanos: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(AT).unwrap().to_utc()
            + chrono::Duration::nanoseconds(i64::from(frac_nanos))
    }

    #[test]
    fn every_spelling_loggers_write_reads_as_the_same_time() {
        let _ = take_naive_times();
        let spellings = [
            ("2026-12-07T18:51:46Z", 0, false),
            ("2026-12-07T18:51:46+00:00", 0, false),
            ("2026-12-07T19:51:46+01:00", 0, false),
            ("2026-12-07 18:51:46Z", 0, false),
            ("2026-12-07 18:51:46+00:00", 0, false),
            ("2026-12-07 18:51:46 +00:00", 0, false),
            ("2026-12-07T18:51:46", 0, true),
            ("2026-12-07 18:51:46", 0, true),
            ("2026-12-07T18:51:46.5", 500_000_000, true),
            ("2026-12-07T18:51:46.123456", 123_456_000, true),
            ("2026-12-07 18:51:46.123456789Z", 123_456_789, false),
            (
                "2026-12-07T18:51:46.1234567891234+00:00",
                123_456_789,
                false,
            ),
        ];
        for (text, nanos, naive) in spellings {
            assert_eq!(time(&s(text), "ts"), Ok(at(nanos)), "{text}");
            assert_eq!(take_naive_times(), u64::from(naive), "{text}");
        }
    }

    #[test]
    fn epochs_are_told_apart_by_magnitude() {
        let secs = 1_796_669_506_u64; // 2026-12-07T18:51:46Z
        assert_eq!(at(0).timestamp() as u64, secs);
        for n in [secs, secs * 1_000, secs * 1_000_000, secs * 1_000_000_000] {
            assert_eq!(time(&Scalar::Unsigned(n), "ts"), Ok(at(0)), "{n}");
            assert_eq!(time(&s(&n.to_string()), "ts"), Ok(at(0)), "{n} as text");
        }
        assert_eq!(
            time(&Scalar::Float(secs as f64 + 0.25), "ts"),
            Ok(at(250_000_000))
        );
        assert_eq!(
            time(&Scalar::Float(secs as f64 * 1e3 + 250.0), "ts"),
            Ok(at(250_000_000))
        );
        assert_eq!(time(&s("1796669506.25"), "ts"), Ok(at(250_000_000)));
    }

    #[test]
    fn naive_times_can_be_read_as_local_time() {
        read_naive_times_as_local(true);
        let local = time(&s("2026-12-07 18:51:46"), "ts");
        read_naive_times_as_local(false);
        let expected = Local
            .from_local_datetime(&at(0).naive_utc())
            .earliest()
            .unwrap()
            .to_utc();
        assert_eq!(local, Ok(expected));
    }

    #[test]
    fn what_is_no_time_is_refused_naming_the_field() {
        assert_eq!(
            time(&s("yesterday"), "ts"),
            Err(schema("ts", "neither RFC 3339 nor an epoch number"))
        );
        assert!(time(&s("2026-13-45 99:00:00"), "ts").is_err());
        assert!(time(&Scalar::Float(f64::MAX), "ts").is_err());
        assert!(time(&Scalar::Negative(-5), "ts").is_err());
        assert!(time(&Scalar::Unsigned(u64::MAX), "ts").is_err());
        assert!(time(&s("2026-12-07\u{e9}18:51:46"), "ts").is_err());
    }
}
