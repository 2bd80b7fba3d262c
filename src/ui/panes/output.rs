//! Output tokens per request: a log-bucket histogram with percentiles, or one row per model (`m`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::pane_state::{OutputView, PaneState};
use super::widgets::{columns, compact, grouped, pane_block, percent, token_bound};
use crate::snapshot::{HistogramBucket, ModelOutputStats, Snapshot};
use crate::ui::theme::Theme;

/// Draws the histogram, or the per-model table when toggled.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let title = if st.output_view == OutputView::PerModel {
        "output tokens · per model"
    } else {
        "output tokens"
    };
    let block = pane_block(title, st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if st.output_view == OutputView::PerModel {
        render_models(frame, inner, snap, theme);
        return;
    }
    let o = &snap.output_tokens;
    let w = usize::from(inner.width);
    let mut stats = stats_lines(o.p50, o.p90, o.p99, o.max, o.max_tokens_share, w, theme);
    if inner.height < 5 {
        // Short pane: the histogram needs two rows more than the second stats line.
        stats.truncate(1);
    }
    let rows = (stats.len() as u16).min(inner.height);
    frame.render_widget(
        Paragraph::new(stats),
        Rect {
            height: rows,
            ..inner
        },
    );
    let hist = Rect {
        y: inner.y + rows,
        height: inner.height - rows,
        ..inner
    };
    render_histogram(frame, hist, &o.buckets, theme);
}

/// Percentiles and the `max_tokens` share: one line when it fits, else two; items that do not
/// fit are left out whole, never cut.
fn stats_lines<'a>(
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
    maxtok: f64,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let maxtok_style = if maxtok >= 0.05 {
        theme.warn
    } else {
        theme.text
    };
    let items = [
        ("p50", token_bound(p50), theme.text),
        ("p90", token_bound(p90), theme.text),
        ("p99", token_bound(p99), theme.text),
        ("max", compact(max), theme.text),
        ("hit max_tokens", percent(maxtok), maxtok_style),
    ];
    let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
    let mut used = 0;
    for (label, value, style) in items {
        let len = label.len() + 1 + value.chars().count();
        let sep = if used == 0 { 0 } else { 2 };
        if used + sep + len > w {
            if lines.len() == 2 || len > w {
                break;
            }
            lines.push(Vec::new());
            used = 0;
        }
        let line = lines.last_mut().expect("one line at least");
        if used > 0 {
            line.push(Span::raw("  "));
            used += 2;
        }
        line.push(Span::styled(format!("{label} "), theme.text_dim));
        line.push(Span::styled(value, style));
        used += len;
    }
    lines.into_iter().map(Line::from).collect()
}

fn render_histogram(frame: &mut Frame, area: Rect, buckets: &[HistogramBucket], theme: &Theme) {
    if area.height < 2 || area.width == 0 {
        return;
    }
    if buckets.iter().all(|b| b.count == 0) {
        frame.render_widget(
            Paragraph::new(Span::styled("no requests in this window", theme.text_dim)),
            area,
        );
        return;
    }
    let n = buckets.len().min(usize::from(area.width));
    let buckets = &buckets[buckets.len() - n..];
    let slot = usize::from(area.width) / n;
    let (bar_w, gap) = if slot >= 3 {
        (slot - 1, 1)
    } else {
        (slot.max(1), 0)
    };
    let mut values = Vec::with_capacity(n * slot);
    for b in buckets {
        values.extend(std::iter::repeat_n(b.count as f64, bar_w));
        values.extend(std::iter::repeat_n(0.0, gap));
    }
    let max = buckets.iter().map(|b| b.count).max().unwrap_or(0) as f64;
    let plot = Rect {
        height: area.height - 1,
        ..area
    };
    let styles = |col: usize| {
        if (col / slot.max(1)).is_multiple_of(2) {
            theme.bar
        } else {
            theme.bar_alt
        }
    };
    columns(frame.buffer_mut(), plot, &values, max, &styles);
    let axis = Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            axis_labels(buckets, slot, usize::from(area.width)),
            theme.text_dim,
        )),
        axis,
    );
}

/// Bucket bounds under their bars, skipping any that would overlap the previous label.
fn axis_labels(buckets: &[HistogramBucket], slot: usize, width: usize) -> String {
    let mut line = String::new();
    for (i, b) in buckets.iter().enumerate() {
        let label = token_bound(b.le);
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

/// Per-model columns (heading, value) in the order they are dropped last-first when narrow.
type ModelColumn = (&'static str, fn(&ModelOutputStats) -> String);
const MODEL_COLUMNS: [ModelColumn; 6] = [
    ("p50", |m| token_bound(m.p50)),
    ("p99", |m| token_bound(m.p99)),
    ("@max", |m| percent(m.max_tokens_share)),
    ("max", |m| compact(m.max)),
    ("p90", |m| token_bound(m.p90)),
    ("req", |m| grouped(m.requests)),
];
const SCREEN_ORDER: [usize; 6] = [5, 0, 4, 1, 3, 2];
const COL_W: u16 = 6;

fn render_models(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let models = &snap.output_tokens.by_model;
    let name_w = models
        .iter()
        .map(|m| m.model.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 28) as u16;
    let mut keep = MODEL_COLUMNS.len();
    while keep > 1 && name_w + (COL_W + 1) * keep as u16 > area.width {
        keep -= 1;
    }
    let shown: Vec<usize> = SCREEN_ORDER.iter().copied().filter(|&i| i < keep).collect();
    let mut head = vec![Cell::from("model")];
    head.extend(
        shown
            .iter()
            .map(|&i| Cell::from(Line::from(MODEL_COLUMNS[i].0).right_aligned())),
    );
    let header = Row::new(head).style(theme.text_dim.add_modifier(Modifier::BOLD));
    let rows = models.iter().map(|m| {
        let mut cells = vec![Cell::from(Span::styled(m.model.clone(), theme.text))];
        cells.extend(shown.iter().map(|&i| {
            Cell::from(
                Line::from(Span::styled((MODEL_COLUMNS[i].1)(m), theme.text)).right_aligned(),
            )
        }));
        Row::new(cells)
    });
    let mut widths = vec![Constraint::Min(name_w.min(area.width))];
    widths.extend(shown.iter().map(|_| Constraint::Length(COL_W)));
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}
