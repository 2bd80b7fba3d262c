//! One frame: the layout, every visible pane, the help overlay or the too-small message.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::keymap;
use super::layout::{self, MIN_SIZE, Overlay, Pane, Screen};
use super::panes::{self, OutputView, PaneState};
use super::theme::Theme;
use crate::snapshot::Snapshot;

/// What the user has chosen to see: focus, zoom, overlay and toggles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The focused pane.
    pub focus: Pane,
    /// The zoomed pane, if any.
    pub(crate) zoom: Option<Pane>,
    /// The overlay on top.
    pub(crate) overlay: Overlay,
    /// Display updates are frozen.
    pub(crate) frozen: bool,
    /// Index into `snap.groups` for the top pane.
    pub(crate) group_index: usize,
    /// What the output pane shows.
    pub(crate) output: OutputView,
    /// The budgets border is flashing for a new alarm.
    pub(crate) flash: bool,
    /// The savings pane is shown in the top pane's place (`o`).
    pub(crate) savings_in_top: bool,
    /// The lever the savings pane shows (`l`; `None`: all).
    pub(crate) savings_lever: Option<crate::snapshot::Lever>,
    /// Attached to another costtop: how the link stands.
    pub(crate) link: Option<crate::attach::Link>,
    /// A short message in place of the key hints.
    pub(crate) notice: Option<String>,
}

/// Draws the whole screen and returns where each pane went (for mouse clicks).
pub fn render_screen(
    frame: &mut Frame,
    snap: &Snapshot,
    view: &View,
    theme: &Theme,
    now: DateTime<Utc>,
) -> Screen {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.background), area);
    let fit = layout::Fit {
        savings_in_top: view.savings_in_top,
        model_rows: u16::try_from(snap.by_model.len() + 1).unwrap_or(u16::MAX),
        status_lines: panes::status::lines_wanted(snap),
    };
    let screen = layout::layout(area, view.zoom, fit);
    match &screen {
        Screen::TooSmall => render_too_small(frame, area, theme),
        Screen::Panes(panes) => {
            let base = PaneState {
                focused: false,
                flash: view.flash,
                frozen: view.frozen,
                now: if snap.replay.is_some() {
                    snap.as_of
                } else {
                    now
                },
                zone: panes::zone_of(snap),
                group_index: view.group_index,
                output_view: view.output,
                savings_lever: view.savings_lever,
                link: view.link.clone(),
                notice: view.notice.clone(),
            };
            for &(pane, rect) in panes {
                let st = PaneState {
                    focused: pane == view.focus,
                    ..base.clone()
                };
                panes::render(frame, pane, rect, snap, &st, theme);
            }
        }
    }
    if view.overlay == Overlay::Help {
        render_help(frame, area, snap.replay.is_some(), theme);
    }
    screen
}

fn render_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::from(Span::styled("Terminal too small", theme.warn)),
        Line::from(Span::styled(
            format!(
                "enlarge to {}×{} (now {}×{})",
                MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
            ),
            theme.text,
        )),
    ];
    let rect = layout::centered(area, area.width, 2);
    frame.render_widget(
        Paragraph::new(text).centered().wrap(Wrap { trim: true }),
        rect,
    );
}

/// Width of one help column.
const COLUMN_W: u16 = 40;

fn render_help(frame: &mut Frame, area: Rect, replaying: bool, theme: &Theme) {
    let groups = keymap::help_groups(replaying);
    let one_column = help_lines(&groups, theme);
    // Too tall for the screen (replay adds a group): replay keys go in a second column.
    let (left, right) = if one_column.len() as u16 + 2 > area.height && groups.len() > 1 {
        let (a, b) = groups.split_at(groups.len() - 1);
        (help_lines(a, theme), help_lines(b, theme))
    } else {
        (one_column, Vec::new())
    };
    let columns = if right.is_empty() { 1 } else { 2 };
    let height = left.len().max(right.len()) as u16 + 2;
    let rect = layout::centered(area, COLUMN_W * columns + 2, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(" keys ", theme.title))
        .title_bottom(Line::from(Span::styled(" Esc close ", theme.text_dim)).right_aligned())
        .style(theme.background);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let left_area = Rect {
        width: inner.width.min(COLUMN_W),
        ..inner
    };
    frame.render_widget(Paragraph::new(left), left_area);
    if !right.is_empty() {
        let x = inner.x.saturating_add(COLUMN_W);
        let right_area = Rect {
            x,
            width: inner.right().saturating_sub(x),
            ..inner
        };
        frame.render_widget(Paragraph::new(right), right_area);
    }
}

fn help_lines<'a>(
    groups: &[(keymap::Group, Vec<&'static keymap::Binding>)],
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (group, bindings) in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            format!(" {}", group.title()),
            theme.title.add_modifier(Modifier::UNDERLINED),
        )));
        for b in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<7}", b.label), theme.help_key),
                Span::styled(b.description, theme.text),
            ]));
        }
    }
    lines
}
