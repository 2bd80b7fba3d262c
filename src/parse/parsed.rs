//! What one line turned out to be ([`Parsed`]), why it could not be read ([`ParseError`]),
//! and what the parser may know about where it came from ([`LineContext`]).

use chrono::{DateTime, Utc};

use crate::usage::{ToolEstimate, UsageEvent};

/// What one line turned out to be.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per line, moved on at once: boxing would allocate
pub enum Parsed {
    /// A usage record.
    Usage(UsageEvent),
    /// Another tool's own cost figures (Claude Code's `cost-state` lines, the `result` line
    /// of its stream-json output, recorded estimates): a check, never spend.
    Estimates(Vec<ToolEstimate>),
    /// Claude Code's record that a conversation was compacted (at this time): the summary
    /// request was billed, but no transcript line holds it.
    Compaction(DateTime<Utc>),
    /// A well-formed line that carries no usage (user turns, summaries, tool results, …).
    NotUsage,
    /// A line that should have carried usage but could not be read.
    Invalid(ParseError),
}

/// Why a line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, truncated JSON, or binary.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// JSON, but not an object.
    #[error("not a JSON object")]
    NotObject,
    /// An object that mentions usage but lacks a required field or has one of the wrong type.
    #[error("{0}")]
    Schema(String),
}

/// What the parser may need to know about where a line came from.
#[derive(Debug, Clone, Copy)]
pub struct LineContext<'a> {
    /// Time to use for records that carry none (Batch results): the file's modification time.
    pub fallback_time: DateTime<Utc>,
    /// The file's path, for attribution of records that carry none (may be empty).
    pub path: &'a str,
}
