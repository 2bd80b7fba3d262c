//! Batch API: share of spend and of requests as gauges, what the batch tier saved.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::cache::kv;
use super::pane_state::PaneState;
use super::widgets::{gauge_line, grouped, pane_block, percent};
use crate::snapshot::Snapshot;
use crate::ui::theme::Theme;

/// Width of the gauge labels.
const LABEL_W: usize = 11;

/// Draws the batch pane.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let block = pane_block("batch api", st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let b = &snap.batch;
    let w = usize::from(inner.width);
    let lines = vec![
        gauge_line(
            "of spend",
            LABEL_W,
            b.share_of_cost,
            &percent(b.share_of_cost),
            w,
            theme,
        ),
        gauge_line(
            "of requests",
            LABEL_W,
            b.share_of_requests,
            &percent(b.share_of_requests),
            w,
            theme,
        ),
        kv("saved", &b.savings.to_string(), theme.good, w, theme),
        kv("batch spend", &b.cost.to_string(), theme.cost, w, theme),
        kv("requests", &grouped(b.requests), theme.text, w, theme),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}
