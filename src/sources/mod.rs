//! Sources: tasks that turn input (files, the Admin API, recordings, the demo) into
//! [`UsageEvent`]s and health reports, sent to the aggregator over a bounded channel.

pub mod admin_api;
pub mod demo;
pub mod discover;
pub mod files;
mod ingest;
pub mod lines;
pub mod replay;
pub mod tail;

pub use discover::{DiscoverError, Discovery, Source, SourceKind, default_locations, discover};
pub use files::{ReadOptions, ReadSummary, read_all};
pub use lines::{LineReader, MAX_LINE_BYTES};
pub use tail::{TailOptions, spawn_tail};

pub use admin_api::BilledCost;

use chrono::{DateTime, Utc};

use crate::usage::UsageEvent;

/// What a source sends to the aggregator.
#[derive(Debug, Clone)]
pub enum SourceMsg {
    /// Parsed usage records, in the order read (batched to keep the channel cheap).
    Events(Vec<UsageEvent>),
    /// The source's current health; cumulative, so the latest replaces earlier ones.
    Health(SourceHealth),
    /// The source has read all history it was asked for and now follows live input.
    CaughtUp {
        /// The source's health name.
        name: String,
    },
    /// What Anthropic billed (Admin API cost report), per day, model and line item.
    Billed(Vec<BilledCost>),
}

/// How a source is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SourceState {
    /// Reading normally.
    #[default]
    Ok,
    /// No new data for longer than expected.
    Stale,
    /// Failing; the reason is shown and the source keeps retrying.
    Error(String),
    /// Finished (one-shot sources: `report`, replay).
    Done,
}

impl SourceState {
    /// The state word used in JSON and on screen.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceState::Ok => "ok",
            SourceState::Stale => "stale",
            SourceState::Error(_) => "error",
            SourceState::Done => "done",
        }
    }
}

/// Cumulative health of one source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceHealth {
    /// Stable name: a path, `stdin`, `admin-api`, `demo`.
    pub name: String,
    /// Current state.
    pub state: SourceState,
    /// Lines (or API buckets) read so far.
    pub lines: u64,
    /// Lines that could not be parsed so far.
    pub parse_errors: u64,
    /// `file:line: reason` of the first parse error.
    pub first_error: Option<String>,
    /// Time of the newest record read.
    pub last_event: Option<DateTime<Utc>>,
    /// Files followed.
    pub files: u64,
}
