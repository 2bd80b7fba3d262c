//! Output tokens per request: a log-bucket histogram with percentiles, or one row per model (`m`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::PaneState;
use super::widgets::{columns, compact, grouped, pane_block, percent};
use crate::aggregate::Snapshot;
use crate::aggregate::snapshot::HistogramBucket;
use crate::ui::theme::Theme;

/// Draws the histogram, or the per-model table when toggled.
pub fn render(frame: &mut Frame, area: Rect, snap: &Snapshot, st: &PaneState, theme: &Theme) {
    let title = if st.per_model_output { "output tokens · per model (m)" } else { "output tokens (m: per model)" };
    let block = pane_block(title, st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if st.per_model_output {
        render_models(frame, inner, snap, theme);
        return;
    }
    let o = &snap.output_tokens;
    let maxtok_style = if o.max_tokens_share >= 0.05 { theme.warn } else { theme.text };
    let stat = |label: &'static str, v: String| {
        vec![Span::styled(format!("{label} "), theme.text_dim), Span::styled(format!("{v}  "), theme.text)]
    };
    let mut spans = Vec::new();
    spans.extend(stat("p50", compact(o.p50)));
    spans.extend(stat("p90", compact(o.p90)));
    spans.extend(stat("p99", compact(o.p99)));
    spans.extend(stat("max", compact(o.max)));
    spans.push(Span::styled("at max_tokens ", theme.text_dim));
    spans.push(Span::styled(percent(o.max_tokens_share), maxtok_style));
    frame.render_widget(Paragraph::new(Line::from(spans)), Rect { height: 1, ..inner });
    let hist = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    render_histogram(frame, hist, &o.buckets, theme);
}

fn render_histogram(frame: &mut Frame, area: Rect, buckets: &[HistogramBucket], theme: &Theme) {
    if area.height < 2 || area.width == 0 {
        return;
    }
    if buckets.iter().all(|b| b.count == 0) {
        frame.render_widget(Paragraph::new(Span::styled("no requests in this window", theme.text_dim)), area);
        return;
    }
    let n = buckets.len().min(usize::from(area.width));
    let buckets = &buckets[buckets.len() - n..];
    let slot = usize::from(area.width) / n;
    let (bar_w, gap) = if slot >= 3 { (slot - 1, 1) } else { (slot.max(1), 0) };
    let mut values = Vec::with_capacity(n * slot);
    for b in buckets {
        values.extend(std::iter::repeat_n(b.count as f64, bar_w));
        values.extend(std::iter::repeat_n(0.0, gap));
    }
    let max = buckets.iter().map(|b| b.count).max().unwrap_or(0) as f64;
    let plot = Rect { height: area.height - 1, ..area };
    let styles = |col: usize| if (col / slot.max(1)) % 2 == 0 { theme.bar } else { theme.bar_alt };
    columns(frame.buffer_mut(), plot, &values, max, &styles);
    let axis = Rect { y: area.bottom() - 1, height: 1, ..area };
    frame.render_widget(Paragraph::new(Span::styled(axis_labels(buckets, slot, usize::from(area.width)), theme.text_dim)), axis);
}

/// Bucket bounds under their bars, skipping any that would overlap the previous label.
fn axis_labels(buckets: &[HistogramBucket], slot: usize, width: usize) -> String {
    let mut line = String::new();
    for (i, b) in buckets.iter().enumerate() {
        let label = compact(b.le);
        let x = i * slot;
        let len = line.chars().count();
        let room = x == 0 || x > len;
        if room && x + label.len() <= width {
            line.push_str(&" ".repeat(x - len));
            line.push_str(&label);
        }
    }
    line
}

fn render_models(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let heads = ["model", "req", "p50", "p90", "p99", "max", "@max"];
    let header = Row::new(heads.iter().enumerate().map(|(i, h)| {
        let line = Line::from(*h);
        Cell::from(if i == 0 { line } else { line.right_aligned() })
    }))
    .style(theme.text_dim.add_modifier(Modifier::BOLD));
    let rows = snap.output_tokens.by_model.iter().map(|m| {
        let nums = [grouped(m.requests), compact(m.p50), compact(m.p90), compact(m.p99), compact(m.max), percent(m.max_tokens_share)];
        let mut cells = vec![Cell::from(Span::styled(m.model.clone(), theme.text))];
        cells.extend(nums.into_iter().map(|v| Cell::from(Line::from(Span::styled(v, theme.text)).right_aligned())));
        Row::new(cells)
    });
    let mut widths = vec![Constraint::Min(8)];
    widths.extend([Constraint::Length(6); 6]);
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), area);
}
