//! Status bar: each source's health, unpriced models with the price table's age, and the key
//! hints from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::pane_state::PaneState;
use super::widgets::{compact, fit, grouped, left, short_duration};
use crate::snapshot::{Snapshot, SourceStatus};
use crate::ui::keymap;
use crate::ui::theme::Theme;

/// Source names are cut to this width when the line has no more room.
const NAME_MIN: usize = 28;

/// Lines the bar would show given room: one per source, the unpriced and reconciliation
/// notices, the key hints.
pub(crate) fn lines_wanted(snap: &Snapshot) -> u16 {
    let sources = snap.sources.len().max(1);
    let notices = usize::from(!snap.unpriced_models.is_empty())
        + usize::from(!snap.reconciliation.is_empty());
    u16::try_from(sources + notices + 1).unwrap_or(u16::MAX)
}

/// Draws sources (one line each, or one summary line when short of rows), unpriced models and hints.
pub(crate) fn render(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
) {
    let title_style = if st.focused {
        theme.border_focused
    } else {
        theme.title
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.border_for(st.focused))
        .title(Span::styled(" sources ", title_style));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let hints = match (&st.notice, &st.link) {
        (Some(notice), _) => Line::from(Span::styled(fit(notice, w), theme.warn)),
        (None, Some(link)) => super::link::lost_line(link, st, w, theme)
            .unwrap_or_else(|| hints_line(snap.replay.is_some(), w, theme)),
        (None, None) => hints_line(snap.replay.is_some(), w, theme),
    };
    let unpriced = unpriced_line(snap, w, theme);
    let rows = usize::from(inner.height);
    let extra = 1 + usize::from(unpriced.is_some());
    let mut lines: Vec<Line> = if snap.sources.is_empty() {
        vec![Line::from(Span::styled(
            "waiting for sources…",
            theme.text_dim,
        ))]
    } else if snap.sources.len() + extra <= rows {
        let details = snap
            .sources
            .iter()
            .any(|s| s.reason.is_some() || s.first_error.is_some() || s.note.is_some());
        let name_w = snap
            .sources
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0)
            // Full paths where the line has room (the rest of a source line takes ~42
            // columns, and a reason, when there is one, wants some).
            .min(
                w.saturating_sub(if details { 60 } else { 44 })
                    .max(NAME_MIN),
            );
        snap.sources
            .iter()
            .map(|s| source_line(s, name_w, st, w, theme))
            .collect()
    } else {
        vec![summary_line(snap, theme)]
    };
    if let Some(u) = unpriced
        && lines.len() + 2 <= rows
    {
        lines.push(u);
    }
    if let Some(r) = reconciliation_line(snap, theme)
        && lines.len() + 2 <= rows
    {
        lines.push(r);
    }
    // Hints go on the last row.
    while lines.len() + 1 < rows {
        lines.push(Line::default());
    }
    lines.truncate(rows.saturating_sub(1));
    lines.push(hints);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// "Estimated vs billed" for the latest complete day the Admin API cost report covers (today
/// only while there is no other: the report lags usage, so a partial day always looks short).
fn reconciliation_line<'a>(snap: &Snapshot, theme: &Theme) -> Option<Line<'a>> {
    let day = snap
        .reconciliation
        .iter()
        .rev()
        .find(|d| !d.partial)
        .or_else(|| snap.reconciliation.last())?;
    let so_far = if day.partial { " so far" } else { "" };
    let diff = day
        .difference_pct
        .map_or_else(|| "—".to_string(), |p| format!("{p:+.1}%"));
    let style = match day.difference_pct {
        Some(p) if p.abs() >= 5.0 => theme.warn,
        _ => theme.text_dim,
    };
    let discount = day
        .discount_pct
        .map_or_else(String::new, |d| format!("({d:.1}% off list) "));
    Some(Line::from(vec![
        Span::styled("billed ", theme.text_dim),
        Span::styled(format!("{}{so_far} {} ", day.day, day.billed), theme.text),
        Span::styled(discount, theme.text_dim),
        Span::styled("vs estimated ", theme.text_dim),
        Span::styled(format!("{} ", day.estimated), theme.text),
        Span::styled(diff, style),
    ]))
}

fn state_mark<'a>(s: &SourceStatus, theme: &Theme) -> Span<'a> {
    match s.state.as_str() {
        "ok" | "done" => Span::styled("●", theme.status_ok),
        "stale" => Span::styled("◐", theme.warn),
        _ => Span::styled("✖", theme.status_error),
    }
}

