//! The panes: each a small pure `render(frame, area, &Snapshot, &PaneState, &Theme)`.

pub(crate) mod batch;
pub(crate) mod bigdigits;
pub(crate) mod budgets;
pub(crate) mod cache;
pub(crate) mod header;
mod link;
pub(crate) mod models;
pub(crate) mod output;
mod pane_state;
pub(crate) mod savings;
pub(crate) mod spend_chart;
pub(crate) mod status;
pub(crate) mod title_bar;
pub(crate) mod top;
pub(crate) mod widgets;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::layout::Pane;
use super::theme::Theme;
use crate::snapshot::Snapshot;
pub(crate) use pane_state::{OutputView, PaneState, zone_of};

/// Renders one pane into its area.
pub(crate) fn render(
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
