//! TEMPORARY stand-in for `crate::parse::{parse_line, looks_like_usage}` until branch `parse`
//! lands. Reads just enough of a Claude Code assistant line for the source tests.

use std::sync::Arc;

use serde_json::Value;

use crate::parse::{LineContext, ParseError, Parsed};
use crate::usage::{EventKind, Tokens, UsageEvent, dedupe_key};

/// Cheap pre-check: does the line mention a `"usage"` key?
pub fn looks_like_usage(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"\"usage\"").is_some()
}

/// Parses one Claude Code assistant line.
pub fn parse_line(line: &[u8], ctx: &LineContext<'_>) -> Parsed {
    if !looks_like_usage(line) {
        return Parsed::NotUsage;
    }
    let v: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return Parsed::Invalid(ParseError::Json(e.to_string())),
    };
    let Some(msg) = v.get("message") else {
        return Parsed::Invalid(ParseError::Schema("no message".into()));
    };
    let id = msg.get("id").and_then(Value::as_str).unwrap_or_default();
    let req = v.get("requestId").and_then(Value::as_str).unwrap_or_default();
    let output = msg
        .pointer("/usage/output_tokens")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    let timestamp = v
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(|t| t.parse().ok())
        .unwrap_or(ctx.fallback_time);
    Parsed::Usage(UsageEvent {
        key: Some(dedupe_key(&[id.as_bytes(), req.as_bytes()])),
        rank: output,
        timestamp,
        model: Arc::from(msg.get("model").and_then(Value::as_str).unwrap_or("?")),
        tokens: Tokens {
            output,
            ..Tokens::default()
        },
        tier: crate::usage::Tier::Standard,
        modifiers: crate::usage::Modifiers::default(),
        stop_reason: None,
        kind: EventKind::Request,
        attribution: crate::usage::Attribution::default(),
    })
}
