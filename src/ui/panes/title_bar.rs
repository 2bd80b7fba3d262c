//! The header's title bar: name, window, live / replay state with progress (or the attached
//! costtop and a stale warning), FROZEN, alarms, clock.

use chrono::{DateTime, Utc};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::pane_state::PaneState;
use super::widgets::{bar, percent};
use crate::snapshot::{ReplayStatus, Snapshot};
use crate::ui::theme::Theme;

/// The clock text: the zone's wall time of `now`; changes once a second.
pub(crate) fn clock_label(snap: &Snapshot, now: DateTime<Utc>) -> String {
    let zone = super::pane_state::zone_of(snap);
    let local = zone.local(now);
    let name = if snap.time_zone.is_empty() || snap.time_zone.eq_ignore_ascii_case("local") {
        local.format("%:z").to_string()
    } else {
        snap.time_zone.clone()
    };
    format!("{} {name}", local.format("%a %Y-%m-%d %H:%M:%S"))
}

/// The bar's one line, `width` cells wide; labels drop from the right when narrow.
pub(crate) fn title_bar<'a>(
    snap: &Snapshot,
    st: &PaneState,
    theme: &Theme,
    width: usize,
) -> Line<'a> {
    let bar_style = theme.title_bar;
    let name_style = if st.focused {
        theme.border_focused.add_modifier(Modifier::REVERSED)
    } else {
        bar_style.add_modifier(Modifier::BOLD)
    };
    let mut left = vec![Span::styled(" costtop ", name_style)];
    if st.frozen {
        left.push(Span::styled(
            " ❚❚ FROZEN ",
            theme.warn.add_modifier(Modifier::REVERSED),
        ));
    }
    let stale = st
        .link
        .as_ref()
        .and_then(|link| super::link::stale_label(link, st, theme));
    let stale_kept = usize::from(stale.is_some());
    left.extend(stale);
    left.push(Span::styled(
        format!(" window {} ", snap.window.name),
        bar_style,
    ));
    match (&snap.replay, &st.link) {
        (Some(r), _) => left.extend(replay_spans(r, theme, width)),
        (None, Some(link)) => left.push(super::link::live_label(link, theme)),
        (None, None) => left.push(Span::styled(" ● LIVE ", bar_style)),
    }
    let active = snap.alarms.iter().filter(|a| !a.acknowledged).count();
    let mut right = Vec::new();
    if active > 0 {
        let s = if active == 1 { "" } else { "s" };
        right.push(Span::styled(
            format!(" ⚠ {active} alarm{s} "),
            theme.alarm_critical.add_modifier(Modifier::REVERSED),
        ));
    }
    right.push(Span::styled(
        format!(" {} ", clock_label(snap, st.now)),
        bar_style.add_modifier(Modifier::BOLD),
    ));
    let total = |l: &[Span], r: &[Span]| -> usize { l.iter().chain(r).map(Span::width).sum() };
    // Narrow: drop the live / replay labels, shorten the clock, drop the alarm count, then the
    // window name. The name, FROZEN, STALE and the time stay.
    let kept = if st.frozen { 3 } else { 2 } + stale_kept;
    while total(&left, &right) > width && left.len() > kept {
        left.pop();
    }
    if total(&left, &right) > width
        && let Some(clock) = right.last_mut()
    {
        let full = clock_label(snap, st.now);
        let short = full
            .split_once(' ')
            .and_then(|(_, rest)| rest.split_once(' '))
            .map_or(full.as_str(), |(_, time)| time);
        *clock = Span::styled(format!(" {short} "), bar_style.add_modifier(Modifier::BOLD));
    }
    while total(&left, &right) > width && right.len() > 1 {
        right.remove(0);
    }
    if total(&left, &right) > width {
        left.truncate(kept - 1);
    }
    let mut pad = width.saturating_sub(total(&left, &right));
    // The unpriced share only takes room the other labels leave.
    if let Some(note) = unpriced_note(snap).map(|n| Span::styled(n, theme.warn))
        && note.width() <= pad
    {
        pad -= note.width();
        right.insert(0, note);
    }
    left.push(Span::styled(" ".repeat(pad), bar_style));
    left.extend(right);
    Line::from(left)
}

/// " 0.2% of requests unpriced " when the spend shown is a lower bound (shown only where it
/// fits; the `≥` before the spend always stays).
fn unpriced_note(snap: &Snapshot) -> Option<String> {
    let t = &snap.totals;
    if !t.cost_is_lower_bound {
        return None;
    }
    Some(if t.unpriced_requests > 0 && t.requests > 0 {
        let share = t.unpriced_requests as f64 / t.requests as f64;
        format!(" {} of requests unpriced ", percent(share))
    } else {
        " unpriced tokens not costed ".to_string()
    })
}

fn replay_spans<'a>(r: &ReplayStatus, theme: &Theme, width: usize) -> Vec<Span<'a>> {
    let bar_style = theme.title_bar;
    let state = if r.paused {
        " ❚❚ paused ".to_owned()
    } else {
        format!(" ▶ {} ", trim_speed(r.speed))
    };
    let mut spans = vec![
        Span::styled(" REPLAY", bar_style.add_modifier(Modifier::BOLD)),
        Span::styled(state, bar_style),
    ];
    if width >= 100 {
        spans.extend(bar(
            r.progress,
            20,
            bar_style,
            bar_style.add_modifier(Modifier::DIM),
            None,
        ));
        spans.push(Span::styled(
            format!(" {} ", percent(r.progress)),
            bar_style,
        ));
    }
    if r.undated_records > 0 {
        spans.push(Span::styled(
            format!(" {} undated (file time) ", r.undated_records),
            theme.warn,
        ));
    }
    spans
}

fn trim_speed(speed: f64) -> String {
    if speed.is_infinite() {
        "max".to_owned()
    } else if speed.fract() == 0.0 {
        format!("{speed:.0}×")
    } else {
        format!("{speed:.1}×")
    }
}
