//! The hot path: a small hand-written reader for the common line shapes (Claude Code
//! assistant lines, plain application-log lines) that fills the same [`RawLine`] serde fills,
//! skipping everything unread (content above all) with fast string-aware scans.
//!
//! It only takes what it fully understands: strings without escapes, non-negative integers,
//! `true`/`false`/`null`, objects and arrays it skips. Anything else — an escape in a field it
//! reads, a negative or fractional number, a duplicate key, `tags`/`metadata`/`response`/
//! `result`, truncation, trailing bytes — returns `None` and the line takes the serde path,
//! which gives the canonical result or error. A test checks both paths agree.

use std::borrow::Cow;

use memchr::memchr2;

use super::lenient::{Obj, Scalar};
use super::raw::{RawCacheCreation, RawLine, RawMessage, RawServerToolUse, RawUsage};

/// A cursor over one line.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// The bytes of a string without escapes; `None` on an escape.
    fn plain_bytes(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..)?;
        let end = memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        self.i += end + 1;
        Some(&rest[..end])
    }

    /// A string without escapes, borrowed; `None` on an escape or bad UTF-8.
    fn plain_string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.plain_bytes()?).ok()
    }

    /// Skips a string whose opening quote is at `i`.
    fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            self.i += memchr2(b'"', b'\\', self.b.get(self.i..)?)?;
            if self.b[self.i] == b'\\' {
                self.i += 2;
            } else {
                self.i += 1;
                return Some(());
            }
        }
    }

    /// Skips any value: strings, nested arrays and objects, literals and numbers.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'[' | b'{' => {
                let mut open: Vec<u8> = Vec::with_capacity(8);
                loop {
                    match *self.b.get(self.i)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'[' => open.push(b']'),
                        b'{' => open.push(b'}'),
                        c @ (b']' | b'}') => {
                            if open.pop()? != c {
                                return None;
                            }
                            if open.is_empty() {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.'))
                {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }

    /// A scalar field as serde's lenient `Option<Scalar>` reads it (`null` → `None`).
    /// The outer `Option` is "give up", the inner one the field's own (absent or null).
    #[allow(clippy::option_option)]
    fn scalar(&mut self) -> Option<Option<Scalar<'a>>> {
        match self.peek()? {
            b'"' => Some(Some(Scalar::Str(Cow::Borrowed(self.plain_string()?)))),
            b'0'..=b'9' => {
                let start = self.i;
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                if self
                    .b
                    .get(self.i)
                    .is_some_and(|c| matches!(c, b'.' | b'e' | b'E'))
                {
                    return None;
                }
                let digits = std::str::from_utf8(&self.b[start..self.i]).ok()?;
                if digits.len() > 1 && digits.starts_with('0') {
                    return None;
                }
                Some(Some(Scalar::Unsigned(digits.parse().ok()?)))
            }
            b't' => self.literal(b"true").map(|()| Some(Scalar::Bool(true))),
            b'f' => self.literal(b"false").map(|()| Some(Scalar::Bool(false))),
            b'n' => self.literal(b"null").map(|()| None),
            b'[' | b'{' => self.skip_value().map(|()| Some(Scalar::Compound)),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// An object field: `{…}` read by `read`, `null` → `None`, other values → `NotMap`.
    #[allow(clippy::option_option)]
    fn object<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<Obj<T>>> {
        match self.peek()? {
            b'{' => read(self).map(|t| Some(Obj::Map(t))),
            b'n' => self.literal(b"null").map(|()| None),
            _ => self.skip_value().map(|()| Some(Obj::NotMap)),
        }
    }

    /// Walks an object's members, handing each key to `member`, which must consume the value
    /// (and returns `None` to give up).
    fn members(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            // Keys are compared as bytes: only values that are kept need UTF-8 checks.
            let key = self.plain_bytes()?;
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// Sets a field once; a second occurrence gives up (serde reports duplicate fields).
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = value;
    Some(())
}

/// Reads a line the fast way, or `None` when the serde path must decide.
pub(crate) fn scan_line(line: &[u8]) -> Option<RawLine<'_>> {
    let mut c = Cursor { b: line, i: 0 };
    let mut raw = RawLine::default();
    c.members(|c, key| match key {
        b"type" => set(&mut raw.kind, c.scalar()?),
        b"message" => set(&mut raw.message, c.object(message)?),
        b"requestId" => set(&mut raw.request_id, c.scalar()?),
        b"timestamp" => set(&mut raw.timestamp, c.scalar()?),
        b"cwd" => set(&mut raw.cwd, c.scalar()?),
        b"sessionId" => set(&mut raw.session_id, c.scalar()?),
        b"gitBranch" => set(&mut raw.git_branch, c.scalar()?),
        b"agentId" => set(&mut raw.agent_id, c.scalar()?),
        b"isSidechain" => set(&mut raw.is_sidechain, c.scalar()?),
        b"usage" => set(&mut raw.usage, c.object(usage)?),
        b"model" => set(&mut raw.model, c.scalar()?),
        b"id" => set(&mut raw.id, c.scalar()?),
        b"stop_reason" => set(&mut raw.stop_reason, c.scalar()?),
        b"service_tier" => set(&mut raw.service_tier, c.scalar()?),
        b"ts" => set(&mut raw.ts, c.scalar()?),
        b"created_at" => set(&mut raw.created_at, c.scalar()?),
        b"custom_id" => set(&mut raw.custom_id, c.scalar()?),
        b"kind" => set(&mut raw.record_kind, c.scalar()?),
        b"rank" => set(&mut raw.rank, c.scalar()?),
        b"context_window" => set(&mut raw.context_window, c.scalar()?),
        // Shapes left to serde.
        b"tags" | b"metadata" | b"response" | b"result" => None,
        _ => c.skip_value(),
    })?;
    c.ws();
    (c.i == line.len()).then_some(raw)
}

fn message<'a>(c: &mut Cursor<'a>) -> Option<RawMessage<'a>> {
    let mut m = RawMessage::default();
    c.members(|c, key| match key {
        b"id" => set(&mut m.id, c.scalar()?),
        b"model" => set(&mut m.model, c.scalar()?),
        b"usage" => set(&mut m.usage, c.object(usage)?),
        b"stop_reason" => set(&mut m.stop_reason, c.scalar()?),
        b"service_tier" => set(&mut m.service_tier, c.scalar()?),
        _ => c.skip_value(),
    })?;
    Some(m)
}

fn usage<'a>(c: &mut Cursor<'a>) -> Option<RawUsage<'a>> {
    let mut u = RawUsage::default();
    c.members(|c, key| match key {
        b"input_tokens" => set(&mut u.input_tokens, c.scalar()?),
        b"cache_creation_input_tokens" => set(&mut u.cache_creation_input_tokens, c.scalar()?),
        b"cache_read_input_tokens" => set(&mut u.cache_read_input_tokens, c.scalar()?),
        b"output_tokens" => set(&mut u.output_tokens, c.scalar()?),
        b"cache_creation" => set(&mut u.cache_creation, c.object(cache_creation)?),
        b"server_tool_use" => set(&mut u.server_tool_use, c.object(server_tool_use)?),
        b"service_tier" => set(&mut u.service_tier, c.scalar()?),
        b"speed" => set(&mut u.speed, c.scalar()?),
        b"inference_geo" => set(&mut u.inference_geo, c.scalar()?),
        _ => c.skip_value(),
    })?;
    Some(u)
}

fn cache_creation<'a>(c: &mut Cursor<'a>) -> Option<RawCacheCreation<'a>> {
    let mut w = RawCacheCreation::default();
    c.members(|c, key| match key {
        b"ephemeral_5m_input_tokens" => set(&mut w.ephemeral_5m_input_tokens, c.scalar()?),
        b"ephemeral_1h_input_tokens" => set(&mut w.ephemeral_1h_input_tokens, c.scalar()?),
        _ => c.skip_value(),
    })?;
    Some(w)
}

fn server_tool_use<'a>(c: &mut Cursor<'a>) -> Option<RawServerToolUse<'a>> {
    let mut s = RawServerToolUse::default();
    c.members(|c, key| match key {
        b"web_search_requests" => set(&mut s.web_search_requests, c.scalar()?),
        _ => c.skip_value(),
    })?;
    Some(s)
}
