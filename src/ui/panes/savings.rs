//! Savings: the audit's top opportunities over the window, each as dollars per day at the
//! window's rate, all levers or one (`l` cycles), with what pulling every lever would leave.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_state::PaneState;
use super::widgets::{fit, fit_left, pane_block, percent};
use crate::pricing::Money;
use crate::snapshot::{Lever, Opportunity, Snapshot, per_day};
use crate::ui::theme::Theme;

/// Widths of the lever and money columns.
const LEVER_W: usize = 8;
const MONEY_W: usize = 10;
/// The group column's width range (project paths keep their ends).
const GROUP_W: (usize, usize) = (8, 22);
/// Below this width the reasons are left out.
const REASON_MIN: usize = 24;
/// Below this height the column heading is left out.
const HEADING_MIN: usize = 5;
/// Below this width the lever column is left out (`l` still narrows to one lever).
const LEVER_MIN: usize = 40;

/// The lever shown after `lever` when `l` is pressed (`None`: all levers).
pub(crate) fn next_lever(lever: Option<Lever>) -> Option<Lever> {
    match lever {
        None => Some(Lever::ALL[0]),
        Some(l) => {
            let i = Lever::ALL.iter().position(|x| *x == l).unwrap_or(0);
            Lever::ALL.get(i + 1).copied()
        }
    }
}

/// Draws the savings pane.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let lever = st.savings_lever;
    // The title says the figures are estimates even where no other line fits.
    let title = format!("savings est. · {} (l)", lever.map_or("all", Lever::as_str));
    let block = pane_block(&title, st, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height);
    let a = &snap.audit;
    let daily = |m: Money| per_day(m, snap.window.start, snap.window.end);
    let mut lines = vec![summary(snap, lever, w, theme)];
    let shown: Vec<&Opportunity> = a
        .opportunities
        .iter()
        .filter(|o| lever.map_or(o.in_potential, |l| o.lever == l))
        .collect();
    if shown.is_empty() {
        let note = lever
            .and_then(|l| a.by_lever.get(l).note.clone())
            .unwrap_or_else(|| "Nothing to save in this window.".to_string());
        lines.push(Line::from(Span::styled(note, theme.text_dim)));
        let para = Paragraph::new(lines).wrap(Wrap { trim: true });
        frame.render_widget(para, inner);
        return;
    }
    let lever_w = if w >= LEVER_MIN { LEVER_W } else { 0 };
    let group_w = shown
        .iter()
        .map(|o| o.group.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(GROUP_W.0, GROUP_W.1)
        .min(w.saturating_sub(lever_w + MONEY_W + 2));
    // Beside lever, group, a space, the money and two spaces.
    let reason_w = w.saturating_sub(lever_w + group_w + 1 + MONEY_W + 2);
    let reasons = reason_w >= REASON_MIN;
    // Without reasons, alternatives say so after their money.
    let alt_w = if !reasons && shown.iter().any(|o| !o.in_potential) {
        4
    } else {
        0
    };
    let group_w = group_w.min(w.saturating_sub(lever_w + 1 + MONEY_W + alt_w));
    // Short of rows, the opportunities go before the column heading.
    let heading = rows >= HEADING_MIN;
    lines.extend(heading.then(|| {
        Line::from(Span::styled(
            format!(
                "{:<lever_w$}{:<group_w$} {:>MONEY_W$}{}",
                if lever_w > 0 { "lever" } else { "" },
                "group",
                "per day",
                if reasons { "  why" } else { "" }
            ),
            theme.text_dim.add_modifier(Modifier::BOLD),
        ))
    }));
    // With room to spare, the last rows give each lever's total and what the figures are.
    let footer = if rows >= HEADING_MIN + 3 { 2 } else { 0 };
    let room = rows.saturating_sub(lines.len() + footer);
    for o in shown.iter().take(room) {
        let money = daily(o.savings_usd).unwrap_or(o.savings_usd);
        // Paths keep their ends, names their starts.
        let group = if o.group.contains('/') {
            fit_left(&o.group, group_w)
        } else {
            fit(&o.group, group_w)
        };
        let mut spans = vec![
            Span::styled(
                format!(
                    "{:<lever_w$}",
                    if lever_w > 0 { o.lever.as_str() } else { "" }
                ),
                theme.accent,
            ),
            Span::styled(format!("{group:<group_w$}"), theme.text),
            // An alternative (the whole group one tier down) is not in the lever's total.
            Span::styled(
                format!(" {:>MONEY_W$}", money.to_string()),
                if o.in_potential {
                    theme.good
                } else {
                    theme.text_dim
                },
            ),
        ];
        if !o.in_potential && !reasons {
            spans.push(Span::styled(" alt", theme.text_dim));
        }
        if reasons {
            spans.push(Span::styled(
                format!("  {}", fit(&o.reason, reason_w)),
                theme.text_dim,
            ));
        }
        lines.push(Line::from(spans));
    }
    if footer > 0 {
        while lines.len() + footer < rows {
            lines.push(Line::default());
        }
        lines.push(levers_line(snap, w, theme));
        lines.push(Line::from(Span::styled(
            fit("estimates from token counts; quality not measured", w),
            theme.text_dim,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// "routing $28.90 · caching $9.70 · batch $9.30 · output $18.00" per day.
fn levers_line<'a>(snap: &Snapshot, w: usize, theme: &Theme) -> Line<'a> {
    let parts: Vec<String> = Lever::ALL
        .iter()
        .map(|&l| {
            let saved = snap.audit.by_lever.get(l).savings_usd;
            let daily = per_day(saved, snap.window.start, snap.window.end).unwrap_or(saved);
            format!("{} {daily}", l.as_str())
        })
        .collect();
    Line::from(Span::styled(
        fit(&format!("per day: {}", parts.join(" · ")), w),
        theme.text,
    ))
}

/// "all levers −52%: $1.82 → $0.87 · $3.94/day", or one lever's saving.
fn summary<'a>(snap: &Snapshot, lever: Option<Lever>, w: usize, theme: &Theme) -> Line<'a> {
    let a = &snap.audit;
    let daily = |m: Money| {
        per_day(m, snap.window.start, snap.window.end)
            .map_or(String::new(), |d| format!(" · {d}/day"))
    };
    let (saved, text) = match lever {
        None => (
            a.potential_usd,
            format!(
                "all levers −{}: {} → {}",
                percent(a.potential_share),
                a.total_usd,
                a.with_all_levers_usd
            ),
        ),
        Some(l) => {
            let s = a.by_lever.get(l);
            (
                s.savings_usd,
                format!(
                    "{}: {} saved on {} now",
                    l.as_str(),
                    s.savings_usd,
                    s.current_usd
                ),
            )
        }
    };
    Line::from(vec![
        Span::styled(fit(&text, w), theme.text),
        Span::styled(
            fit(&daily(saved), w.saturating_sub(text.chars().count())),
            theme.good,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_cycles_every_lever_then_back_to_all() {
        let mut lever = None;
        let mut seen = Vec::new();
        for _ in 0..5 {
            lever = next_lever(lever);
            seen.push(lever);
        }
        assert_eq!(
            seen,
            [
                Some(Lever::Routing),
                Some(Lever::Caching),
                Some(Lever::Batch),
                Some(Lever::Output),
                None
            ]
        );
    }
}
