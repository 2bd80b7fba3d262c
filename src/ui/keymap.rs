//! Keys as data: one table drives event handling, the `?` help overlay and the footer hints.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::snapshot::ReplayCommand;

/// What a key asks the dashboard to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Leave costtop.
    Quit,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Show only the focused pane (again: back to all panes).
    Zoom,
    /// Ask the aggregator for the next time window.
    CycleWindow,
    /// Show the next grouping (project, tier, session, tag) in the top pane.
    CycleGroup,
    /// Acknowledge every active alarm.
    Acknowledge,
    /// Stop (or resume) display updates.
    Freeze,
    /// Switch to the next theme.
    CycleTheme,
    /// Toggle the per-model view of the output histogram.
    ToggleModelOutput,
    /// Show the savings pane in the top pane's place (or focus it where it has its own).
    ToggleSavings,
    /// Show the next lever in the savings pane.
    CycleLever,
    /// Show the key help.
    Help,
    /// Close the overlay or leave zoom.
    Close,
    /// A replay control, sent to the replay source.
    Replay(ReplayCommand),
    /// Give the terminal back and stop (Ctrl-Z); `fg` brings the dashboard back.
    Suspend,
}

/// When a binding is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Always.
    Always,
    /// Only while replaying.
    Replay,
}

/// A heading in the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// Moving around the screen.
    Navigate,
    /// What the panes show.
    View,
    /// Alarms.
    Alarms,
    /// Replay controls.
    Replay,
}

impl Group {
    /// The heading text.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Group::Navigate => "Navigate",
            Group::View => "View",
            Group::Alarms => "Alarms",
            Group::Replay => "Replay",
        }
    }
}

/// One key press: a code plus the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// The key.
    pub(crate) code: KeyCode,
    /// Required modifiers (Shift is ignored for characters: `N` carries it already).
    pub(crate) mods: KeyModifiers,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn special(code: KeyCode, mods: KeyModifiers) -> Key {
    Key { code, mods }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding {
    /// Keys that trigger it.
    pub(crate) keys: &'static [Key],
    /// How the keys are written on screen.
    pub(crate) label: &'static str,
    /// What it does.
    pub(crate) action: Action,
    /// Help text.
    pub(crate) description: &'static str,
    /// Footer hint text; `None` keeps it out of the footer.
    pub(crate) hint: Option<&'static str>,
    /// Help heading.
    pub(crate) group: Group,
    /// When it is live.
    pub(crate) mode: Mode,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

/// The one key table.
#[rustfmt::skip]
pub(crate) const BINDINGS: &[Binding] = &[
    Binding { keys: &[key('q'), special(KeyCode::Char('c'), KeyModifiers::CONTROL)], label: "q", action: Action::Quit, description: "quit", hint: Some("quit"), group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[special(KeyCode::Tab, NONE)], label: "Tab", action: Action::FocusNext, description: "focus next pane", hint: Some("focus"), group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[special(KeyCode::BackTab, SHIFT), special(KeyCode::BackTab, NONE)], label: "S-Tab", action: Action::FocusPrev, description: "focus previous pane", hint: None, group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[key('z')], label: "z", action: Action::Zoom, description: "zoom the focused pane", hint: Some("zoom"), group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[special(KeyCode::Char('z'), KeyModifiers::CONTROL)], label: "C-z", action: Action::Suspend, description: "suspend (fg resumes)", hint: None, group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[key('?')], label: "?", action: Action::Help, description: "this help", hint: Some("help"), group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[special(KeyCode::Esc, NONE)], label: "Esc", action: Action::Close, description: "close help / leave zoom", hint: None, group: Group::Navigate, mode: Mode::Always },
    Binding { keys: &[key('w')], label: "w", action: Action::CycleWindow, description: "cycle time window", hint: Some("window"), group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('g')], label: "g", action: Action::CycleGroup, description: "cycle top-pane grouping", hint: Some("group"), group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('m')], label: "m", action: Action::ToggleModelOutput, description: "output histogram per model", hint: None, group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('p')], label: "p", action: Action::Freeze, description: "freeze / unfreeze display", hint: Some("freeze"), group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('t')], label: "t", action: Action::CycleTheme, description: "cycle theme", hint: None, group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('a')], label: "a", action: Action::Acknowledge, description: "acknowledge alarms", hint: Some("ack"), group: Group::Alarms, mode: Mode::Always },
    Binding { keys: &[key('o')], label: "o", action: Action::ToggleSavings, description: "savings pane / top groups", hint: Some("savings"), group: Group::View, mode: Mode::Always },
    Binding { keys: &[key('l')], label: "l", action: Action::CycleLever, description: "cycle the savings lever", hint: None, group: Group::View, mode: Mode::Always },
    Binding { keys: &[key(' ')], label: "Space", action: Action::Replay(ReplayCommand::TogglePause), description: "pause / resume replay", hint: Some("pause"), group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[key('+'), key('=')], label: "+", action: Action::Replay(ReplayCommand::Faster), description: "replay faster", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[key('-')], label: "-", action: Action::Replay(ReplayCommand::Slower), description: "replay slower", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::Left, NONE)], label: "←", action: Action::Replay(ReplayCommand::Seek(-60)), description: "back 1 minute", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::Right, NONE)], label: "→", action: Action::Replay(ReplayCommand::Seek(60)), description: "forward 1 minute", hint: Some("seek"), group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::Left, SHIFT)], label: "S-←", action: Action::Replay(ReplayCommand::Seek(-3600)), description: "back 1 hour", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::Right, SHIFT)], label: "S-→", action: Action::Replay(ReplayCommand::Seek(3600)), description: "forward 1 hour", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[key('n')], label: "n", action: Action::Replay(ReplayCommand::NextAlarm), description: "jump to next alarm", hint: Some("alarm"), group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[key('N')], label: "N", action: Action::Replay(ReplayCommand::PrevAlarm), description: "jump to previous alarm", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::Home, NONE)], label: "Home", action: Action::Replay(ReplayCommand::ToStart), description: "jump to start", hint: None, group: Group::Replay, mode: Mode::Replay },
    Binding { keys: &[special(KeyCode::End, NONE)], label: "End", action: Action::Replay(ReplayCommand::ToEnd), description: "jump to end", hint: None, group: Group::Replay, mode: Mode::Replay },
];

