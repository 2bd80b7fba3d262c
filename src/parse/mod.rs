//! Parsers: pure functions from one line's bytes to a usage record. No I/O, no panics.
//!
//! Formats are detected per line (a file may mix them): Claude Code transcripts,
//! application usage logs, Message Batches results. Lines that carry no usage are rejected
//! by a byte search before any JSON parsing.

use chrono::{DateTime, Utc};

use crate::usage::UsageEvent;

/// What one line turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A usage record.
    Usage(UsageEvent),
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
