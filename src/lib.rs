//! costtop: a live cost monitor for Claude API usage, in the terminal.
//!
//! Data flows one way: [`sources`] parse input ([`parse`]) into [`usage::UsageEvent`]s, the
//! [`aggregate`] actor dedupes, prices ([`pricing`]) and rolls them up into a
//! [`snapshot::Snapshot`], and the outputs ([`outputs`], [`ui`], the HTTP listener) read
//! snapshots. [`app`] wires them together for each command of the [`cli`].
//!
//! Modules import downwards only, and no two files import each other
//! (`tests/architecture/` checks it). From the top:
//!
//! - entry: [`app`] (the only place an aggregator is started), [`cli`], `config`;
//! - outputs: `listener`, [`outputs`], [`ui`]; [`attach`] (another costtop's snapshots, for
//!   the dashboard);
//! - [`sources`] (tasks), `history` (the memory: read back as a source, written from the
//!   others) and [`aggregate`] (the one owner of usage state);
//! - pure layers: [`parse`] (bytes → record), [`pricing`] (price table, cost);
//! - vocabulary every layer speaks: [`snapshot`] (the contract outputs read), [`time`]
//!   (windows, zone, periods, the injected clock), [`budget`], [`usage`], [`money`], `format`,
//!   `net` (transport errors in words).

pub mod aggregate;
pub mod app;
pub mod attach;
pub mod budget;
pub mod cli;
pub(crate) mod config;
pub(crate) mod format;
pub(crate) mod history;
pub(crate) mod listener;
pub mod logging;
pub mod money;
pub(crate) mod net;
pub mod outputs;
pub mod parse;
pub mod pricing;
pub mod snapshot;
pub mod sources;
pub mod time;
pub mod ui;
pub mod usage;
