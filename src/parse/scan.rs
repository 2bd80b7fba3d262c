//! The hot path: a small hand-written reader for the common line shapes (Claude Code
//! assistant lines, plain application-log lines) that fills the same [`RawLine`] serde fills,
//! skipping everything unread (content above all) with fast string-aware scans.
//!
//! It only takes what it fully understands: strings without escapes, non-negative integers,
//! `true`/`false`/`null`, objects and arrays it skips. Anything else — an escape in a field it
//! reads, a negative or fractional number, a duplicate key, `tags`/`metadata`/`response`/
//! `result`, truncation, trailing bytes — returns `None` and the line takes the serde path,
//! which gives the canonical result or error. A test checks both paths agree.
//!
//! Sub-agent calls copied into `progress` lines are read the same way: `data.message` and
//! `data.agentId` only, never the large `normalizedMessages` and `prompt` beside them.

use super::cursor::Cursor;
use super::raw::Iterations;
use super::raw::{
    RawCacheCreation, RawEnvelope, RawLine, RawMessage, RawProgress, RawServerToolUse, RawUsage,
};

/// Sets a field once; a second occurrence gives up (serde reports duplicate fields).
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = value;
    Some(())
}

/// Reads a line the fast way into `raw` (which must start empty); `None` when the serde
/// path must decide (`raw` then holds a partial read and must be dropped).
pub(crate) fn scan_line<'a>(line: &'a [u8], raw: &mut RawLine<'a>) -> Option<()> {
    let mut c = Cursor::new(line);
    c.members(|c, key| top_member(c, raw, key))?;
    c.at_end().then_some(())
}

/// Reads the value of one top-level member into `raw` (skipping keys no format reads).
fn top_member<'a>(c: &mut Cursor<'a>, raw: &mut RawLine<'a>, key: &[u8]) -> Option<()> {
    match key {
        b"type" => set(&mut raw.kind, c.scalar()?),
        b"message" => c.object(&mut raw.message, message),
        b"requestId" => set(&mut raw.request_id, c.scalar()?),
        b"timestamp" => set(&mut raw.timestamp, c.scalar()?),
        b"cwd" => set(&mut raw.cwd, c.scalar()?),
        b"sessionId" => set(&mut raw.session_id, c.scalar()?),
        b"gitBranch" => set(&mut raw.git_branch, c.scalar()?),
        b"agentId" => set(&mut raw.agent_id, c.scalar()?),
        b"isSidechain" => set(&mut raw.is_sidechain, c.scalar()?),
        b"isApiErrorMessage" => set(&mut raw.is_api_error, c.scalar()?),
        b"costUSD" => set(&mut raw.cost_usd, c.scalar()?),
        b"data" => c.object(&mut raw.data, progress),
        b"session_id" => set(&mut raw.stream_session_id, c.scalar()?),
        b"parent_tool_use_id" => set(&mut raw.parent_tool_use_id, c.scalar()?),
        b"totalCostUSD" => set(&mut raw.total_cost, c.scalar()?),
        b"total_cost_usd" => set(&mut raw.total_cost_usd, c.scalar()?),
        b"usage" => c.object(&mut raw.usage, usage),
        b"model" => set(&mut raw.model, c.scalar()?),
        b"id" => set(&mut raw.id, c.scalar()?),
        b"request_id" => set(&mut raw.request_id_snake, c.scalar()?),
        b"stop_reason" => set(&mut raw.stop_reason, c.scalar()?),
        b"service_tier" => set(&mut raw.service_tier, c.scalar()?),
        b"ts" => set(&mut raw.ts, c.scalar()?),
        b"created_at" => set(&mut raw.created_at, c.scalar()?),
        b"custom_id" => set(&mut raw.custom_id, c.scalar()?),
        b"kind" => set(&mut raw.record_kind, c.scalar()?),
        b"rank" => set(&mut raw.rank, c.scalar()?),
        b"context_window" => set(&mut raw.context_window, c.scalar()?),
        b"estimate_usd" => set(&mut raw.estimate_usd, c.scalar()?),
        b"origin" => set(&mut raw.origin, c.scalar()?),
        b"cumulative" => set(&mut raw.cumulative, c.scalar()?),
        b"requests" => set(&mut raw.requests, c.scalar()?),
        // Shapes left to serde.
        b"tags" | b"metadata" | b"response" | b"result" | b"modelUsage" => None,
        _ => c.skip_value(),
    }
}

/// `data` of a `progress` line: only the embedded message and the agent are read; the
/// large rest (`normalizedMessages`, `prompt`) is skipped.
fn progress<'a>(c: &mut Cursor<'a>, p: &mut RawProgress<'a>) -> Option<()> {
    c.members(|c, key| match key {
        b"message" => c.object(&mut p.message, envelope),
        b"agentId" => set(&mut p.agent_id, c.scalar()?),
        _ => c.skip_value(),
    })
}

