//! costtop: a live cost monitor for Claude API usage, in the terminal.
//!
//! Data flows one way: [`sources`] parse input into [`usage::UsageEvent`]s, the
//! [`aggregate`] actor dedupes, prices ([`pricing`]) and rolls them up into a
//! [`aggregate::Snapshot`], and the outputs read snapshots.

pub mod aggregate;
pub mod app;
pub mod budget;
pub mod cli;
pub(crate) mod config;
pub(crate) mod format;
pub(crate) mod listener;
pub mod logging;
pub mod money;
pub mod outputs;
pub mod parse;
pub mod pricing;
pub mod snapshot;
pub mod sources;
pub mod time;
pub mod ui;
pub mod usage;
