//! The link to the attached costtop (`costtop attach`), as the title bar and the status bar
//! show it: where the snapshots come from, and, when the stream is lost, that the screen is
//! stale, since when, why, and when the next try is.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::pane_state::PaneState;
use super::widgets::fit;
use crate::attach::{Link, LinkState};
use crate::ui::theme::Theme;

/// The title bar's label in place of "● LIVE" while snapshots arrive.
pub(crate) fn live_label<'a>(link: &Link, theme: &Theme) -> Span<'a> {
    Span::styled(format!(" ⇄ {} ", link.server), theme.title_bar)
}

/// The title bar's warning when the screen is stale: kept even when the bar is narrow.
pub(crate) fn stale_label<'a>(link: &Link, st: &PaneState, theme: &Theme) -> Option<Span<'a>> {
    let text = match &link.state {
        LinkState::Live => return None,
        LinkState::Connecting => " … connecting ".to_owned(),
        LinkState::Lost { since, .. } => {
            format!(
                " ✖ STALE · lost {} ",
                st.zone.local(*since).format("%H:%M:%S")
            )
        }
    };
    Some(Span::styled(
        text,
        theme.alarm_critical.add_modifier(Modifier::REVERSED),
    ))
}

/// The status bar's line about a lost link, in place of the key hints: the server, why, the
/// snapshot on screen and the next try.
pub(crate) fn lost_line<'a>(
    link: &Link,
    st: &PaneState,
    w: usize,
    theme: &Theme,
) -> Option<Line<'a>> {
    let LinkState::Lost {
        reason, retry_at, ..
    } = &link.state
    else {
        return None;
    };
    let clock = |t| st.zone.local(t).format("%H:%M:%S").to_string();
    let shown = link.last_snapshot.map_or_else(
        || "no snapshot yet".to_owned(),
        |t| format!("snapshot of {}", clock(t)),
    );
    let next = if *retry_at == chrono::DateTime::<chrono::Utc>::MAX_UTC {
        "no further tries".to_owned()
    } else {
        format!("next try {}", clock(*retry_at))
    };
    let tail = format!(" · {shown} · {next}");
    // The server only where the reason still fits beside it (the title bar says it too).
    let with_server = format!("✖ {}: ", link.server);
    let head = if [&with_server, reason, &tail]
        .iter()
        .map(|s| s.chars().count())
        .sum::<usize>()
        <= w
    {
        with_server
    } else {
        "✖ ".to_owned()
    };
    let room = w.saturating_sub(head.chars().count() + tail.chars().count());
    Some(Line::from(vec![
        Span::styled(head, theme.status_error),
        Span::styled(fit(reason, room.max(8)), theme.text),
        Span::styled(tail, theme.text_dim),
    ]))
}
