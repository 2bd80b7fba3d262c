//! Spend over time: one bar per series step, the cache hit ratio as a strip under it, local times.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_state::PaneState;
use super::widgets::{columns, hhmm, pane_block, resample, short_duration, short_usd};
use crate::snapshot::Snapshot;
use crate::ui::theme::Theme;

/// Draws the chart, or a note when the window has no series yet.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let block = pane_block("spend over time", st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if snap.series.is_empty() {
        let note =
            Line::from(Span::styled("no spend in this window yet", theme.text_dim)).centered();
        frame.render_widget(Paragraph::new(note), inner);
        return;
    }
    let costs: Vec<f64> = snap.series.iter().map(|p| p.cost.usd()).collect();
    let max = costs.iter().copied().fold(0.0, f64::max);
    let max_label = short_usd(max);
    let gutter = (max_label.chars().count() as u16 + 1).min(inner.width / 3);
    let [legend, plot, hit, axis] = rows(inner);
    render_legend(frame, legend, snap, theme);
    let plot_x = inner.x + gutter;
    let plot_w = inner.width.saturating_sub(gutter);
    let label = |s: &str, style| Paragraph::new(Span::styled(s.to_owned(), style));
    let gutter_rect = |y: u16| Rect {
        x: inner.x,
        y,
        width: gutter,
        height: 1,
    };
    if !plot.is_empty() {
        frame.render_widget(label(&max_label, theme.text_dim), gutter_rect(plot.y));
        frame.render_widget(label("$0", theme.text_dim), gutter_rect(plot.bottom() - 1));
    }
    if !hit.is_empty() {
        frame.render_widget(label("hit", theme.chart_alt), gutter_rect(hit.y));
    }
    let slots = Slots::new(snap.series.len(), usize::from(plot_w));
    let bars = slots.spread(&resample(&costs, slots.n));
    let plot_area = Rect {
        x: plot_x,
        width: plot_w,
        ..plot
    };
    let buf = frame.buffer_mut();
    columns(
        buf,
        plot_area,
        &bars,
        max.max(f64::MIN_POSITIVE) * slots.n_per_bucket(snap.series.len()),
        &|_| theme.chart_line,
    );
    render_hits(
        buf,
        Rect {
            x: plot_x,
            width: plot_w,
            ..hit
        },
        snap,
        &slots,
        theme,
    );
    let span = (slots.n * (slots.width + slots.gap)).saturating_sub(slots.gap) as u16;
    render_axis(
        frame,
        Rect {
            x: plot_x,
            width: plot_w.min(span),
            ..axis
        },
        snap,
        st,
        theme,
    );
}

/// Splits the inner area into legend, plot, hit strip and time axis rows.
fn rows(inner: Rect) -> [Rect; 4] {
    let row = |y: u16, h: u16| Rect {
        y,
        height: h,
        ..inner
    };
    let h = inner.height;
    let (legend_h, hit_h, axis_h) = match h {
        0..=2 => (0, 0, 0),
        3 => (0, 0, 1),
        4..=6 => (0, 1, 1),
        _ => (1, 1, 1),
    };
    let plot_h = h - legend_h - hit_h - axis_h;
    [
        row(inner.y, legend_h),
        row(inner.y + legend_h, plot_h),
        row(inner.y + legend_h + plot_h, hit_h),
        row(inner.y + legend_h + plot_h + hit_h, axis_h),
    ]
}

/// Where bars go: `n` buckets, each `width` columns wide with `gap` columns between.
struct Slots {
    n: usize,
    width: usize,
    gap: usize,
}

impl Slots {
    fn new(points: usize, cols: usize) -> Slots {
        let n = points.min(cols).max(1);
        let slot = cols / n;
        let (width, gap) = if slot >= 3 {
            (slot - 1, 1)
        } else {
            (slot.max(1), 0)
        };
        Slots { n, width, gap }
    }

    /// Resampling sums neighbours; the scale must follow.
    fn n_per_bucket(&self, points: usize) -> f64 {
        (points as f64 / self.n as f64).max(1.0).ceil()
    }

    /// One value per screen column.
    fn spread(&self, buckets: &[f64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(buckets.len() * (self.width + self.gap));
        for v in buckets {
            out.extend(std::iter::repeat_n(*v, self.width));
            out.extend(std::iter::repeat_n(0.0, self.gap));
        }
        out
    }
}

fn render_legend(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let step = short_duration(snap.series_step_seconds);
    let line = Line::from(vec![
        Span::styled("█", theme.chart_line),
        Span::styled(format!(" $ per {step}   "), theme.text_dim),
        Span::styled("▄", theme.chart_alt),
        Span::styled(" cache hit ratio", theme.text_dim),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn render_hits(buf: &mut Buffer, area: Rect, snap: &Snapshot, slots: &Slots, theme: &Theme) {
    let ratios: Vec<f64> = snap
        .series
        .iter()
        .map(|p| p.hit_ratio.unwrap_or(0.0))
        .collect();
    let k = slots.n_per_bucket(ratios.len());
    let averaged: Vec<f64> = resample(&ratios, slots.n).iter().map(|v| v / k).collect();
    columns(buf, area, &slots.spread(&averaged), 1.0, &|_| {
        theme.chart_alt
    });
}

fn render_axis(frame: &mut Frame, area: Rect, snap: &Snapshot, st: &PaneState, theme: &Theme) {
    let (Some(first), Some(last)) = (snap.series.first(), snap.series.last()) else {
        return;
    };
    // Across days, a time alone is ambiguous: label with the date instead.
    let multi_day = last.start - first.start >= chrono::Duration::hours(24);
    let label = |t| {
        if multi_day {
            st.zone.local(t).format("%b %d").to_string()
        } else {
            hhmm(t, st.zone)
        }
    };
    let start = label(first.start);
    let end = label(last.start);
    let w = usize::from(area.width);
    let text = if w > start.len() + end.len() {
        format!("{start}{}{end}", " ".repeat(w - start.len() - end.len()))
    } else {
        start
    };
    frame.render_widget(Paragraph::new(Span::styled(text, theme.text_dim)), area);
}
