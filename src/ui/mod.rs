//! The dashboard: reads `Arc<Snapshot>`s, draws the panes, turns keys into `Control`s.
//!
//! Entry points: [`run_terminal`] owns a real terminal; [`run_app`] is the loop itself,
//! generic over the backend and its inputs so tests can drive it.

pub mod draw;
mod event_loop;
pub mod fixture;
pub mod keymap;
pub mod layout;
mod options;
pub mod panes;
pub mod terminal;
pub mod theme;

#[cfg(test)]
mod tests;

pub use event_loop::run_app;
pub use options::{Bell, Suspend, UiOptions};
pub use terminal::{run_terminal, run_terminal_with_clock};
pub use theme::{Theme, ThemeError, list_themes};
