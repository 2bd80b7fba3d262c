//! Spend by model: tokens by kind, cost and share, with a bar per row; unpriced models loudly.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::pane_state::PaneState;
use super::widgets::{compact, grouped, pane_block, percent, share_bar_cell, sparkline};
use crate::snapshot::{ModelRow, Snapshot};
use crate::ui::theme::Theme;

/// A numeric column: heading, width, and how to read it from a row.
struct Column {
    heading: &'static str,
    width: u16,
    value: fn(&ModelRow) -> String,
}

/// Columns in the order they are dropped when the pane is narrow (last dropped first).
const COLUMNS: [Column; 10] = [
    Column {
        heading: "cost",
        width: 10,
        value: |r| {
            if r.priced {
                r.totals.cost.to_string()
            } else {
                "unpriced".into()
            }
        },
    },
    Column {
        heading: "share",
        width: 5,
        value: |r| {
            if r.priced {
                percent(r.share_of_cost)
            } else {
                "?".into()
            }
        },
    },
    Column {
        heading: "req",
        width: 6,
        value: |r| grouped(r.totals.requests),
    },
    Column {
        heading: "out",
        width: 5,
        value: |r| compact(r.totals.output_tokens),
    },
    Column {
        heading: "input",
        width: 5,
        value: |r| compact(r.totals.input_tokens),
    },
    Column {
        heading: "reads",
        width: 5,
        value: |r| compact(r.totals.cache_read_tokens),
    },
    Column {
        heading: "wr5m",
        width: 5,
        value: |r| compact(r.totals.cache_write_5m_tokens),
    },
    Column {
        heading: "wr1h",
        width: 5,
        value: |r| compact(r.totals.cache_write_1h_tokens),
    },
    Column {
        heading: "hit",
        width: 4,
        value: |r| {
            let t = &r.totals;
            let input = t.input_tokens
                + t.cache_write_5m_tokens
                + t.cache_write_1h_tokens
                + t.cache_read_tokens;
            if input == 0 {
                "—".into()
            } else {
                percent(t.cache_read_tokens as f64 / input as f64)
            }
        },
    },
    Column {
        heading: "$/req",
        width: 9,
        value: |r| {
            if r.priced && r.totals.requests > 0 {
                crate::pricing::Money(r.totals.cost.0 / i128::from(r.totals.requests)).to_string()
            } else {
                "—".into()
            }
        },
    },
];

/// The order columns appear on screen (indexes into `COLUMNS`).
const SCREEN_ORDER: [usize; 10] = [2, 4, 6, 7, 5, 8, 3, 0, 1, 9];

/// The model column never gets narrower than this (names are cut with `…` below their length).
const MODEL_MIN: u16 = 12;
/// Longest model column wanted.
const MODEL_MAX: u16 = 30;
const BAR_MIN: u16 = 6;
/// The trend sparkline needs at least this much room, and takes at most the other.
const TREND: (u16, u16) = (8, 40);

/// Draws the model table.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let block = pane_block("spend by model", st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if snap.by_model.is_empty() {
        render_empty(frame, inner, snap, theme);
        return;
    }
    let longest = snap
        .by_model
        .iter()
        .map(|r| r.model.chars().count() + if r.priced { 0 } else { 2 })
        .max();
    let name_w = (longest.unwrap_or(0) as u16).clamp(MODEL_MIN, MODEL_MAX);
    let (shown, name_w, bar_w) = fit_columns(inner.width, name_w);
    let mut widths = vec![Constraint::Length(name_w)];
    widths.extend(shown.iter().map(|&i| Constraint::Length(COLUMNS[i].width)));
    if bar_w > 0 {
        widths.push(Constraint::Length(bar_w));
    }
    // What the bar leaves on a wide screen shows each model's spend over the window.
    let used: u16 = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(w) => w + 1,
            _ => 0,
        })
        .sum();
    let spare = inner.width.saturating_sub(used);
    let trend_w = if bar_w > 0 && spare >= TREND.0 {
        spare.min(TREND.1)
    } else {
        0
    };
    if trend_w > 0 {
        widths.push(Constraint::Length(trend_w));
    }
    let mut head = vec![Cell::from("model")];
    head.extend(
        shown
            .iter()
            .map(|&i| Cell::from(Line::from(COLUMNS[i].heading).right_aligned())),
    );
    if trend_w > 0 {
        head.push(Cell::from(""));
        head.push(Cell::from("trend"));
    }
    let header = Row::new(head).style(theme.text_dim.add_modifier(Modifier::BOLD));
    let rows = snap.by_model.iter().enumerate().map(|(n, r)| {
        let mut row = model_row(r, n, &shown, bar_w, theme);
        if trend_w > 0 {
            let values: Vec<f64> = r.trend.iter().map(|m| m.usd()).collect();
            row.push(Cell::from(Span::styled(
                sparkline(&values, usize::from(trend_w)),
                theme.accent,
            )));
        }
        Row::new(row)
    });
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

