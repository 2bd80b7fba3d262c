//! The panes: each a small pure `render(frame, area, &Snapshot, &PaneState, &Theme)`.

pub mod batch;
pub mod bigdigits;
pub mod budgets;
pub mod cache;
pub mod header;
pub mod models;
pub mod output;
pub mod savings;
pub mod spend_chart;
pub mod status;
pub mod title_bar;
pub mod top;
pub mod widgets;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::layout::Pane;
use super::theme::Theme;
use crate::aggregate::audit::Lever;
use crate::aggregate::{Snapshot, Zone};

/// What a pane needs besides the snapshot: UI state and the time.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneState {
    /// The pane has focus (its border is highlighted).
    pub focused: bool,
    /// A new alarm is flashing (the budgets pane border).
    pub flash: bool,
    /// Display updates are frozen.
    pub frozen: bool,
    /// "Now": the wall clock live, the snapshot's time when replaying.
    pub now: DateTime<Utc>,
    /// The time zone for labels.
    pub zone: Zone,
    /// Which of `snap.groups` the top pane shows.
    pub group_index: usize,
    /// What the output pane shows.
    pub output_view: OutputView,
    /// The lever the savings pane shows (`None`: all).
    pub savings_lever: Option<Lever>,
}

/// What the output pane shows (`m` toggles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputView {
    /// One histogram over all models.
    #[default]
    Histogram,
    /// One row of percentiles per model.
    PerModel,
}

impl OutputView {
    /// The other view.
    #[must_use]
    pub fn toggled(self) -> OutputView {
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
        }
    }
}

/// The time zone a snapshot's labels follow (`Local` if it does not parse).
pub fn zone_of(snap: &Snapshot) -> Zone {
    snap.time_zone.parse().unwrap_or_default()
}

/// Renders one pane into its area.
pub fn render(
    frame: &mut Frame,
    pane: Pane,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    match pane {
        Pane::Header => header::render(frame, area, snap, st, theme),
        Pane::Models => models::render(frame, area, snap, st, theme),
        Pane::SpendChart => spend_chart::render(frame, area, snap, st, theme),
        Pane::Cache => cache::render(frame, area, snap, st, theme),
        Pane::Batch => batch::render(frame, area, snap, st, theme),
        Pane::Output => output::render(frame, area, snap, st, theme),
        Pane::Budgets => budgets::render(frame, area, snap, st, theme),
        Pane::Top => top::render(frame, area, snap, st, theme),
        Pane::Savings => savings::render(frame, area, snap, st, theme),
        Pane::Status => status::render(frame, area, snap, st, theme),
    }
}
