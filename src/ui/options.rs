//! What the dashboard is told: theme, colour, bell, alarm flash, shutdown and suspend hooks,
//! and the link when it is attached to another costtop.

use std::fmt;
use std::time::Duration;

use super::theme;
use crate::attach::Link;

/// How a new alarm makes itself heard.
pub(crate) enum Bell {
    /// Silence (`--no-bell`).
    Off,
    /// Write BEL (`\x07`) to standard output, the terminal.
    Terminal,
    /// Call this instead (tests count rings).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the loop's tests count the bells")
    )]
    Custom(Box<dyn FnMut() + Send>),
}

impl Bell {
    /// Rings once.
    pub(crate) fn ring(&mut self) {
        match self {
            Bell::Off => {}
            Bell::Terminal => {
                use std::io::Write;
                let mut out = std::io::stdout();
                // A failed bell is not worth stopping the dashboard for.
                let _ = out.write_all(b"\x07").and_then(|()| out.flush());
            }
            Bell::Custom(f) => f(),
        }
    }
}

impl fmt::Debug for Bell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bell::Off => "Bell::Off",
            Bell::Terminal => "Bell::Terminal",
            Bell::Custom(_) => "Bell::Custom",
        })
    }
}

/// What Ctrl-Z (or a SIGTSTP) does: give the terminal back, stop the process, and set the
/// terminal up again once continued. The real terminal provides it; without one, Ctrl-Z is
/// ignored.
pub(crate) struct Suspend(pub(crate) Box<dyn FnMut() + Send>);

impl fmt::Debug for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Suspend")
    }
}

/// Choices the command line makes for the dashboard.
#[derive(Debug)]
pub struct UiOptions {
    /// Theme name (`--theme`); ignored when `no_color`.
    pub(crate) theme: String,
    /// Use the colourless theme (`NO_COLOR`).
    pub(crate) no_color: bool,
    /// What a new alarm does (`--no-bell` → [`Bell::Off`]).
    pub(crate) bell: Bell,
    /// How long the budgets pane border flashes for a new alarm.
    pub(crate) flash: Duration,
    /// Stops the dashboard when it fires or its sender is dropped (signals, the app's shutdown).
    pub(crate) shutdown: Option<tokio::sync::oneshot::Receiver<()>>,
    /// What Ctrl-Z does (`None`: nothing).
    pub(crate) suspend: Option<Suspend>,
    /// Attached to another costtop (`costtop attach`): how the link stands. Keys that would
    /// change that costtop say so instead.
    pub(crate) link: Option<tokio::sync::watch::Receiver<Link>>,
}

impl Default for UiOptions {
    /// The dark theme (monochrome under `NO_COLOR`), the terminal bell, a 2 s flash.
    fn default() -> UiOptions {
        UiOptions {
            theme: theme::DEFAULT_THEME.to_owned(),
            no_color: theme::no_color_requested(),
            bell: Bell::Terminal,
            flash: Duration::from_secs(2),
            shutdown: None,
            suspend: None,
            link: None,
        }
    }
}
