//! Waiting after failures: exponential back-off with jitter, and `Retry-After` parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

/// The longest `Retry-After` honoured; a larger value is treated as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Exponential back-off: each delay doubles up to `cap`, with "equal jitter" (a random point
/// in the upper half of the current step) so many clients do not retry in lockstep.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    start: Duration,
    cap: Duration,
    step: Duration,
    rng: Jitter,
}

impl Backoff {
    /// A back-off starting at `start` and never waiting longer than `cap`.
    pub(crate) fn new(start: Duration, cap: Duration) -> Backoff {
        Backoff {
            start,
            cap: cap.max(start),
            step: start,
            rng: Jitter::from_time(),
        }
    }

    /// The delay before the next retry; grows the step for the one after.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = (step * 2).min(self.cap);
        let half = step / 2;
        half + half.mul_f64(self.rng.unit())
    }

    /// Back to the first step after a success.
    pub(crate) fn reset(&mut self) {
        self.step = self.start;
    }
}

/// A cheap xorshift64* generator, seeded from the clock; good enough for jitter.
#[derive(Debug, Clone)]
struct Jitter(u64);

impl Jitter {
    fn from_time() -> Jitter {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        // splitmix64 of the seed, so close seeds give unrelated sequences; never zero.
        let mut z = nanos.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Jitter((z ^ (z >> 31)) | 1)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// Reads a `Retry-After` header: delay seconds or an HTTP date; a date in the past means now.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = DateTime::parse_from_rfc2822(value).ok()?;
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_with_jitter_up_to_the_cap() {
        let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
        let mut step = Duration::from_secs(2);
        for _ in 0..12 {
            let delay = backoff.next_delay();
            assert!(delay >= step / 2 && delay <= step, "{delay:?} vs {step:?}");
            step = (step * 2).min(Duration::from_secs(300));
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_secs(2));
    }

    #[test]
    fn jitter_varies() {
        let mut rng = Jitter::from_time();
        let draws: Vec<f64> = (0..8).map(|_| rng.unit()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        assert!(draws.windows(2).any(|w| (w[0] - w[1]).abs() > f64::EPSILON));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
