//! Injected time: the aggregator asks a [`Clock`] for "now" — wall time when live, event time
//! when replaying, tokio's (pausable) time in tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// A source of "now".
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall time that advances with tokio's clock, so `start_paused` tests control it.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    base: DateTime<Utc>,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `base` now and advancing with `tokio::time`.
    pub fn starting_at(base: DateTime<Utc>) -> TokioClock {
        TokioClock {
            base,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.start.elapsed();
        self.base + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }
}

/// Simulated time running `speed` times faster than real time: `start + real elapsed × speed`.
///
/// The demo's aggregator runs on it, so windows, burn rates and alarms move in simulated time.
/// Real time is tokio's, so `start_paused` tests control it.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
    speed: f64,
}

impl ScaledClock {
    /// A clock reading `start` now and advancing `speed` simulated seconds per real second
    /// (non-finite or non-positive speeds are treated as 1).
    pub fn starting_at(start: DateTime<Utc>, speed: f64) -> ScaledClock {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        ScaledClock {
            start,
            origin: tokio::time::Instant::now(),
            speed,
        }
    }

    /// Simulated seconds per real second.
    #[cfg(test)]
    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    /// The simulated time after `real` has elapsed since the start.
    pub(crate) fn at_real(&self, real: std::time::Duration) -> DateTime<Utc> {
        let micros = (real.as_secs_f64() * self.speed * 1e6).min(1e17) as i64;
        self.start + chrono::Duration::microseconds(micros)
    }

    /// Real time from the start until the clock reads `t` (zero for times before the start).
    pub fn real_until(&self, t: DateTime<Utc>) -> std::time::Duration {
        let sim = (t - self.start).as_seconds_f64().max(0.0);
        std::time::Duration::try_from_secs_f64(sim / self.speed).unwrap_or(std::time::Duration::MAX)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        self.at_real(self.origin.elapsed())
    }
}

/// A clock that reads whatever it was last set to (replay's event time, tests).
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock reading `t`.
    pub fn at(t: DateTime<Utc>) -> ManualClock {
        let c = ManualClock::default();
        c.set(t);
        c
    }

    /// Moves the clock to `t` (forwards or backwards).
    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp_millis(), Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::Relaxed)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn scaled_clock_runs_speed_times_faster_than_tokio_time() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
        let clock = ScaledClock::starting_at(start, 150.0);
        assert_eq!(clock.now(), start);
        tokio::time::advance(std::time::Duration::from_secs(2)).await;
        assert_eq!(clock.now(), start + chrono::Duration::seconds(300));
        assert_eq!(
            clock.real_until(start + chrono::Duration::seconds(600)),
            std::time::Duration::from_secs(4)
        );
    }

    #[test]
    fn scaled_clock_rejects_nonsense_speeds() {
        let start = DateTime::from_timestamp(0, 0).expect("valid");
        assert!((ScaledClock::starting_at(start, 0.0).speed() - 1.0).abs() < f64::EPSILON);
        assert!((ScaledClock::starting_at(start, f64::NAN).speed() - 1.0).abs() < f64::EPSILON);
    }
}
