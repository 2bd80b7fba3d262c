//! Parsers: pure functions from one line's bytes to a usage record. No I/O, no panics.
//!
//! Formats are detected per line (a file may mix them): Claude Code transcripts,
//! application usage logs, Message Batches results. Lines that carry no usage are rejected
//! by a byte search before any JSON parsing.

mod app_log;
mod batch;
mod claude_code;
mod fields;
mod lenient;
mod raw;
mod scan;
mod search;
mod skip;

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use memchr::memmem::Finder;
use serde::de::IgnoredAny;

use crate::usage::UsageEvent;
use lenient::Obj;
use raw::{RawLine, text};

/// The key every usage-bearing format has (Claude Code, application logs, batch successes).
static USAGE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"usage\""));
/// The key of Message Batches results (errored ones carry no usage but count as requests).
static CUSTOM_ID_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"custom_id\""));

/// Longest serde message kept in a [`ParseError`] (they never quote content, but be sure).
const MAX_ERROR_LEN: usize = 160;

/// Whether a line may carry usage: a byte search for the `"usage"` or `"custom_id"` key.
///
/// Cheap enough to run on every line; lines failing it are never parsed as JSON.
pub fn looks_like_usage(line: &[u8]) -> bool {
    // Batch results without usage (errored, canceled, expired) are small lines; skipping the
    // second search on large ones halves the cost of the big tool-result lines.
    USAGE_KEY.find(line).is_some()
        || (line.len() <= MAX_USAGE_FREE_BATCH_LINE && CUSTOM_ID_KEY.find(line).is_some())
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
        return Parsed::NotUsage;
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

/// Picks the format by shape: batch result, Claude Code assistant line, application log.
fn dispatch(raw: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    if let (Some(custom_id), Some(Obj::Map(result))) = (&raw.custom_id, &raw.result) {
        return batch::parse(custom_id, result, ctx);
    }
    if text(raw.kind.as_ref()) == Some("assistant")
        && let Some(Obj::Map(message)) = &raw.message
    {
        return claude_code::parse(raw, message);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Every fixture line, and variants of the shared Claude Code line, read the same on the
    /// fast path as on the serde path (whenever the fast path takes the line at all).
    #[test]
    fn fast_reader_agrees_with_serde_on_every_fixture_line() {
        let ctx = LineContext {
            fallback_time: Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
            path: "",
        };
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for dir in [root, shared] {
            for entry in walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
            {
                if entry.path().extension().is_some_and(|e| e == "jsonl") {
                    let bytes = std::fs::read(entry.path()).unwrap();
                    lines.extend(bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec));
                }
            }
        }
        let base =
            std::fs::read_to_string(format!("{shared}/claude-code-assistant.jsonl")).unwrap();
        let base = base.trim();
        for (from, to) in [
            ("\"output_tokens\":527", "\"output_tokens\":-5"),
            ("\"output_tokens\":527", "\"output_tokens\":5.5"),
            ("\"output_tokens\":527", "\"output_tokens\":\"527\""),
            ("\"output_tokens\":527", "\"output_tokens\":null"),
            (
                "\"model\":\"claude-sonnet-4-6\"",
                "\"model\":\"claude-\\u0073onnet-4-6\"",
            ),
            ("\"model\":\"claude-sonnet-4-6\"", "\"model\":7"),
            ("\"cwd\":\"/home/me/dev/app\"", "\"cwd\":\"C:\\\\dev\""),
            ("\"usage\":{", "\"usage\":{\"input_tokens\":9,"),
            (
                "\"stop_reason\":\"tool_use\"",
                "\"stop_reason\":\"max_tokens\"",
            ),
            ("\"speed\":\"standard\"", "\"speed\":\"fast\""),
            ("\"inference_geo\":\"\"", "\"inference_geo\":\"us\""),
            (
                "\"cache_creation\":{",
                "\"cache_creation\":{\"x\":[1,{\"y\":\"]\"}],",
            ),
            (
                "\"isSidechain\":false",
                "\"isSidechain\":true,\"agentId\":\"a1\"",
            ),
            ("\"type\":\"assistant\"", "\"type\":\"user\""),
            // Strings ending in escaped backslashes, escaped quotes, brackets in strings.
            (
                "\"command\":\"cargo test\"",
                "\"command\":\"C:\\\\\",\"x\":\"a\\\"]}\\\\\\\"\"",
            ),
            ("\"command\":\"cargo test\"", "\"command\":\"\\\\\\\\\""),
            ("\"command\":\"cargo test\"", "\"command\":\"a\\\"\""),
            // Unbalanced or mismatched brackets in content.
            ("\"caller\":{", "\"caller\":[{"),
            (
                "\"caller\":{\"type\":\"direct\"}",
                "\"caller\":{\"type\":\"direct\"]",
            ),
        ] {
            lines.push(base.replacen(from, to, 1).into_bytes());
        }
        // Nesting beyond the fast reader's depth, and just within it.
        for depth in [63, 64, 65, 200] {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            lines.push(base.replacen("\"cargo test\"", &deep, 1).into_bytes());
        }
        let mut fast = 0;
        for line in &lines {
            if !looks_like_usage(line) {
                continue;
            }
            let mut raw = RawLine::default();
            if scan::scan_line(line, &mut raw).is_some() {
                fast += 1;
                assert_eq!(
                    dispatch(&raw, &ctx),
                    parse_with_serde(line, &ctx),
                    "{}",
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert!(fast >= 20, "the fast path took only {fast} lines");
    }
}