fn source_line<'a>(
    s: &SourceStatus,
    name_w: usize,
    st: &PaneState,
    w: usize,
    theme: &Theme,
) -> Line<'a> {
    let state_style = if s.state == "ok" || s.state == "done" {
        theme.status_ok
    } else {
        theme.status_error
    };
    let mut spans = vec![
        state_mark(s, theme),
        Span::styled(format!(" {} ", left(&s.name, name_w)), theme.text),
        Span::styled(format!("{:<5}", s.state), state_style),
    ];
    if let Some(p) = &s.proxy {
        spans.extend(proxy_spans(p, s.parse_errors, theme));
    } else {
        spans.extend(reader_spans(s, st, theme));
    }
    if let Some(r) = &s.receiver {
        spans.extend(receiver_spans(r, theme));
    }
    // A problem in the error colour; else what the source says about how it reads.
    let detail = match s.reason.as_deref().or(s.first_error.as_deref()) {
        Some(problem) => Some((problem, theme.status_error)),
        None => s.note.as_deref().map(|n| (n, theme.text_dim)),
    };
    if let Some((d, style)) = detail {
        let used: usize = spans.iter().map(Span::width).sum();
        let room = w.saturating_sub(used + 3);
        if room >= 8 {
            spans.push(Span::styled(format!("   {}", fit(d, room)), style));
        }
    }
    Line::from(spans)
}

/// A reader's lines, parse errors and lag.
fn reader_spans<'a>(s: &SourceStatus, st: &PaneState, theme: &Theme) -> [Span<'a>; 3] {
    let lag = s.last_event.map_or_else(
        || "—".to_owned(),
        |t| short_duration((st.now - t).num_seconds()),
    );
    [
        Span::styled(format!(" {:>6} lines", compact(s.lines)), theme.text_dim),
        Span::styled(
            format!(" {:>4} errors", grouped(s.parse_errors)),
            if s.parse_errors > 0 {
                theme.warn
            } else {
                theme.text_dim
            },
        ),
        Span::styled(format!("  lag {lag:>3}"), theme.text_dim),
    ]
}

/// The proxy's line: `127.0.0.1:9872 → api.anthropic.com · 1,204 requests · 3 clients ·
/// 0 errors`, then what it could not account for, when anything.
fn proxy_spans<'a>(
    p: &crate::usage::ProxyCounts,
    unaccounted: u64,
    theme: &Theme,
) -> Vec<Span<'a>> {
    let warn_if = |n: u64| if n > 0 { theme.warn } else { theme.text_dim };
    let mut spans = vec![
        Span::styled(format!(" {} → {}", p.listen, p.upstream), theme.text),
        Span::styled(
            format!(
                " · {} requests · {} clients",
                grouped(p.requests),
                grouped(p.clients)
            ),
            theme.text_dim,
        ),
        Span::styled(
            format!(" · {} errors", grouped(p.errors)),
            warn_if(p.errors),
        ),
    ];
    if unaccounted > 0 {
        spans.push(Span::styled(
            format!(" · {} unaccounted", grouped(unaccounted)),
            theme.warn,
        ));
    }
    spans
}

/// A receiver's senders and refused payloads, after its records and errors; LLM spans it
/// could not read, when there are any.
fn receiver_spans<'a>(r: &crate::usage::ReceiverCounts, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = vec![
        Span::styled(format!("  {} senders", grouped(r.senders)), theme.text_dim),
        Span::styled(
            format!("  {} refused", grouped(r.rejected_payloads)),
            if r.rejected_payloads > 0 {
                theme.warn
            } else {
                theme.text_dim
            },
        ),
    ];
    if r.llm_spans_unreadable > 0 {
        spans.push(Span::styled(
            format!(
                "  {} LLM spans unreadable: no token counts",
                grouped(r.llm_spans_unreadable)
            ),
            theme.warn,
        ));
    }
    spans
}

fn summary_line<'a>(snap: &Snapshot, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for s in &snap.sources {
        spans.push(state_mark(s, theme));
        spans.push(Span::styled(
            format!(" {} {}  ", fit(&s.name, 18), s.state),
            theme.text_dim,
        ));
    }
    if !snap.unpriced_models.is_empty() {
        spans.push(Span::styled(
            format!("⚠ {} unpriced", snap.unpriced_models.len()),
            theme.alarm_critical,
        ));
    }
    Line::from(spans)
}

fn unpriced_line<'a>(snap: &Snapshot, w: usize, theme: &Theme) -> Option<Line<'a>> {
    if snap.unpriced_models.is_empty() {
        return None;
    }
    let list: Vec<String> = snap
        .unpriced_models
        .iter()
        .map(|u| {
            format!(
                "{} ({} req, {} tok)",
                u.model,
                grouped(u.requests),
                compact(u.tokens)
            )
        })
        .collect();
    let head = format!(
        "⚠ unpriced, cost not counted (prices checked {}): ",
        snap.prices_checked
    );
    let room = w.saturating_sub(head.chars().count());
    Some(Line::from(vec![
        Span::styled(head, theme.alarm_critical),
        Span::styled(fit(&list.join(", "), room), theme.text),
    ]))
}

fn hints_line<'a>(replaying: bool, w: usize, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, hint) in keymap::hints(replaying) {
        let len = key.chars().count() + hint.chars().count() + 3;
        if used + len > w {
            break;
        }
        used += len;
        spans.push(Span::styled(format!(" {key}"), theme.help_key));
        spans.push(Span::styled(format!(" {hint} "), theme.text_dim));
    }
    Line::from(spans)
}
