//! What a pane is told besides the snapshot: focus, flash, freeze, the clock and zone, and
//! its own view state (the top pane's group, the output view, the savings lever), and the link
//! when attached to another costtop.

use chrono::{DateTime, Utc};

use crate::attach::Link;
use crate::snapshot::{Lever, Snapshot};
use crate::time::Zone;

/// What a pane needs besides the snapshot: UI state and the time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PaneState {
    /// The pane has focus (its border is highlighted).
    pub(crate) focused: bool,
    /// A new alarm is flashing (the budgets pane border).
    pub(crate) flash: bool,
    /// Display updates are frozen.
    pub(crate) frozen: bool,
    /// "Now": the wall clock live, the snapshot's time when replaying.
    pub(crate) now: DateTime<Utc>,
    /// The time zone for labels.
    pub(crate) zone: Zone,
    /// Which of `snap.groups` the top pane shows.
    pub(crate) group_index: usize,
    /// What the output pane shows.
    pub(crate) output_view: OutputView,
    /// The lever the savings pane shows (`None`: all).
    pub(crate) savings_lever: Option<Lever>,
    /// Attached to another costtop: how the link stands (the title bar says it).
    pub(crate) link: Option<Link>,
    /// A short message in place of the key hints (a key that does nothing here says why).
    pub(crate) notice: Option<String>,
}

/// What the output pane shows (`m` toggles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum OutputView {
    /// One histogram over all models.
    #[default]
    Histogram,
    /// One row of percentiles per model.
    PerModel,
}

impl OutputView {
    /// The other view.
    #[must_use]
    pub(crate) fn toggled(self) -> OutputView {
        match self {
            OutputView::Histogram => OutputView::PerModel,
            OutputView::PerModel => OutputView::Histogram,
        }
    }
}

impl Default for PaneState {
    fn default() -> PaneState {
        PaneState {
            focused: false,
            flash: false,
            frozen: false,
            now: DateTime::<Utc>::UNIX_EPOCH,
            zone: Zone::Local,
            group_index: 0,
            output_view: OutputView::Histogram,
            savings_lever: None,
            link: None,
            notice: None,
        }
    }
}

/// The time zone a snapshot's labels follow (`Local` if it does not parse).
pub(crate) fn zone_of(snap: &Snapshot) -> Zone {
    snap.time_zone.parse().unwrap_or_default()
}
