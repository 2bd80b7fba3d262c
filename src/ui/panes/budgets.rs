//! Budgets and alarms: each budget's bar with its warn mark and projection, active alarms, the log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_state::PaneState;
use super::widgets::{bar, fit, hhmm, left, pane_block, right, short_usd};
use crate::pricing::Money;
use crate::snapshot::{AlarmLogEntry, AlarmStatus, BudgetStatus, Snapshot};
use crate::ui::theme::Theme;

/// Draws budgets, then alarms, then as much of the log as fits.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let mut block = pane_block(
        if st.flash {
            "budgets & alarms · NEW ALARM"
        } else {
            "budgets & alarms"
        },
        st,
        theme,
    );
    if st.flash {
        block = block
            .border_style(theme.alarm_critical)
            .title_style(theme.alarm_critical);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let cols = Columns::fit(&snap.budgets, w);
    let mut lines: Vec<Line> = snap
        .budgets
        .iter()
        .map(|b| budget_line(b, &cols, theme))
        .collect();
    if snap.budgets.is_empty() {
        lines.push(Line::from(Span::styled(
            "no budgets (--budget day=USD, or the config)",
            theme.text_dim,
        )));
    }
    lines.extend(snap.alarms.iter().map(|a| alarm_line(a, st, w, theme)));
    let room = usize::from(inner.height).saturating_sub(lines.len());
    if room >= 2 && !snap.alarm_log.is_empty() {
        lines.push(Line::from(Span::styled(
            "─ log ".to_owned() + &"─".repeat(w.saturating_sub(6)),
            theme.border,
        )));
        lines.extend(
            snap.alarm_log
                .iter()
                .rev()
                .take(room - 1)
                .map(|e| log_line(e, st, w, theme)),
        );
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn state_style(state: &str, theme: &Theme) -> Style {
    match state {
        "exceeded" => theme.alarm_critical,
        "warn" => theme.warn,
        _ => theme.good,
    }
}

/// Column widths shared by every budget row so bars and amounts line up.
struct Columns {
    name: usize,
    bar: usize,
    spent: usize,
    proj: usize,
    short: bool,
}

const STATE_W: usize = 8;

impl Columns {
    /// Fits the rows into `w`: drop the projection, then shorten amounts, then drop the bar.
    fn fit(budgets: &[BudgetStatus], w: usize) -> Columns {
        let widest = |f: &dyn Fn(&BudgetStatus) -> String| {
            budgets
                .iter()
                .map(|b| f(b).chars().count())
                .max()
                .unwrap_or(0)
        };
        let name = widest(&|b| b.name.clone()).clamp(4, 14);
        let spent = widest(&|b| spent_text(b, false));
        let spent_short = widest(&|b| spent_text(b, true));
        let proj = widest(&|b| proj_text(b));
        let fixed = name + 1 + spent + 1 + STATE_W;
        let bar_min = 6;
        if w > fixed + proj + 3 + bar_min {
            return Columns {
                name,
                bar: w - fixed - proj - 3 - 1,
                spent,
                proj,
                short: false,
            };
        }
        if w > fixed + bar_min {
            return Columns {
                name,
                bar: w - fixed - 1,
                spent,
                proj: 0,
                short: false,
            };
        }
        let fixed_short = name + 1 + spent_short + 1 + STATE_W;
        let bar = w.saturating_sub(fixed_short + 1);
        Columns {
            name,
            bar: if bar >= 4 { bar } else { 0 },
            spent: spent_short,
            proj: 0,
            short: true,
        }
    }
}

fn spent_text(b: &BudgetStatus, short: bool) -> String {
    if short {
        format!("{}/{}", short_usd(b.spent_usd), short_usd(b.limit_usd))
    } else {
        format!(
            "{} / {}",
            Money::from_usd(b.spent_usd),
            Money::from_usd(b.limit_usd)
        )
    }
}

fn proj_text(b: &BudgetStatus) -> String {
    format!("→ {}", Money::from_usd(b.projected_usd))
}

fn budget_line<'a>(b: &BudgetStatus, cols: &Columns, theme: &Theme) -> Line<'a> {
    let style = state_style(&b.state, theme);
    let ratio = if b.limit_usd > 0.0 {
        b.spent_usd / b.limit_usd
    } else {
        0.0
    };
    let mut spans = vec![
        Span::styled(left(&b.name, cols.name), theme.text),
        Span::raw(" "),
    ];
    if cols.bar > 0 {
        spans.extend(bar(
            ratio,
            cols.bar,
            style,
            theme.gauge_empty,
            Some(b.warn_at),
        ));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(
        right(&spent_text(b, cols.short), cols.spent),
        theme.cost,
    ));
    if cols.proj > 0 {
        let proj_style = if b.projected_usd > b.limit_usd {
            theme.cost_high
        } else {
            theme.text_dim
        };
        spans.push(Span::styled(
            format!("  {}", right(&proj_text(b), cols.proj)),
            proj_style,
        ));
    }
    let state = format!(" {:>STATE_W$}", b.state.to_uppercase());
    spans.push(Span::styled(state, style.add_modifier(Modifier::BOLD)));
    Line::from(spans)
}

fn severity_style(severity: &str, theme: &Theme) -> Style {
    match severity {
        "critical" => theme.alarm_critical,
        "warning" => theme.warn,
        _ => theme.accent,
    }
}

fn severity_label(severity: &str) -> &'static str {
    match severity {
        "critical" => "CRIT",
        "warning" => "WARN",
        _ => "INFO",
    }
}

fn alarm_line<'a>(a: &AlarmStatus, st: &PaneState, w: usize, theme: &Theme) -> Line<'a> {
    let (mark, style) = if a.acknowledged {
        ("✓", theme.text_dim)
    } else {
        ("●", severity_style(&a.severity, theme))
    };
    let head = format!(
        "{mark} {} {} ",
        hhmm(a.since, st.zone),
        severity_label(&a.severity)
    );
    let msg_w = w.saturating_sub(head.chars().count());
    let msg_style = if a.acknowledged {
        theme.text_dim
    } else {
        theme.text
    };
    Line::from(vec![
        Span::styled(head, style),
        Span::styled(fit(&a.message, msg_w), msg_style),
    ])
}

fn log_line<'a>(e: &AlarmLogEntry, st: &PaneState, w: usize, theme: &Theme) -> Line<'a> {
    let head = format!("{} {:<7} ", hhmm(e.at, st.zone), e.transition);
    let msg_w = w.saturating_sub(head.chars().count());
    let style = if e.transition == "raised" {
        severity_style(&e.severity, theme)
    } else {
        theme.good
    };
    Line::from(vec![
        Span::styled(head, style),
        Span::styled(fit(&e.message, msg_w), theme.text_dim),
    ])
}
