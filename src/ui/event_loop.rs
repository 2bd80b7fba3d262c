//! The loop: one `select!` over keys, snapshots, the link (when attached), a 1 Hz clock tick
//! and shutdown; draws only when something visible changed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, MouseButton, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::sync::{oneshot, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::attached::{link_changed, unavailable_when_attached};
use super::draw::{View, render_screen};
use super::keymap::{self, Action};
use super::layout::{Overlay, Pane, Screen, pane_at, shows};
use super::options::{Bell, UiOptions};
use super::panes::savings::next_lever;
use super::panes::title_bar::clock_label;
use super::theme::{Theme, list_themes};
use crate::attach::Link;
use crate::snapshot::{Control, ReplayCommand, Snapshot};
use crate::time::Window;

/// How long a notice stays in place of the key hints.
const NOTICE_FOR: Duration = Duration::from_secs(5);

/// What the next frame must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Redraw {
    /// Nothing changed: no frame.
    Nothing,
    /// Something visible changed.
    Changed,
    /// Clear first and draw everything (the terminal was given back, or resized).
    Whole,
}

/// Dashboard state between frames: what is shown, how, and what the loop must do next.
#[derive(Debug)]
pub(crate) struct App {
    view: View,
    themes: Vec<Theme>,
    theme_index: usize,
    /// The snapshot on screen (held back while frozen).
    shown: Arc<Snapshot>,
    /// The newest snapshot received.
    latest: Arc<Snapshot>,
    seen_alarms: HashSet<String>,
    flash_until: Option<Instant>,
    flash_for: Duration,
    /// When the notice in place of the key hints goes.
    notice_until: Option<Instant>,
    screen: Screen,
    clock_drawn: String,
    redraw: Redraw,
    suspend: bool,
    quit: bool,
    draws: u64,
    bell: Bell,
    controls: UnboundedSender<Control>,
    replay: Option<UnboundedSender<ReplayCommand>>,
}

impl App {
    /// A dashboard showing `first`, themed as `opts` asks; fails if the chosen theme is bad.
    pub(crate) fn new(
        first: Arc<Snapshot>,
        controls: UnboundedSender<Control>,
        replay: Option<UnboundedSender<ReplayCommand>>,
        opts: &mut UiOptions,
    ) -> Result<App, super::ThemeError> {
        let chosen = Theme::select(&opts.theme, opts.no_color)?;
        let mut themes = vec![chosen];
        if !opts.no_color {
            let chosen_name = themes[0].name.clone();
            let others = list_themes().into_iter().filter(|n| *n != chosen_name);
            themes.extend(others.filter_map(|n| Theme::load(&n).ok()));
        }
        let mut app = App {
            view: View::default(),
            themes,
            theme_index: 0,
            shown: Arc::new(Snapshot::default()),
            latest: Arc::new(Snapshot::default()),
            seen_alarms: HashSet::new(),
            flash_until: None,
            flash_for: opts.flash,
            notice_until: None,
            screen: Screen::TooSmall,
            clock_drawn: String::new(),
            redraw: Redraw::Changed,
            suspend: false,
            quit: false,
            draws: 0,
            bell: std::mem::replace(&mut opts.bell, Bell::Off),
            controls,
            replay,
        };
        if let Some(link) = &opts.link {
            app.view.link = Some(link.borrow().clone());
        }
        app.on_snapshot(first);
        app.mark_changed();
        Ok(app)
    }

    fn mark_changed(&mut self) {
        self.redraw = self.redraw.max(Redraw::Changed);
    }

    /// Takes in a newly published snapshot; an unchanged one changes nothing.
    pub(crate) fn on_snapshot(&mut self, snap: Arc<Snapshot>) {
        if Arc::ptr_eq(&snap, &self.latest) || *snap == *self.latest {
            return;
        }
        let mut ring = false;
        for alarm in &snap.alarms {
            if self.seen_alarms.insert(alarm.id.clone()) && !alarm.acknowledged {
                ring = true;
            }
        }
        self.seen_alarms
            .retain(|id| snap.alarms.iter().any(|a| a.id == *id));
        if ring {
            self.bell.ring();
            self.flash_until = Some(Instant::now() + self.flash_for);
            self.view.flash = true;
            self.mark_changed();
        }
        self.latest = snap;
        if !self.view.frozen {
            self.shown = Arc::clone(&self.latest);
            self.mark_changed();
        }
    }

