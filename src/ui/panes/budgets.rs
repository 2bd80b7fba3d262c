//! Budgets and alarms: each budget's bar with its warn mark and projection, active alarms, the log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::PaneState;
use super::widgets::{bar, fit, hhmm, left, pane_block};
use crate::aggregate::Snapshot;
use crate::aggregate::snapshot::{AlarmLogEntry, AlarmStatus, BudgetStatus};
use crate::pricing::Money;
use crate::ui::theme::Theme;

/// Draws budgets, then alarms, then as much of the log as fits.
pub fn render(frame: &mut Frame, area: Rect, snap: &Snapshot, st: &PaneState, theme: &Theme) {
    let mut block = pane_block(if st.flash { "budgets & alarms · NEW ALARM" } else { "budgets & alarms" }, st, theme);
    if st.flash {
        block = block.border_style(theme.alarm_critical).title_style(theme.alarm_critical);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let name_w = snap.budgets.iter().map(|b| b.name.chars().count()).max().unwrap_or(0).clamp(4, 14);
    let mut lines: Vec<Line> = snap.budgets.iter().map(|b| budget_line(b, name_w, w, theme)).collect();
    if snap.budgets.is_empty() {
        lines.push(Line::from(Span::styled("no budgets (add [[budgets]] to the config or --budget day=USD)", theme.text_dim)));
    }
    lines.extend(snap.alarms.iter().map(|a| alarm_line(a, st, w, theme)));
    let room = usize::from(inner.height).saturating_sub(lines.len());
    if room >= 2 && !snap.alarm_log.is_empty() {
        lines.push(Line::from(Span::styled("─ log ".to_owned() + &"─".repeat(w.saturating_sub(6)), theme.border)));
        lines.extend(snap.alarm_log.iter().rev().take(room - 1).map(|e| log_line(e, st, w, theme)));
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

fn budget_line<'a>(b: &BudgetStatus, name_w: usize, w: usize, theme: &Theme) -> Line<'a> {
    let style = state_style(&b.state, theme);
    let spent = format!("{} / {}", Money::from_usd(b.spent_usd), Money::from_usd(b.limit_usd));
    let proj_style = if b.projected_usd > b.limit_usd { theme.cost_high } else { theme.text_dim };
    let proj = format!("→ {}", Money::from_usd(b.projected_usd));
    let state = format!("{:>8}", b.state.to_uppercase());
    let fixed = name_w + 1 + spent.len() + 1 + state.len();
    let with_proj = fixed + proj.chars().count() + 2;
    let show_proj = w >= with_proj + 8;
    let bar_w = w.saturating_sub(if show_proj { with_proj } else { fixed } + 1);
    let ratio = if b.limit_usd > 0.0 { b.spent_usd / b.limit_usd } else { 0.0 };
    let mut spans = vec![Span::styled(left(&b.name, name_w), theme.text), Span::raw(" ")];
    if bar_w >= 4 {
        spans.extend(bar(ratio, bar_w, style, theme.gauge_empty, Some(b.warn_at)));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(spent, theme.cost));
    if show_proj {
        spans.push(Span::styled(format!("  {proj}"), proj_style));
    }
    spans.push(Span::styled(format!(" {state}"), style.add_modifier(Modifier::BOLD)));
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
    let head = format!("{mark} {} {} ", hhmm(a.since, &st.zone), severity_label(&a.severity));
    let msg_w = w.saturating_sub(head.chars().count());
    let msg_style = if a.acknowledged { theme.text_dim } else { theme.text };
    Line::from(vec![Span::styled(head, style), Span::styled(fit(&a.message, msg_w), msg_style)])
}

fn log_line<'a>(e: &AlarmLogEntry, st: &PaneState, w: usize, theme: &Theme) -> Line<'a> {
    let head = format!("{} {:<7} ", hhmm(e.at, &st.zone), e.transition);
    let msg_w = w.saturating_sub(head.chars().count());
    let style = if e.transition == "raised" { severity_style(&e.severity, theme) } else { theme.good };
    Line::from(vec![Span::styled(head, style), Span::styled(fit(&e.message, msg_w), theme.text_dim)])
}
