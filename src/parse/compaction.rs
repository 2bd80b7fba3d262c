//! Claude Code's `compact_boundary` lines: the `/compact` summary request is billed but never
//! written to a transcript, which records only that a compaction happened. They carry no
//! usage, so they fail the byte search for `"usage"`; small lines that fail it are searched
//! once more for the subtype, and a match is read for its time.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use memchr::memmem::Finder;
use serde::Deserialize;

use super::lenient::Scalar;
use super::parsed::LineContext;
use super::times;

static SUBTYPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"compact_boundary\""));

/// Longest line searched: a boundary line is a few hundred bytes (its metadata and a short
/// note), so the large lines of tool results and prompts are never searched twice.
const MAX_LINE: usize = 4096;

/// The fields of a boundary line that are read.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Boundary<'a> {
    #[serde(rename = "type")]
    kind: Option<Scalar<'a>>,
    subtype: Option<Scalar<'a>>,
    timestamp: Option<Scalar<'a>>,
}

/// When the compaction a `{"type":"system","subtype":"compact_boundary",…}` line records
/// happened (the fallback time if it names none); `None` for every other line.
pub(crate) fn boundary(line: &[u8], ctx: &LineContext<'_>) -> Option<DateTime<Utc>> {
    if line.len() > MAX_LINE {
        return None;
    }
    SUBTYPE.find(line)?;
    let b: Boundary<'_> = serde_json::from_slice(line).ok()?;
    let named =
        |s: &Option<Scalar<'_>>, want: &str| s.as_ref().and_then(Scalar::as_str) == Some(want);
    if !named(&b.kind, "system") || !named(&b.subtype, "compact_boundary") {
        return None;
    }
    Some(match &b.timestamp {
        Some(t) => times::time(t, "timestamp").ok()?,
        None => ctx.fallback_time,
    })
}