/// Says why there is nothing to show: no usage read at all yet, or none in this window.
fn render_empty(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let read_any = snap.sources.iter().any(|s| s.last_event.is_some());
    let lines = if read_any {
        vec![
            Line::from(Span::styled(
                format!("No usage in the {} window.", snap.window.name),
                theme.text,
            )),
            Line::from(Span::styled("Press w for a longer window.", theme.text_dim)),
        ]
    } else {
        vec![
            Line::from(Span::styled("No usage records read yet.", theme.text)),
            Line::from(Span::styled(
                "Waiting for new lines in the sources below; try `costtop demo` for a tour.",
                theme.text_dim,
            )),
        ]
    };
    let paragraph =
        ratatui::widgets::Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(paragraph, area);
}

/// Which numeric columns fit in `width` beside a model column of `name_w` (dropping columns
/// before cutting names), in screen order; the model column's width; the bar's width (0: none).
fn fit_columns(width: u16, name_w: u16) -> (Vec<usize>, u16, u16) {
    let numbers = |k: usize| -> u16 { COLUMNS[..k].iter().map(|c| c.width + 1).sum::<u16>() };
    let mut keep = COLUMNS.len();
    while keep > 0 && name_w + numbers(keep) > width {
        keep -= 1;
    }
    // Keep at least cost and share, cutting names if it must.
    if keep < 2 {
        keep = 2;
    }
    let name_w = width
        .saturating_sub(numbers(keep))
        .min(name_w.max(MODEL_MIN))
        .max(1);
    let shown = SCREEN_ORDER.iter().copied().filter(|&i| i < keep).collect();
    let spare = width.saturating_sub(name_w + numbers(keep) + 1);
    let bar_w = if keep == COLUMNS.len() && spare >= BAR_MIN {
        spare.min(24)
    } else {
        0
    };
    // Whatever the bar leaves goes to the names.
    let name_w = if bar_w == 0 {
        width
            .saturating_sub(numbers(keep))
            .min(MODEL_MAX)
            .max(name_w)
    } else {
        name_w
    };
    (shown, name_w, bar_w)
}

fn model_row<'a>(
    r: &ModelRow,
    n: usize,
    shown: &[usize],
    bar_w: u16,
    theme: &Theme,
) -> Vec<Cell<'a>> {
    let loud = theme.alarm_critical;
    let name = if r.priced {
        Span::styled(r.model.clone(), theme.text)
    } else {
        Span::styled(format!("{} ⚠", r.model), loud)
    };
    let mut cells = vec![Cell::from(Line::from(name))];
    for &i in shown {
        let col = &COLUMNS[i];
        let style = match (col.heading, r.priced) {
            ("cost" | "share", false) => loud,
            ("cost", true) if n == 0 && r.share_of_cost >= 0.5 => theme.cost_high,
            ("cost", true) => theme.cost,
            _ => theme.text,
        };
        cells.push(Cell::from(
            Line::from(Span::styled((col.value)(r), style)).right_aligned(),
        ));
    }
    if bar_w > 0 {
        cells.push(share_bar_cell(r.share_of_cost, n, bar_w, theme));
    }
    cells
}
