//! The deterministic core of replay: the aggregator's [`State`] at any moment T of event time,
//! the same whether T is reached by playing, by seeking forwards or backwards, at any speed.
//!
//! The rules that make the state at T a function of the input and T alone:
//! - every record with a timestamp ≤ T is counted, in [`Timeline`] order;
//! - alarms are evaluated only at whole-minute boundaries B of event time, from the minute of
//!   the first record on: at each B, first every record ≤ B is counted, then
//!   `evaluate_alarms(B)` runs. The snapshot at T therefore shows the alarm state of the last
//!   evaluated boundary ≤ T, and totals that include every record ≤ T;
//! - a boundary is skipped only where evaluating it provably changes nothing (see
//!   [`Engine::next_boundary`]);
//! - seeking restores the latest checkpoint at or before T (an exact copy of the state taken
//!   at a boundary while loading) and plays forward from it. Where checkpoints fall depends on
//!   how long loading took, but each is a point of the one canonical sequence, so results do
//!   not depend on them.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::boundary::{self, minute_time};
use super::timeline::Timeline;
use crate::aggregate::{Settings, State};
use crate::snapshot::{Control, Snapshot};
use crate::time::Window;

/// Most checkpoints kept: when full, every other one is dropped and the spacing doubles, so
/// memory stays bounded on long inputs (at the cost of slower seeks there).
const MAX_CHECKPOINTS: usize = 64;

/// How the engine trades memory for seek speed (tests turn the shortcuts off to check them).
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    /// Skip boundaries where evaluating provably changes nothing.
    pub skip_quiet: bool,
    /// Take a checkpoint after this much loading work; `None`: no checkpoints.
    pub checkpoint_every: Option<Duration>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            skip_quiet: true,
            checkpoint_every: Some(Duration::from_millis(25)),
        }
    }
}

/// A copy of the state right after evaluating boundary `minute`.
#[derive(Debug)]
struct Checkpoint {
    minute: i64,
    cursor: usize,
    estimates: usize,
    state: State,
}

/// Replays a [`Timeline`] through a [`State`] with event time as the clock.
#[derive(Debug)]
pub struct Engine {
    timeline: Timeline,
    initial: State,
    state: State,
    /// Records counted: `timeline.events()[..cursor]`.
    cursor: usize,
    /// Other tools' figures applied: `timeline.estimates()[..estimates]`.
    estimates: usize,
    /// The last evaluated boundary (minute number), `None` before the first.
    evaluated: Option<i64>,
    at: DateTime<Utc>,
    window: Window,
    options: EngineOptions,
    checkpoints: Vec<Checkpoint>,
    /// Boundaries where at least one alarm was raised, in order.
    raises: Vec<DateTime<Utc>>,
    /// Alarm raises (id, time) the user acknowledged: a seek restores a state from before
    /// the acknowledgement, so it is applied again wherever the same raise is active.
    acknowledged: BTreeSet<(String, DateTime<Utc>)>,
}

impl Engine {
    /// Loads the engine: plays the timeline once up to `end` (default: the last record),
    /// noting when alarms were raised and leaving checkpoints for fast seeks.
    pub fn new(timeline: Timeline, settings: Settings, end: Option<DateTime<Utc>>) -> Engine {
        Engine::with_options(timeline, settings, end, EngineOptions::default())
    }

    /// [`Engine::new`] with explicit options.
    pub fn with_options(
        timeline: Timeline,
        settings: Settings,
        end: Option<DateTime<Utc>>,
        options: EngineOptions,
    ) -> Engine {
        let window = settings.window;
        let mut initial = State::new(settings);
        for h in &timeline.health {
            initial.apply(crate::usage::SourceMsg::Health(h.clone()));
        }
        let start = timeline.first().unwrap_or_default();
        let end = end.or(timeline.last()).unwrap_or(start);
        let mut engine = Engine {
            timeline,
            state: initial.clone(),
            initial,
            cursor: 0,
            estimates: 0,
            evaluated: None,
            at: start.min(end),
            window,
            options,
            checkpoints: Vec::new(),
            acknowledged: BTreeSet::new(),
            raises: Vec::new(),
        };
        engine.load(end);
        engine
    }

    /// The straight pass: every boundary up to `end`, checkpoints by work done.
    fn load(&mut self, end: DateTime<Utc>) {
        let mut since_checkpoint = Instant::now();
        let mut every = self.options.checkpoint_every;
        while let Some(minute) = self.next_boundary() {
            let at = minute_time(minute);
            if at > end {
                break;
            }
            if self.evaluate(minute) > 0 {
                self.raises.push(at);
            }
            if let Some(spacing) = every
                && since_checkpoint.elapsed() >= spacing
            {
                if self.checkpoints.len() == MAX_CHECKPOINTS {
                    let mut i = 0;
                    self.checkpoints.retain(|_| {
                        i += 1;
                        i % 2 == 0
                    });
                    every = Some(spacing * 2);
                }
                self.checkpoints.push(Checkpoint {
                    minute,
                    cursor: self.cursor,
                    estimates: self.estimates,
                    state: self.state.clone(),
                });
                since_checkpoint = Instant::now();
            }
        }
        self.count_until(end);
        self.at = end;
    }