    /// Takes in a new state of the link to the attached costtop.
    pub(crate) fn on_link(&mut self, link: Link) {
        if self.view.link.as_ref() != Some(&link) {
            self.view.link = Some(link);
            self.mark_changed();
        }
    }

    /// Handles one terminal event.
    pub(crate) fn on_event(&mut self, event: &Event) {
        match event {
            Event::Key(key) => {
                if let Some(action) = keymap::action_for(key, self.shown.replay.is_some()) {
                    self.notice(None);
                    self.apply(action);
                    self.mark_changed();
                }
            }
            Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                if let Some(pane) = pane_at(&self.screen, m.column, m.row) {
                    self.view.focus = pane;
                    self.mark_changed();
                }
            }
            Event::Resize(..) => {
                self.redraw = Redraw::Whole;
            }
            _ => {}
        }
    }

    /// The 1 Hz tick: redraw only if the clock text changed or a flash ended.
    pub(crate) fn on_tick(&mut self, now: DateTime<Utc>) {
        if self.clock_text(now) != self.clock_drawn {
            self.mark_changed();
        }
        if self.flash_until.is_some_and(|t| Instant::now() >= t) {
            self.flash_until = None;
            self.view.flash = false;
            self.mark_changed();
        }
        if self.notice_until.is_some_and(|t| Instant::now() >= t) {
            self.notice(None);
            self.mark_changed();
        }
    }

    /// Shows `text` in place of the key hints for a few seconds (`None`: the hints again).
    fn notice(&mut self, text: Option<&str>) {
        self.view.notice = text.map(str::to_owned);
        self.notice_until = text.map(|_| Instant::now() + NOTICE_FOR);
    }

    /// Does what a key asks.
    pub(crate) fn apply(&mut self, action: Action) {
        if self.view.link.is_some()
            && let Some(why) = unavailable_when_attached(action)
        {
            self.notice(Some(why));
            return;
        }
        let v = &mut self.view;
        match action {
            Action::Quit => self.quit = true,
            Action::Suspend => self.suspend = true,
            Action::FocusNext | Action::FocusPrev => {
                // Panes that are not on the screen are skipped.
                for _ in 0..Pane::ALL.len() {
                    v.focus = if action == Action::FocusNext {
                        v.focus.next()
                    } else {
                        v.focus.prev()
                    };
                    let on_screen = shows(&self.screen, v.focus);
                    if v.zoom.is_some() || on_screen || self.screen == Screen::TooSmall {
                        break;
                    }
                }
                if v.zoom.is_some() {
                    v.zoom = Some(v.focus);
                }
            }
            Action::Zoom => {
                v.zoom = if v.zoom.is_some() {
                    None
                } else {
                    Some(v.focus)
                }
            }
            Action::CycleWindow => {
                let current: Window = self.latest.window.name.parse().unwrap_or_default();
                self.send(Control::SetWindow(current.next()));
            }
            Action::CycleGroup => {
                v.group_index = (v.group_index + 1) % self.shown.groups.len().max(1);
            }
            Action::Acknowledge => {
                self.flash_until = None;
                v.flash = false;
                self.send(Control::AcknowledgeAlarms);
            }
            Action::Freeze => {
                v.frozen = !v.frozen;
                if !v.frozen {
                    self.shown = Arc::clone(&self.latest);
                }
            }
            Action::CycleTheme => self.theme_index = (self.theme_index + 1) % self.themes.len(),
            Action::ToggleModelOutput => v.output = v.output.toggled(),
            Action::ToggleSavings => {
                v.savings_in_top = !v.savings_in_top;
                if v.savings_in_top {
                    v.focus = Pane::Savings;
                } else if v.focus == Pane::Savings && !shows(&self.screen, Pane::Savings) {
                    v.focus = Pane::Top;
                }
            }
            Action::CycleLever => v.savings_lever = next_lever(v.savings_lever),
            Action::Help => {
                v.overlay = if v.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                }
            }
            Action::Close => {
                if v.overlay == Overlay::None {
                    v.zoom = None;
                }
                v.overlay = Overlay::None;
            }
            Action::Replay(cmd) => {
                if let Some(tx) = &self.replay {
                    // The replay source may have finished; nothing to tell it then.
                    let _ = tx.send(cmd);
                }
            }
        }
    }

    fn send(&self, control: Control) {
        if self.controls.send(control).is_err() {
            tracing::debug!(?control, "aggregator gone; control dropped");
        }
    }

    fn clock_text(&self, now: DateTime<Utc>) -> String {
        let t = if self.shown.replay.is_some() {
            self.shown.as_of
        } else {
            now
        };
        clock_label(&self.shown, t)
    }

    /// Draws a frame if anything changed since the last one.
    pub(crate) fn draw_if_dirty<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        now: DateTime<Utc>,
    ) -> Result<(), B::Error> {
        match std::mem::replace(&mut self.redraw, Redraw::Nothing) {
            Redraw::Nothing => return Ok(()),
            Redraw::Changed => {}
            Redraw::Whole => terminal.clear()?,
        }
        let snap = Arc::clone(&self.shown);
        let theme = &self.themes[self.theme_index];
        let mut screen = Screen::TooSmall;
        terminal.draw(|frame| screen = render_screen(frame, &snap, &self.view, theme, now))?;
        self.screen = screen;
        self.clock_drawn = self.clock_text(now);
        self.draws += 1;
        Ok(())
    }
}

