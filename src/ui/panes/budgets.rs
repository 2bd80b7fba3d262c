//! Budgets and alarms: each budget's bar with its warn mark and projection, the org's spend
//! limits and rate-limit headroom beside them, active alarms, the log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_state::PaneState;
use super::widgets::{bar, fit, hhmm, left, pane_block, right, short_usd};
use crate::format::compact;
use crate::pricing::Money;
use crate::snapshot::{AlarmLogEntry, AlarmStatus, Snapshot};
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
    let rows = limit_rows(snap);
    let cols = Columns::fit(&rows, w);
    let mut lines: Vec<Line> = rows.iter().map(|r| row_line(r, &cols, theme)).collect();
    if rows.is_empty() {
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

/// One bar of the pane: a local budget, one of the org's spend limits, or a rate limit's
/// headroom.
struct LimitRow {
    name: String,
    ratio: f64,
    warn_at: Option<f64>,
    amount: String,
    amount_short: String,
    /// A budget's projection, and whether it passes the limit.
    projection: Option<(String, bool)>,
    /// `ok`, `warn` or `exceeded`: the colour.
    state: String,
    /// What the state column says.
    label: String,
}

/// Budgets, then the org's spend limits that have a cap, then the rate limits measured.
fn limit_rows(snap: &Snapshot) -> Vec<LimitRow> {
    let budgets = snap.budgets.iter().map(|b| LimitRow {
        name: b.name.clone(),
        ratio: ratio(b.spent_usd, b.limit_usd),
        warn_at: Some(b.warn_at),
        amount: format!(
            "{} / {}",
            Money::from_usd(b.spent_usd),
            Money::from_usd(b.limit_usd)
        ),
        amount_short: format!("{}/{}", short_usd(b.spent_usd), short_usd(b.limit_usd)),
        projection: Some((
            format!("→ {}", Money::from_usd(b.projected_usd)),
            b.projected_usd > b.limit_usd,
        )),
        state: b.state.clone(),
        label: b.state.to_uppercase(),
    });
    let spend_limits = snap.org.spend_limits.iter().filter_map(|s| {
        let limit = s.limit?;
        Some(LimitRow {
            // The org's limits are marked; a user's limit is named by the user.
            name: format!("◇ {}", s.name.strip_prefix("user ").unwrap_or(&s.name)),
            ratio: s.share().unwrap_or(0.0),
            warn_at: Some(s.warn_at),
            amount: format!("{} / {limit}", s.spent),
            amount_short: format!("{}/{}", short_usd(s.spent.usd()), short_usd(limit.usd())),
            projection: None,
            state: s.state.clone(),
            label: s.state.to_uppercase(),
        })
    });
    let rates = snap.org.rate_limits.iter().filter_map(|r| {
        let share = r.share()?;
        let state = if share >= 1.0 {
            "exceeded"
        } else if share >= 0.8 {
            "warn"
        } else {
            "ok"
        };
        Some(LimitRow {
            name: format!(
                "{} {}",
                r.group.strip_prefix("Claude ").unwrap_or(&r.group),
                limiter_name(&r.limit_type)
            ),
            ratio: share,
            warn_at: None,
            amount: format!(
                "{} / {}/min",
                compact(r.used.unwrap_or(0)),
                compact(r.limit)
            ),
            amount_short: format!("{}/{}", compact(r.used.unwrap_or(0)), compact(r.limit)),
            projection: None,
            state: state.to_string(),
            label: format!("{:.0}%", share * 100.0),
        })
    });
    budgets.chain(spend_limits).chain(rates).collect()
}

/// A limiter's type in a word.
fn limiter_name(limit_type: &str) -> &str {
    match limit_type {
        "input_tokens_per_minute" => "in",
        "output_tokens_per_minute" => "out",
        "requests_per_minute" => "req",
        other => other,
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

fn state_style(state: &str, theme: &Theme) -> Style {
    match state {
        "exceeded" => theme.alarm_critical,
        "warn" => theme.warn,
        _ => theme.good,
    }
}

/// Column widths shared by every row so bars and amounts line up.
struct Columns {
    name: usize,
    bar: usize,
    spent: usize,
    proj: usize,
    short: bool,
}

const STATE_W: usize = 8;

impl Columns {
    /// Fits the rows into `w`: shorten names, drop the projection, shorten amounts, then drop
    /// the bar.
    fn fit(rows: &[LimitRow], w: usize) -> Columns {
        let widest = |f: &dyn Fn(&LimitRow) -> usize| rows.iter().map(f).max().unwrap_or(0);
        let names = widest(&|r| r.name.chars().count());
        let spent = widest(&|r| r.amount.chars().count());
        let spent_short = widest(&|r| r.amount_short.chars().count());
        let proj = widest(&|r| r.projection.as_ref().map_or(0, |(p, _)| p.chars().count()));
        let bar_min = 6;
        // Longer names (an email, a model group and limiter) only where the projections
        // still fit beside them.
        for longest in [28, 20, 14] {
            let name = names.clamp(4, longest);
            let fixed = name + 1 + spent + 1 + STATE_W;
            if w > fixed + proj + 3 + bar_min {
                return Columns {
                    name,
                    bar: w - fixed - proj - 3 - 1,
                    spent,
                    proj,
                    short: false,
                };
            }
        }
        let name = names.clamp(4, 14);
        let fixed = name + 1 + spent + 1 + STATE_W;
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

fn row_line<'a>(r: &LimitRow, cols: &Columns, theme: &Theme) -> Line<'a> {
    let style = state_style(&r.state, theme);
    let mut spans = vec![
        Span::styled(left(&r.name, cols.name), theme.text),
        Span::raw(" "),
    ];
    if cols.bar > 0 {
        spans.extend(bar(r.ratio, cols.bar, style, theme.gauge_empty, r.warn_at));
        spans.push(Span::raw(" "));
    }
    let amount = if cols.short {
        &r.amount_short
    } else {
        &r.amount
    };
    spans.push(Span::styled(right(amount, cols.spent), theme.cost));
    if cols.proj > 0 {
        let (text, over) = r
            .projection
            .as_ref()
            .map_or((String::new(), false), |(t, o)| (t.clone(), *o));
        let proj_style = if over {
            theme.cost_high
        } else {
            theme.text_dim
        };
        spans.push(Span::styled(
            format!("  {}", right(&text, cols.proj)),
            proj_style,
        ));
    }
    let state = format!(" {:>STATE_W$}", r.label);
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
