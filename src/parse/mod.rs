//! Parsers: pure functions from one line's bytes to a usage record. No I/O, no panics.
//!
//! Formats are detected per line (a file may mix them): Claude Code transcripts (with the
//! sub-agent calls copied into them, its own cost lines, and `claude -p --output-format
//! stream-json` output), application usage logs, Message Batches results. Lines that carry no
//! usage are rejected by a byte search before any JSON parsing.

pub(crate) mod api;
mod app_log;
mod batch;
mod claude_code;
mod compaction;
mod cost_state;
mod cursor;
mod fields;
mod json_paths;
mod lenient;
mod parsed;
mod raw;
mod scan;
mod search;
mod skip;
mod sse;
mod times;

use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::de::IgnoredAny;

pub use parsed::{LineContext, ParseError, Parsed};
pub use times::{read_naive_times_as_local, take_naive_times};

use lenient::Obj;
use raw::{RawLine, text};

/// The key every usage-bearing format has (Claude Code, application logs, batch successes).
static USAGE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"usage\""));
/// The key of Message Batches results (errored ones carry no usage but count as requests).
static CUSTOM_ID_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"custom_id\""));
/// The type of Claude Code's own cost lines, which have no `"usage"` key.
static COST_STATE_TYPE: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\"cost-state\""));

/// How far from either end of a line its `type` is looked for: Claude Code writes it first on
/// `cost-state` lines (and a writer that sorts keys, last), so a line that does not name it
/// near an end is not one, and a second search of the whole line is saved on every line.
const TYPE_PREFIX: usize = 256;

/// Longest serde message kept in a [`ParseError`] (they never quote content, but be sure).
const MAX_ERROR_LEN: usize = 160;

/// Whether a line may carry usage: a byte search for the `"usage"` or `"custom_id"` key, or
/// `"cost-state"` among the line's first or last bytes.
///
/// Cheap enough to run on every line; lines failing it are never parsed as JSON.
pub fn looks_like_usage(line: &[u8]) -> bool {
    // Batch results without usage (errored, canceled, expired) are small lines; skipping the
    // second search on large ones halves the cost of the big tool-result lines.
    USAGE_KEY.find(line).is_some()
        || names_cost_state(line)
        || (line.len() <= MAX_USAGE_FREE_BATCH_LINE && CUSTOM_ID_KEY.find(line).is_some())
}

/// Whether `"cost-state"` appears within [`TYPE_PREFIX`] bytes of either end of the line.
fn names_cost_state(line: &[u8]) -> bool {
    let head = &line[..line.len().min(TYPE_PREFIX)];
    let tail = &line[line.len().saturating_sub(TYPE_PREFIX)..];
    COST_STATE_TYPE.find(head).is_some()
        || (line.len() > TYPE_PREFIX && COST_STATE_TYPE.find(tail).is_some())
}

/// Longest batch result without usage worth looking for: an error object is a few hundred
/// bytes; a line this long without `"usage"` is content (a tool result), not a batch result.
const MAX_USAGE_FREE_BATCH_LINE: usize = 64 * 1024;

/// Reads one line (without or with its line terminator) of any supported format.
///
/// Never panics, whatever the bytes. Lines that carry no usage are [`Parsed::NotUsage`]
/// (decided by a byte search first, then by shape); lines that should carry usage but
/// cannot be read are [`Parsed::Invalid`] with a short reason that never quotes the line.
pub fn parse_line(line: &[u8], ctx: &LineContext<'_>) -> Parsed {
    if !looks_like_usage(line) {
        return compaction::boundary(line, ctx).map_or(Parsed::NotUsage, Parsed::Compaction);
    }
    // Fast path: the hand-written reader for the common shapes; it gives up on anything else.
    let mut raw = RawLine::default();
    if scan::scan_line(line, &mut raw).is_some() {
        return dispatch(&raw, ctx);
    }
    parse_with_serde(line, ctx)
}

/// The reference path: serde over the line (without its large content when that can be cut
/// out cleanly). Any error is reported from the original line, so messages and positions
/// are the line's own.
fn parse_with_serde(line: &[u8], ctx: &LineContext<'_>) -> Parsed {
    if let Some(lean) = skip::without_content(line)
        && let Ok(raw) = read(&lean)
    {
        return dispatch(&raw, ctx);
    }
    match read(line) {
        Ok(raw) => dispatch(&raw, ctx),
        Err(error) => Parsed::Invalid(error),
    }
}

/// Deserializes the fields of interest, skipping content.
fn read(line: &[u8]) -> Result<RawLine<'_>, ParseError> {
    if line.trim_ascii_start().first() != Some(&b'{') {
        return Err(match serde_json::from_slice::<IgnoredAny>(line) {
            Ok(_) => ParseError::NotObject,
            Err(error) => ParseError::Json(short(&error)),
        });
    }
    serde_json::from_slice::<RawLine<'_>>(line).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => ParseError::Schema(short(&error)),
        _ => ParseError::Json(short(&error)),
    })
}

/// Picks the format by shape: batch result, Claude Code line (assistant, sub-agent copy,
/// cost figures, stream-json), a recorded estimate, application log.
fn dispatch(raw: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    if let (Some(custom_id), Some(Obj::Map(result))) = (&raw.custom_id, &raw.result) {
        return batch::parse(custom_id, result, ctx);
    }
    match (text(raw.kind.as_ref()), &raw.message) {
        (Some("assistant"), Some(Obj::Map(message))) => {
            return claude_code::parse(raw, message, ctx);
        }
        // Older transcripts wrote assistant records without a top-level type.
        (None, Some(Obj::Map(message))) if text(message.role.as_ref()) == Some("assistant") => {
            return claude_code::parse(raw, message, ctx);
        }
        (Some("progress"), _) => {
            return match &raw.data {
                Some(Obj::Map(data)) => claude_code::parse_progress(raw, data, ctx),
                _ => Parsed::NotUsage,
            };
        }
        (Some("cost-state"), _) => return cost_state::parse(raw, ctx),
        // stream-json's last line: the session's running totals, never a request.
        (Some("result"), _) => return cost_state::parse_result(raw, ctx),
        _ => {}
    }
    if text(raw.record_kind.as_ref()) == Some("estimate") {
        return app_log::parse_estimate(raw, ctx);
    }
    if app_log::matches(raw) {
        return app_log::parse(raw, ctx);
    }
    Parsed::NotUsage
}

/// `serde_json`'s message, cut to a bounded length at a character boundary.
fn short(error: &serde_json::Error) -> String {
    let mut message = error.to_string();
    if message.len() > MAX_ERROR_LEN {
        let mut end = MAX_ERROR_LEN;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

#[cfg(test)]
mod tests;