    /// The recorded input.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Where the replay stands (event time).
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Fraction of the records counted so far, 0–1.
    pub(crate) fn progress(&self) -> f64 {
        let n = self.timeline.events().len();
        if n == 0 {
            1.0
        } else {
            self.cursor as f64 / n as f64
        }
    }

    /// Checkpoints taken while loading.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Moves to `t`, forwards or backwards.
    pub fn seek(&mut self, t: DateTime<Utc>) {
        let t_minute = t.timestamp().div_euclid(60);
        let best = self.checkpoints.partition_point(|c| c.minute <= t_minute);
        let usable = best.checked_sub(1).map(|i| &self.checkpoints[i]);
        if t < self.at {
            match usable {
                Some(c) => self.restore(c.minute, (c.cursor, c.estimates), c.state.clone()),
                None => self.restore_initial(),
            }
        } else if let Some(c) = usable
            && self.evaluated.is_none_or(|m| c.minute > m)
        {
            self.restore(c.minute, (c.cursor, c.estimates), c.state.clone());
        }
        self.advance_to(t);
    }

    fn restore(&mut self, minute: i64, (cursor, estimates): (usize, usize), state: State) {
        self.state = state;
        self.state.set_window(self.window);
        self.cursor = cursor;
        self.estimates = estimates;
        self.evaluated = Some(minute);
        self.at = minute_time(minute);
    }

    fn restore_initial(&mut self) {
        self.state = self.initial.clone();
        self.state.set_window(self.window);
        self.cursor = 0;
        self.estimates = 0;
        self.evaluated = None;
        self.at = DateTime::<Utc>::MIN_UTC;
    }

    /// Plays forward to `t` (no-op for a `t` in the past: use [`Engine::seek`]).
    pub(crate) fn advance_to(&mut self, t: DateTime<Utc>) {
        if t < self.at {
            return;
        }
        while let Some(minute) = self.next_boundary() {
            if minute_time(minute) > t {
                break;
            }
            self.evaluate(minute);
        }
        self.count_until(t);
        self.at = t;
        if !self.acknowledged.is_empty() {
            self.state.acknowledge_raises(&self.acknowledged);
        }
    }

    /// Counts the records up to `minute`'s boundary, then evaluates alarms there; returns how
    /// many alarms were raised.
    fn evaluate(&mut self, minute: i64) -> usize {
        let at = minute_time(minute);
        self.count_until(at);
        self.evaluated = Some(minute);
        self.state.compact(at);
        self.state.evaluate_alarms(at)
    }

    fn count_until(&mut self, t: DateTime<Utc>) {
        let events = self.timeline.events();
        while let Some(e) = events.get(self.cursor) {
            if e.timestamp > t {
                break;
            }
            self.state.ingest(e);
            if let Some(key) = e.key
                && self.timeline.is_last_copy(self.cursor)
            {
                self.state.forget_key(key);
            }
            self.cursor += 1;
        }
        let figures = self.timeline.estimates();
        let due = self.estimates + figures[self.estimates..].partition_point(|f| f.at <= t);
        if due > self.estimates {
            self.state.apply(crate::usage::SourceMsg::Estimates(
                figures[self.estimates..due].to_vec(),
            ));
            self.estimates = due;
        }
    }

    /// The next boundary to evaluate after the last one: normally the next minute; quiet
    /// stretches where evaluating provably changes nothing are skipped (rule in `boundary.rs`).
    pub(crate) fn next_boundary(&self) -> Option<i64> {
        boundary::next(
            &self.timeline,
            &self.state,
            self.evaluated,
            self.options.skip_quiet,
        )
    }

    /// The snapshot at the current moment (without the replay status).
    pub fn snapshot(&self) -> Snapshot {
        self.state.snapshot(self.at, None)
    }

    /// The first moment after `t` at which an alarm was raised.
    pub(crate) fn next_alarm(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let i = self.raises.partition_point(|r| *r <= t);
        self.raises.get(i).copied()
    }

    /// The last moment before `t` at which an alarm was raised.
    pub(crate) fn prev_alarm(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let i = self.raises.partition_point(|r| *r < t);
        i.checked_sub(1).map(|i| self.raises[i])
    }

    /// Applies a dashboard control (window, acknowledge).
    pub(crate) fn control(&mut self, control: Control) {
        match control {
            Control::SetWindow(w) => {
                self.window = w;
                self.state.set_window(w);
            }
            Control::AcknowledgeAlarms => {
                self.acknowledged.extend(self.state.alarm_raises());
                self.state.acknowledge_alarms();
            }
        }
    }
}
