//! The aggregator: the one owner of usage state. Dedupe → price → rollups → `Snapshot`.
//!
//! [`State`] holds the rollups and builds snapshots; [`AggregatorHandle`] runs it as an actor
//! for the live commands; replay drives a `State` directly with event time.

mod actor;
pub mod alarm;
mod alarm_rules;
pub mod audit;
pub mod budget;
pub mod clock;
pub mod counters;
mod dedupe;
mod estimates;
mod estimates_costs;
mod estimates_snapshot;
mod estimates_view;
mod groups;
pub mod histogram;
mod history;
mod intern;
mod iterations;
mod keyset;
mod reconcile;
mod rollup;
mod series;
pub mod snapshot;
mod state;
mod view;
pub mod window;

pub use actor::{AggregatorHandle, SOURCE_CHANNEL_CAPACITY};
pub use budget::{Budget, BudgetFilter, Period};
pub use clock::{Clock, ManualClock, ScaledClock, SystemClock, TokioClock};
pub use counters::{CounterOptions, CounterSnapshot};
pub use dedupe::Retention;
pub use groups::GroupBy;
pub use snapshot::{AuditSnapshot, Snapshot};
pub use state::{IngestStats, Settings, State};
pub use window::{Window, Zone};

/// What the user can ask of the aggregator from the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Show this window in totals and panes.
    SetWindow(Window),
    /// Acknowledge every active alarm (stops the flashing; the alarm stays listed).
    AcknowledgeAlarms,
}

/// A replay control the dashboard sends to the replay source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCommand {
    /// Pause a playing replay, or resume a paused one.
    TogglePause,
    /// Play faster.
    Faster,
    /// Play slower.
    Slower,
    /// Jump by this many seconds of event time (negative: back).
    Seek(i64),
    /// Jump to the next alarm.
    NextAlarm,
    /// Jump to the previous alarm.
    PrevAlarm,
    /// Jump to the first record.
    ToStart,
    /// Jump to the last record.
    ToEnd,
}
