//! The aggregator: the one owner of usage state. Dedupe → price → rollups → `Snapshot`.

pub mod snapshot;
pub mod window;

pub use snapshot::Snapshot;
pub use window::{Window, Zone};

/// What the user can ask of the aggregator from the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Show this window in totals and panes.
    SetWindow(Window),
    /// Acknowledge every active alarm (stops the flashing; the alarm stays listed).
    AcknowledgeAlarms,
}