/// Runs the dashboard until `q`, Ctrl-C, the end of `events`, or `opts.shutdown`.
///
/// `events` carries terminal events (a reader thread in production, the test itself in tests);
/// `clock` gives wall time for the live clock and source lag.
pub(crate) async fn run_app<B: Backend>(
    terminal: &mut Terminal<B>,
    mut events: Receiver<Event>,
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    controls: UnboundedSender<Control>,
    replay: Option<UnboundedSender<ReplayCommand>>,
    clock: impl Fn() -> DateTime<Utc>,
    mut opts: UiOptions,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let first = Arc::clone(&snapshots.borrow_and_update());
    let mut app = App::new(first, controls, replay, &mut opts)?;
    let mut shutdown = opts.shutdown.take();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut publisher_alive = true;
    let mut link = opts.link.take();
    loop {
        if app.quit {
            break;
        }
        if std::mem::take(&mut app.suspend)
            && let Some(suspend) = opts.suspend.as_mut()
        {
            (suspend.0)();
            // Back from `fg`: whatever the shell left on the screen is drawn over whole.
            app.redraw = Redraw::Whole;
        }
        app.draw_if_dirty(terminal, clock())?;
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                app.on_event(&event);
                // Drain a burst (a paste, a held key) before drawing once.
                while let Ok(event) = events.try_recv() {
                    app.on_event(&event);
                }
            }
            changed = snapshots.changed(), if publisher_alive => match changed {
                // Clone the Arc out so the borrow is released before drawing.
                Ok(()) => app.on_snapshot(Arc::clone(&snapshots.borrow_and_update())),
                // The aggregator stopped: keep showing its last picture.
                Err(_) => publisher_alive = false,
            },
            changed = link_changed(&mut link) => match changed {
                Some(state) => app.on_link(state),
                None => link = None,
            },
            _ = tick.tick() => app.on_tick(clock()),
            () = shutdown_signal(&mut shutdown) => break,
        }
    }
    Ok(())
}

async fn shutdown_signal(rx: &mut Option<oneshot::Receiver<()>>) {
    match rx {
        // A dropped sender means shutdown too.
        Some(rx) => {
            let _ = rx.await;
        }
        None => std::future::pending().await,
    }
}
