//! The replay controls: play, pause, speed, seek, jump to alarms; turns wall time into event
//! time and asks the [`Engine`] for the state there. Synchronous, so tests drive it directly.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::engine::Engine;
use crate::snapshot::{Control, ReplayCommand, ReplayStatus, Snapshot};

/// Slowest speed `-` reaches.
const MIN_SPEED: f64 = 0.25;
/// Fastest finite speed; `+` beyond it plays at full speed.
const MAX_FINITE_SPEED: f64 = 61_440.0;
/// Records played per step at full speed (about one frame's worth of work).
const MAX_SPEED_RECORDS_PER_STEP: usize = 20_000;

/// How fast event time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Seconds of event time per second of wall time.
    Factor(f64),
    /// As fast as the machine can.
    Max,
}

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Speed, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        // `60x` and `60×` read as 60 (the trailing `x` of `max` is handled above).
        match s.trim_end_matches(['x', '×']).parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 => Ok(Speed::Factor(f)),
            _ => Err(format!(
                "--speed {s:?}: use a positive factor (60 = one minute per second) or max"
            )),
        }
    }
}

impl Speed {
    fn faster(self) -> Speed {
        match self {
            Speed::Factor(f) if f * 2.0 <= MAX_FINITE_SPEED => Speed::Factor(f * 2.0),
            _ => Speed::Max,
        }
    }

    fn slower(self) -> Speed {
        match self {
            Speed::Factor(f) => Speed::Factor((f / 2.0).max(MIN_SPEED)),
            Speed::Max => Speed::Factor(MAX_FINITE_SPEED),
        }
    }

    /// The factor shown in the header (`inf` for full speed).
    pub(crate) fn factor(self) -> f64 {
        match self {
            Speed::Factor(f) => f,
            Speed::Max => f64::INFINITY,
        }
    }
}

/// A replay being watched: the engine plus the playback state.
#[derive(Debug)]
pub struct Player {
    engine: Engine,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    speed: Speed,
    paused: bool,
}

impl Player {
    /// A player over `[start, end]`; opens paused at `at` when given, else plays from `start`.
    pub fn new(
        mut engine: Engine,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        speed: Speed,
        at: Option<DateTime<Utc>>,
    ) -> Player {
        let (start, end) = (start.min(end), start.max(end));
        let first = at.unwrap_or(start).clamp(start, end);
        engine.seek(first);
        Player {
            engine,
            start,
            end,
            speed,
            paused: at.is_some() || first >= end,
        }
    }

    /// Event time now.
    pub fn at(&self) -> DateTime<Utc> {
        self.engine.at()
    }

    /// Whether time is running.
    pub fn is_playing(&self) -> bool {
        !self.paused
    }

    /// Applies a key from the dashboard.
    pub fn command(&mut self, cmd: ReplayCommand) {
        match cmd {
            ReplayCommand::TogglePause => {
                if self.paused && self.at() >= self.end {
                    self.engine.seek(self.start);
                }
                self.paused = !self.paused;
            }
            ReplayCommand::Faster => self.speed = self.speed.faster(),
            ReplayCommand::Slower => self.speed = self.speed.slower(),
            ReplayCommand::Seek(secs) => {
                let t = self.at() + chrono::Duration::seconds(secs);
                self.seek(t);
            }
            ReplayCommand::ToStart => self.seek(self.start),
            ReplayCommand::ToEnd => self.seek(self.end),
            ReplayCommand::NextAlarm => {
                if let Some(t) = self.engine.next_alarm(self.at()).filter(|t| *t <= self.end) {
                    self.seek(t);
                    self.paused = true;
                }
            }
            ReplayCommand::PrevAlarm => {
                if let Some(t) = self
                    .engine
                    .prev_alarm(self.at())
                    .filter(|t| *t >= self.start)
                {
                    self.seek(t);
                    self.paused = true;
                }
            }
        }
    }

    /// Applies a dashboard control (window, acknowledge).
    pub fn control(&mut self, control: Control) {
        self.engine.control(control);
    }

    /// Moves to `t`, kept within the replay's range.
    pub fn seek(&mut self, t: DateTime<Utc>) {
        self.engine.seek(t.clamp(self.start, self.end));
    }

    /// Lets `elapsed` wall time pass; pauses at the end.
    pub fn tick(&mut self, elapsed: Duration) {
        if self.paused {
            return;
        }
        let target = match self.speed {
            Speed::Factor(f) => {
                let ms = (elapsed.as_secs_f64() * f * 1000.0).round().min(1e15) as i64;
                self.at() + chrono::Duration::milliseconds(ms)
            }
            Speed::Max => {
                let events = self.engine.timeline().events();
                let from = events.partition_point(|e| e.timestamp <= self.at());
                let ahead = events
                    .get(from + MAX_SPEED_RECORDS_PER_STEP)
                    .map_or(self.end, |e| e.timestamp);
                ahead.max(self.at() + chrono::Duration::minutes(1))
            }
        };
        let target = target.min(self.end);
        self.engine.advance_to(target);
        if target >= self.end {
            self.paused = true;
        }
    }

    /// The snapshot at the current moment, with the replay status for the header.
    pub fn snapshot(&self) -> Snapshot {
        let mut snap = self.engine.snapshot();
        snap.replay = Some(ReplayStatus {
            speed: self.speed.factor(),
            paused: self.paused,
            start: Some(self.start),
            end: Some(self.end),
            progress: self.engine.progress(),
            undated_records: self.engine.timeline().undated_records,
        });
        snap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_reads_max_and_factors_with_or_without_x() {
        for (text, speed) in [
            ("max", Speed::Max),
            ("MAX", Speed::Max),
            (" max ", Speed::Max),
            ("60", Speed::Factor(60.0)),
            ("60x", Speed::Factor(60.0)),
            ("0.5×", Speed::Factor(0.5)),
        ] {
            assert_eq!(text.parse::<Speed>(), Ok(speed), "{text:?}");
        }
        for bad in ["0", "-2", "x", "ma", "fast", "inf"] {
            assert!(bad.parse::<Speed>().is_err(), "{bad:?}");
        }
    }
}
