//! Top: the breakdown `g` selects (project, tier, session, tag:…), most expensive first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::pane_state::PaneState;
use super::widgets::{fit_left, grouped, pane_block, percent, share_bar_cell};
use crate::snapshot::{GroupRow, Snapshot};
use crate::ui::theme::Theme;

/// Draws the selected breakdown.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let group = (!snap.groups.is_empty()).then(|| &snap.groups[st.group_index % snap.groups.len()]);
    let title = match group {
        Some(g) => format!("top by {} (g)", g.by),
        None => "top".to_owned(),
    };
    let block = pane_block(&title, st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let Some(group) = group else {
        frame.render_widget(
            Paragraph::new(Span::styled("no breakdowns yet", theme.text_dim)),
            inner,
        );
        return;
    };
    let key_w = group
        .rows
        .iter()
        .map(|r| label(&group.by, &r.key).chars().count())
        .max()
        .unwrap_or(0)
        .max(group.by.len())
        .clamp(8, if group.by == "tier" { 30 } else { 24 }) as u16;
    let (numbers, bar_w) = fit(inner.width, key_w);
    // The key column takes what the fixed columns leave (a narrow pane shortens the key, never
    // the money); project paths keep their ends.
    let fixed: u16 = NUMBERS[..numbers].iter().map(|(_, w)| w + 1).sum::<u16>()
        + if bar_w > 0 { bar_w + 1 } else { 0 };
    let key_w = key_w.min(inner.width.saturating_sub(fixed));
    let mut widths = vec![Constraint::Min(key_w.min(inner.width))];
    widths.extend(
        NUMBERS[..numbers]
            .iter()
            .map(|(_, w)| Constraint::Length(*w)),
    );
    let mut head = vec![Cell::from(group.by.clone())];
    head.extend(
        NUMBERS[..numbers]
            .iter()
            .map(|(h, _)| Cell::from(Line::from(*h).right_aligned())),
    );
    if bar_w > 0 {
        widths.push(Constraint::Length(bar_w));
    }
    let header = Row::new(head).style(theme.text_dim.add_modifier(Modifier::BOLD));
    let key_room = usize::from(
        inner
            .width
            .saturating_sub(fixed)
            .max(key_w.min(inner.width)),
    );
    let paths = group.by == "project";
    let rows = group.rows.iter().enumerate().map(|(n, r)| {
        let key = if paths {
            fit_left(&r.key, key_room)
        } else {
            label(&group.by, &r.key).to_owned()
        };
        group_row(r, key, n, numbers, bar_w, theme)
    });
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// A row's key as shown: tiers say which are list-price estimates.
fn label<'a>(by: &str, key: &'a str) -> &'a str {
    if by == "tier" {
        crate::pricing::tier_label(key)
    } else {
        key
    }
}

/// Number columns (heading, width) in the order they are kept.
const NUMBERS: [(&str, u16); 3] = [("cost", 10), ("share", 5), ("req", 7)];

/// How many number columns fit beside a key column of `key_w`, and the bar's width (0: none).
fn fit(width: u16, key_w: u16) -> (usize, u16) {
    let need = |k: usize| key_w + NUMBERS[..k].iter().map(|(_, w)| w + 1).sum::<u16>();
    let mut k = NUMBERS.len();
    while k > 1 && need(k) > width {
        k -= 1;
    }
    let spare = width.saturating_sub(need(k) + 1);
    let bar = if k == NUMBERS.len() && spare >= 6 {
        spare.min(20)
    } else {
        0
    };
    (k, bar)
}

fn group_row<'a>(
    r: &GroupRow,
    key: String,
    n: usize,
    numbers: usize,
    bar_w: u16,
    theme: &Theme,
) -> Row<'a> {
    let num = |s: String, style| Cell::from(Line::from(Span::styled(s, style)).right_aligned());
    let values = [
        num(r.totals.cost.to_string(), theme.cost),
        num(percent(r.share_of_cost), theme.text),
        num(grouped(r.totals.requests), theme.text),
    ];
    let mut cells = vec![Cell::from(Span::styled(key, theme.text))];
    cells.extend(values.into_iter().take(numbers));
    if bar_w > 0 {
        cells.push(share_bar_cell(r.share_of_cost, n, bar_w, theme));
    }
    Row::new(cells)
}
