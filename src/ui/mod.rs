//! The dashboard: reads `Arc<Snapshot>`s, draws the panes, turns keys into `Control`s.
//!
//! Entry points: [`run_terminal`] owns a real terminal; `event_loop::run_app` is the loop itself,
//! generic over the backend and its inputs so tests can drive it.

mod attached;
pub mod draw;
mod event_loop;
pub mod fixture;
pub(crate) mod keymap;
pub(crate) mod layout;
mod options;
pub(crate) mod panes;
pub(crate) mod terminal;
pub(crate) mod theme;

#[cfg(test)]
mod tests;

pub(crate) use options::Bell;
pub use options::UiOptions;
pub use terminal::run_terminal;
pub(crate) use terminal::run_terminal_with_clock;
pub(crate) use theme::list_themes;
pub use theme::{Theme, ThemeError};
