//! The panes: each a small pure `render(frame, area, &Snapshot, &PaneState, &Theme)`.

pub mod batch;
pub mod bigdigits;
pub mod budgets;
pub mod cache;
pub mod header;
pub mod models;
pub mod output;
mod pane_state;
pub mod savings;
pub mod spend_chart;
pub mod status;
pub mod title_bar;
pub mod top;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::layout::Pane;
use super::theme::Theme;
use crate::snapshot::Snapshot;
pub use pane_state::{OutputView, PaneState, zone_of};

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
