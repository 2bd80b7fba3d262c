//! Top: the breakdown `g` selects (tier, project, session, tag:…), most expensive first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::PaneState;
use super::widgets::{bar, grouped, pane_block, percent};
use crate::aggregate::Snapshot;
use crate::aggregate::snapshot::GroupRow;
use crate::ui::theme::Theme;

/// Draws the selected breakdown.
pub fn render(frame: &mut Frame, area: Rect, snap: &Snapshot, st: &PaneState, theme: &Theme) {
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
        frame.render_widget(Paragraph::new(Span::styled("no breakdowns yet", theme.text_dim)), inner);
        return;
    };
    let bar_w = inner.width.saturating_sub(14 + 11 + 5 + 7 + 4).min(16);
    let bar_w = if bar_w >= 6 { bar_w } else { 0 };
    let mut widths = vec![Constraint::Min(8), Constraint::Length(11), Constraint::Length(5), Constraint::Length(7)];
    let mut head = vec![Cell::from(group.by.clone())];
    head.extend(["cost", "share", "req"].map(|h| Cell::from(Line::from(h).right_aligned())));
    if bar_w > 0 {
        widths.push(Constraint::Length(bar_w));
        head.push(Cell::from(""));
    }
    let header = Row::new(head).style(theme.text_dim.add_modifier(Modifier::BOLD));
    let rows = group.rows.iter().enumerate().map(|(n, r)| group_row(r, n, bar_w, theme));
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
}

fn group_row<'a>(r: &GroupRow, n: usize, bar_w: u16, theme: &Theme) -> Row<'a> {
    let num = |s: String, style| Cell::from(Line::from(Span::styled(s, style)).right_aligned());
    let mut cells = vec![
        Cell::from(Span::styled(r.key.clone(), theme.text)),
        num(r.totals.cost.to_string(), theme.cost),
        num(percent(r.share_of_cost), theme.text),
        num(grouped(r.totals.requests), theme.text),
    ];
    if bar_w > 0 {
        let fill = if n % 2 == 0 { theme.bar } else { theme.bar_alt };
        cells.push(Cell::from(Line::from(bar(r.share_of_cost, usize::from(bar_w), fill, theme.gauge_empty, None))));
    }
    Row::new(cells)
}
