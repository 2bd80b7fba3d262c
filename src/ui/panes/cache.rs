//! Cache: hit ratio gauge, reads per write, net savings (red when caching loses money), writes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_state::PaneState;
use super::widgets::{compact, gauge_line, left, pane_block, percent, right};
use crate::pricing::Money;
use crate::snapshot::Snapshot;
use crate::ui::theme::Theme;

/// Width of the labels.
const LABEL_W: usize = 11;

/// Draws the cache pane.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let block = pane_block("cache", st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let c = &snap.cache;
    let w = usize::from(inner.width);
    let losing = c.net_savings < Money::ZERO;
    let savings_style = if losing {
        theme.alarm_critical
    } else {
        theme.good
    };
    let mut lines = vec![
        gauge_line(
            "hit ratio",
            LABEL_W,
            c.hit_ratio,
            &percent(c.hit_ratio),
            w,
            theme,
        ),
        kv(
            "reads/write",
            &format!("{:.1}×", finite(c.reads_per_write)),
            theme.text,
            w,
            theme,
        ),
        kv(
            "net savings",
            &c.net_savings.to_string(),
            savings_style,
            w,
            theme,
        ),
    ];
    if losing {
        lines.push(Line::from(Span::styled(
            "caching is losing money",
            theme.alarm_critical,
        )));
    }
    let writes = format!(
        "5m {} · 1h {}",
        compact(c.write_5m_tokens),
        compact(c.write_1h_tokens)
    );
    lines.push(kv("writes", &writes, theme.text, w, theme));
    lines.push(kv("reads", &compact(c.read_tokens), theme.text, w, theme));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `label ........ value`, the value right-aligned to `width`.
pub(super) fn kv<'a>(
    label: &str,
    value: &str,
    style: Style,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let label_w = LABEL_W.min(width);
    let value_w = width.saturating_sub(label_w + 1);
    Line::from(vec![
        Span::styled(left(label, label_w), theme.text_dim),
        Span::raw(" "),
        Span::styled(right(value, value_w), style),
    ])
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}
