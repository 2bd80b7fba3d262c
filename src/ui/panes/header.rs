//! Header: the title bar (see [`title_bar`]), then the window's spend in big digits beside
//! today / month, burn rates, projections and totals.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::bigdigits::{big_rows, big_width};
use super::pane_state::PaneState;
use super::title_bar;
use super::widgets::{compact, grouped, per_hour, percent};
use crate::snapshot::Snapshot;
use crate::ui::theme::Theme;

/// Width of a stat label (`proj month`).
const LABEL_W: usize = 10;

/// Draws the title bar on the first row and the spend body below it.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    if area.is_empty() {
        return;
    }
    let bar_area = Rect { height: 1, ..area };
    frame.render_widget(
        Paragraph::new(title_bar::title_bar(
            snap,
            st,
            theme,
            usize::from(area.width),
        )),
        bar_area,
    );
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    render_body(frame, body, snap, theme);
}

fn render_body(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let spend = spend_label(snap);
    let cells = stat_cells(snap);
    let width = usize::from(area.width);
    let stats_w = |cols: usize| -> usize {
        (0..cols).map(|c| column_width(&cells, c)).sum::<usize>() + 3 * cols.saturating_sub(1)
    };
    let big_w = big_width(&spend) + 1;
    let big = big_rows(&spend).filter(|_| area.height >= 3 && width >= big_w + 4 + stats_w(2));
    let (number_lines, number_w): (Vec<Line>, usize) = if let Some(rows) = big {
        let lines = rows
            .into_iter()
            .map(|r| Line::from(Span::styled(format!(" {r}"), theme.header_digits)))
            .collect();
        (lines, big_w)
    } else {
        let lines = vec![
            Line::from(Span::styled(
                format!(" {spend}"),
                theme.header_digits.add_modifier(Modifier::BOLD),
            )),
            Line::from(Span::styled(
                format!(" in {}", snap.window.name),
                theme.text_dim,
            )),
        ];
        let width = spend.chars().count().max(snap.window.name.len() + 3) + 1;
        (lines, width)
    };
    let number_area = Rect {
        width: area.width.min(number_w as u16),
        ..area
    };
    frame.render_widget(Paragraph::new(number_lines), number_area);
    let room = width.saturating_sub(number_w + 2);
    let cols = (1..=3).rev().find(|&c| stats_w(c) <= room).unwrap_or(1);
    // Centre the stats in the room left of the digits, but never more than 8 columns away.
    let gap = (room.saturating_sub(stats_w(cols)) / 2).clamp(2, 8) as u16;
    let stats_x = area.x.saturating_add(number_area.width).saturating_add(gap);
    let stats_area = Rect {
        x: stats_x,
        width: (area.x + area.width).saturating_sub(stats_x),
        ..area
    };
    let widths: Vec<usize> = (0..cols)
        .map(|c| column_width(&cells, c) - LABEL_W - 1)
        .collect();
    let lines: Vec<Line> = cells
        .iter()
        .map(|row| stat_row(&row[..cols], &widths, theme))
        .collect();
    frame.render_widget(Paragraph::new(lines), stats_area);
}

/// The window's spend, `≥ $X` when unpriced records are left out of it.
pub(crate) fn spend_label(snap: &Snapshot) -> String {
    if snap.totals.cost_is_lower_bound {
        format!("≥{}", snap.totals.cost)
    } else {
        snap.totals.cost.to_string()
    }
}

type Cell = (&'static str, String);

/// Width of stat column `c`: label plus the widest value.
fn column_width(cells: &[[Cell; 3]; 3], c: usize) -> usize {
    LABEL_W
        + 1
        + cells
            .iter()
            .map(|row| row[c].1.chars().count())
            .max()
            .unwrap_or(0)
}

fn stat_cells(snap: &Snapshot) -> [[Cell; 3]; 3] {
    let s = &snap.spend;
    let t = &snap.totals;
    let tokens = t.input_tokens
        + t.output_tokens
        + t.cache_read_tokens
        + t.cache_write_5m_tokens
        + t.cache_write_1h_tokens;
    [
        [
            ("today", s.today.to_string()),
            ("month", s.month.to_string()),
            ("requests", grouped(t.requests)),
        ],
        [
            ("burn 15m", per_hour(snap.burn_rate_usd_per_hour)),
            ("burn 1h", per_hour(snap.burn_rate_1h_usd_per_hour)),
            ("tokens", compact(tokens)),
        ],
        [
            ("proj today", s.projected_today.to_string()),
            ("proj month", s.projected_month.to_string()),
            ("cache hit", percent(snap.cache.hit_ratio)),
        ],
    ]
}

fn stat_row<'a>(row: &[Cell], widths: &[usize], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, ((label, value), w)) in row.iter().zip(widths).enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.border));
        }
        spans.push(Span::styled(format!("{label:<LABEL_W$} "), theme.text_dim));
        spans.push(Span::styled(
            format!("{value:>w$}"),
            value_style(label, theme),
        ));
    }
    Line::from(spans)
}

fn value_style(label: &str, theme: &Theme) -> Style {
    if label.starts_with("proj") {
        theme.cost_high
    } else if label.starts_with("burn") {
        theme.accent
    } else if matches!(label, "today" | "month") {
        theme.cost
    } else {
        theme.text
    }
}
