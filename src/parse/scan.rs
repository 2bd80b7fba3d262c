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

use super::search::{find_quote, find_quote_or_backslash};

use super::lenient::{Iterations, Obj, Scalar};
use super::raw::{
    RawCacheCreation, RawEnvelope, RawLine, RawMessage, RawProgress, RawServerToolUse, RawUsage,
};

/// Deepest nesting the fast reader skips; deeper values take the serde path.
const MAX_DEPTH: u32 = 64;

/// A cursor over one line.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, i: 0 }
    }

    /// Whether only whitespace is left.
    fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

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
        let end = find_quote_or_backslash(rest)?;
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
    ///
    /// Stops only at quotes: a quote preceded by an odd run of backslashes is escaped (a run
    /// always starts inside the string, since the opening quote is not a backslash), so
    /// escapes such as `\n` cost nothing.
    fn skip_string(&mut self) -> Option<()> {
        let open = self.i;
        self.i += 1;
        loop {
            self.i += find_quote(self.b.get(self.i..)?)?;
            let backslashes = self.b[open + 1..self.i]
                .iter()
                .rev()
                .take_while(|&&c| c == b'\\')
                .count();
            self.i += 1;
            if backslashes % 2 == 0 {
                return Some(());
            }
        }
    }

    /// Skips any value: strings, nested arrays and objects, literals and numbers.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'[' | b'{' => self.skip_compound(),
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

    /// Skips an array or object, checking that brackets pair up. Nesting is kept as a bit
    /// per level (set: object), so no allocation; deeper than [`MAX_DEPTH`] gives up.
    fn skip_compound(&mut self) -> Option<()> {
        let mut objects: u64 = 0;
        let mut depth = 0_u32;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                c @ (b'[' | b'{') => {
                    if depth == MAX_DEPTH {
                        return None;
                    }
                    objects = (objects << 1) | u64::from(c == b'{');
                    depth += 1;
                }
                c @ (b']' | b'}') => {
                    if depth == 0 || (objects & 1 == 1) != (c == b'}') {
                        return None;
                    }
                    objects >>= 1;
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
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
                let digits = &self.b[start..self.i];
                if digits.len() > 1 && digits[0] == b'0' {
                    return None;
                }
                // Overflow gives up: serde reads such a number as a float.
                let value = digits.iter().try_fold(0_u64, |n, &d| {
                    n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                })?;
                Some(Some(Scalar::Unsigned(value)))
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

    /// An object field read in place into `slot` (records are large: moving them costs
    /// more than reading them): `{…}` filled by `read`, `null` leaves it `None`, other
    /// values make it `NotMap`. A second occurrence gives up, as with [`set`].
    fn object<T: Default>(
        &mut self,
        slot: &mut Option<Obj<T>>,
        read: impl FnOnce(&mut Self, &mut T) -> Option<()>,
    ) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        match self.peek()? {
            b'{' => match slot.insert(Obj::Map(T::default())) {
                Obj::Map(value) => read(self, value),
                Obj::NotMap => None,
            },
            b'n' => self.literal(b"null"),
            _ => {
                self.skip_value()?;
                *slot = Some(Obj::NotMap);
                Some(())
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_ends_at_the_first_quote_after_an_even_run_of_backslashes() {
        for (text, end) in [
            (&br#""abc" x"#[..], 5),
            (br#""a\"b" x"#, 6),
            (br#""a\\" x"#, 5),
            (br#""a\\\"b" x"#, 8),
            (br#""\\\\" x"#, 6),
        ] {
            let mut c = Cursor::new(text);
            c.skip_string().unwrap();
            assert_eq!(c.i, end, "{}", String::from_utf8_lossy(text));
        }
        assert!(Cursor::new(br#""a\""#).skip_string().is_none());
    }
}