impl Binding {
    /// Whether the binding is live; replay keys only when replaying.
    pub(crate) fn is_live(&self, replaying: bool) -> bool {
        self.mode == Mode::Always || replaying
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        self.keys.iter().any(|k| k.matches(event))
    }
}

impl Key {
    fn matches(self, event: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        let mut held = event.modifiers & relevant;
        if matches!(event.code, KeyCode::Char(_)) {
            held.remove(KeyModifiers::SHIFT);
        }
        self.code == event.code && held == self.mods
    }
}

/// The action bound to a key press, if any (releases and repeats of releases are ignored).
pub(crate) fn action_for(event: &KeyEvent, replaying: bool) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    BINDINGS
        .iter()
        .filter(|b| b.is_live(replaying))
        .find(|b| b.matches(event))
        .map(|b| b.action)
}

/// Footer hints, `(key label, hint)`, in table order.
pub(crate) fn hints(replaying: bool) -> impl Iterator<Item = (&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(move |b| b.is_live(replaying))
        .filter_map(|b| b.hint.map(|h| (b.label, h)))
}

/// Help overlay rows grouped under headings, in table order.
pub(crate) fn help_groups(replaying: bool) -> Vec<(Group, Vec<&'static Binding>)> {
    let mut groups: Vec<(Group, Vec<&'static Binding>)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.is_live(replaying)) {
        match groups.iter_mut().find(|(g, _)| *g == b.group) {
            Some((_, rows)) => rows.push(b),
            None => groups.push((b.group, vec![b])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(
            action_for(&press(KeyCode::Char('q'), NONE), false),
            Some(Action::Quit)
        );
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c, false), Some(Action::Quit));
        assert_eq!(action_for(&press(KeyCode::Char('c'), NONE), false), None);
        assert_eq!(
            action_for(&press(KeyCode::BackTab, SHIFT), false),
            Some(Action::FocusPrev)
        );
        let big_n = press(KeyCode::Char('N'), SHIFT);
        assert_eq!(
            action_for(&big_n, true),
            Some(Action::Replay(ReplayCommand::PrevAlarm))
        );
        let shift_left = press(KeyCode::Left, SHIFT);
        assert_eq!(
            action_for(&shift_left, true),
            Some(Action::Replay(ReplayCommand::Seek(-3600)))
        );
    }

    #[test]
    fn replay_keys_are_dead_when_live() {
        assert_eq!(action_for(&press(KeyCode::Char(' '), NONE), false), None);
        assert!(hints(false).all(|(_, h)| h != "pause"));
        assert!(hints(true).any(|(_, h)| h == "pause"));
        assert!(help_groups(false).iter().all(|(g, _)| *g != Group::Replay));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        let all: Vec<Key> = BINDINGS
            .iter()
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        for (i, k) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(k), "{k:?} bound twice");
        }
    }
}