/// `data.message` of a `progress` line.
fn envelope<'a>(c: &mut Cursor<'a>, e: &mut RawEnvelope<'a>) -> Option<()> {
    c.members(|c, key| match key {
        b"type" => set(&mut e.kind, c.scalar()?),
        b"timestamp" => set(&mut e.timestamp, c.scalar()?),
        b"requestId" => set(&mut e.request_id, c.scalar()?),
        b"message" => c.object(&mut e.message, message),
        _ => c.skip_value(),
    })
}

fn message<'a>(c: &mut Cursor<'a>, m: &mut RawMessage<'a>) -> Option<()> {
    c.members(|c, key| message_member(c, m, key))
}

/// Reads the value of one member of a message into `m`.
fn message_member<'a>(c: &mut Cursor<'a>, m: &mut RawMessage<'a>, key: &[u8]) -> Option<()> {
    match key {
        b"id" => set(&mut m.id, c.scalar()?),
        b"role" => set(&mut m.role, c.scalar()?),
        b"model" => set(&mut m.model, c.scalar()?),
        b"usage" => c.object(&mut m.usage, usage),
        b"stop_reason" => set(&mut m.stop_reason, c.scalar()?),
        b"service_tier" => set(&mut m.service_tier, c.scalar()?),
        _ => c.skip_value(),
    }
}

fn usage<'a>(c: &mut Cursor<'a>, u: &mut RawUsage<'a>) -> Option<()> {
    c.members(|c, key| match key {
        b"iterations" => iterations(c, &mut u.iterations),
        _ => usage_member(c, u, key),
    })
}

/// `usage.iterations`: each entry is read in place on the stack and kept only when it is not
/// a `message` entry, so the common one-entry list allocates nothing. Anything but a list of
/// objects (and nested iterations) is left to serde.
fn iterations<'a>(c: &mut Cursor<'a>, slot: &mut Option<Iterations<'a>>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    if c.peek()? == b'n' {
        return c.literal(b"null");
    }
    let list = slot.insert(Iterations::default());
    c.eat(b'[')?;
    if c.peek()? == b']' {
        c.i += 1;
        return Some(());
    }
    loop {
        let mut entry = RawUsage::default();
        c.members(|c, key| match key {
            b"iterations" => None,
            _ => usage_member(c, &mut entry, key),
        })?;
        list.offer(entry);
        match c.peek()? {
            b',' => c.i += 1,
            b']' => {
                c.i += 1;
                return Some(());
            }
            _ => return None,
        }
    }
}

/// Reads one member of a usage object (or of an iteration entry) into `u`.
fn usage_member<'a>(c: &mut Cursor<'a>, u: &mut RawUsage<'a>, key: &[u8]) -> Option<()> {
    match key {
        b"type" => set(&mut u.kind, c.scalar()?),
        b"model" => set(&mut u.model, c.scalar()?),
        b"input_tokens" => set(&mut u.input_tokens, c.scalar()?),
        b"cache_creation_input_tokens" => set(&mut u.cache_creation_input_tokens, c.scalar()?),
        b"cache_read_input_tokens" => set(&mut u.cache_read_input_tokens, c.scalar()?),
        b"output_tokens" => set(&mut u.output_tokens, c.scalar()?),
        b"cache_creation" => c.object(&mut u.cache_creation, cache_creation),
        b"server_tool_use" => c.object(&mut u.server_tool_use, server_tool_use),
        b"service_tier" => set(&mut u.service_tier, c.scalar()?),
        b"speed" => set(&mut u.speed, c.scalar()?),
        b"inference_geo" => set(&mut u.inference_geo, c.scalar()?),
        _ => c.skip_value(),
    }
}

fn cache_creation<'a>(c: &mut Cursor<'a>, w: &mut RawCacheCreation<'a>) -> Option<()> {
    c.members(|c, key| match key {
        b"ephemeral_5m_input_tokens" => set(&mut w.ephemeral_5m_input_tokens, c.scalar()?),
        b"ephemeral_1h_input_tokens" => set(&mut w.ephemeral_1h_input_tokens, c.scalar()?),
        _ => c.skip_value(),
    })
}

fn server_tool_use<'a>(c: &mut Cursor<'a>, s: &mut RawServerToolUse<'a>) -> Option<()> {
    c.members(|c, key| match key {
        b"web_search_requests" => set(&mut s.web_search_requests, c.scalar()?),
        _ => c.skip_value(),
    })
}
