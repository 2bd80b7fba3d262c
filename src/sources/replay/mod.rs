//! Replay: recorded logs played through the aggregator's `State` with event time as the
//! clock, so the screen at replay time T is what the live dashboard would have shown at T.
//!
//! [`Timeline`] loads and merges the records; [`Engine`] is the deterministic core (the state
//! at any T, however T was reached: see its rules); [`Player`] adds speed, pause and jumps;
//! `spawn_player` runs it as a task for the dashboard (`app/replay.rs` is `costtop replay`).

mod boundary;
mod driver;
mod engine;
mod player;
mod timeline;

pub(crate) use driver::spawn_player;
pub use engine::{Engine, EngineOptions};
pub use player::{Player, Speed};
pub use timeline::Timeline;
