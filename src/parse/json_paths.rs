//! An incremental JSON scanner: a body arrives in chunks of any size, and the values at a few
//! paths are captured (each up to a bound) or their ends reported, in memory that does not
//! grow with the body. What the proxy reads from the bodies it forwards without holding them.
//!
//! It is a lexer, not a validator: it tracks strings, nesting and member names, enough to
//! know where each value starts and ends. Input that cannot be JSON is reported once as
//! [`Found::Malformed`]; in lines mode (JSON Lines) the scanner then skips to the next line.

use memchr::memchr2;

/// One step of a path: an object member by name, or any element of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The member with this name.
    Key(&'static str),
    /// Every element of an array.
    Each,
}

/// A path of interest, and whether its values are captured or only their ends reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// From the document's root; empty: the document itself.
    pub(crate) path: &'static [Step],
    /// Capture the value's bytes (else report only its end).
    pub(crate) capture: bool,
}

/// What the scanner reports, in document order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// A captured value, as written (strings with their quotes and escapes).
    Value {
        /// Index of the target.
        target: usize,
        /// The value's bytes.
        bytes: &'a [u8],
    },
    /// A value to capture that was longer than the bound: its bytes were dropped.
    TooLong {
        /// Index of the target.
        target: usize,
    },
    /// A value at the path of a target that is not captured ended.
    End {
        /// Index of the target.
        target: usize,
    },
    /// Bytes that cannot be JSON here.
    Malformed,
}

/// Longest member name compared with the targets' (longer names match none).
const MAX_KEY: usize = 64;
/// Deepest nesting followed; deeper input is reported as malformed.
const MAX_DEPTH: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Before a value.
    Value,
    /// After `[`: a value or `]`.
    ValueOrClose,
    /// After a value: `,`, the container's close, or (at the root) the next document.
    After,
    /// After `{`: a member name or `}`.
    KeyOrClose,
    /// After `,` in an object: a member name.
    Key,
    /// After a member name: `:`.
    Colon,
    /// In a string (a member name when `key`).
    Str { key: bool, escape: bool },
    /// In a number or a literal.
    Bare,
    /// Past malformed input: skipping (to the next line in lines mode).
    Broken,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    object: bool,
    /// Targets whose path goes on below this container.
    below: u32,
    /// Targets whose path ends at this container.
    here: u32,
    /// In an object: the targets the member being read matches.
    member: u32,
}

/// The scanner's state between chunks.
#[derive(Debug)]
pub(crate) struct PathScanner {
    targets: &'static [Target],
    lines: bool,
    limit: usize,
    lex: Lex,
    stack: Vec<Frame>,
    /// Targets the value about to start matches.
    pending: u32,
    /// Targets a scalar being read ends (reported at its end).
    scalar_here: u32,
    /// The literal being read (`true`, `false`, `null`) and how much of it was read.
    literal: Option<(&'static [u8], usize)>,
    key: [u8; MAX_KEY],
    key_len: usize,
    key_long: bool,
    /// The target being captured and the depth of its value.
    capture: Option<(usize, usize)>,
    buf: Vec<u8>,
    overflow: bool,
}

impl PathScanner {
    /// A scanner for `targets` (at most 32) capturing at most `limit` bytes per value; `lines`:
    /// the input is JSON Lines (a malformed line is skipped, not the rest of the input).
    pub(crate) fn new(targets: &'static [Target], limit: usize, lines: bool) -> PathScanner {
        debug_assert!(targets.len() <= 32);
        PathScanner {
            targets,
            lines,
            limit,
            lex: Lex::Value,
            stack: Vec::new(),
            pending: all(targets.len()),
            scalar_here: 0,
            literal: None,
            key: [0; MAX_KEY],
            key_len: 0,
            key_long: false,
            capture: None,
            buf: Vec::new(),
            overflow: false,
        }
    }

    /// Whether the input so far ends between documents (a whole value was read, nothing
    /// broken, no value open).
    pub(crate) fn at_rest(&self) -> bool {
        self.stack.is_empty() && matches!(self.lex, Lex::After | Lex::Value)
    }

    /// Reads one chunk, reporting what it finds to `found`.
    pub(crate) fn feed(&mut self, chunk: &[u8], found: &mut impl FnMut(Found<'_>)) {
        let mut i = 0;
        // Where the active capture's bytes start in this chunk.
        let mut from = 0;
        while i < chunk.len() {
            let b = chunk[i];
            match self.lex {
                Lex::Str { key, escape } => {
                    if escape {
                        self.lex = Lex::Str { key, escape: false };
                        self.push_key(&chunk[i..=i], key);
                        i += 1;
                        continue;
                    }
                    let Some(at) = memchr2(b'"', b'\\', &chunk[i..]) else {
                        self.push_key(&chunk[i..], key);
                        i = chunk.len();
                        continue;
                    };
                    self.push_key(&chunk[i..i + at], key);
                    i += at;
                    if chunk[i] == b'\\' {
                        self.push_key(&chunk[i..=i], key);
                        self.lex = Lex::Str { key, escape: true };
                    } else if key {
                        self.end_key();
                    } else {
                        self.end_value(self.scalar_here, chunk, &mut from, i + 1, found);
                    }
                    i += 1;
                }
                Lex::Bare => {
                    if is_delimiter(b) {
                        if self.literal.is_some_and(|(word, at)| at != word.len()) {
                            self.break_off(found);
                        } else {
                            self.end_value(self.scalar_here, chunk, &mut from, i, found);
                        }
                        // The delimiter is read again after the value.
                    } else if self.bare_byte(b) {
                        i += 1;
                    } else {
                        self.break_off(found);
                    }
                }
                Lex::Broken => {
                    if self.lines && b == b'\n' {
                        self.reset();
                    }
                    i += 1;
                }
                _ if b.is_ascii_whitespace() => i += 1,
                Lex::Value | Lex::ValueOrClose => {
                    if b == b']' && self.lex == Lex::ValueOrClose {
                        self.close(false, chunk, &mut from, i, found);
                    } else {
                        self.start_value(b, i, &mut from, found);
                    }
                    i += 1;
                }
                Lex::KeyOrClose | Lex::Key => {
                    match b {
                        b'"' => {
                            self.key_len = 0;
                            self.key_long = false;
                            self.lex = Lex::Str {
                                key: true,
                                escape: false,
                            };
                        }
                        b'}' if self.lex == Lex::KeyOrClose => {
                            self.close(true, chunk, &mut from, i, found);
                        }
                        _ => self.break_off(found),
                    }
                    i += 1;
                }
                Lex::Colon => {
                    if b == b':' {
                        self.pending = self.stack.last().map_or(0, |f| f.member);
                        self.lex = Lex::Value;
                    } else {
                        self.break_off(found);
                    }
                    i += 1;
                }
                Lex::After => {
                    match (b, self.stack.last().map(|f| f.object)) {
                        (b',', Some(true)) => self.lex = Lex::Key,
                        (b',', Some(false)) => {
                            self.pending = self.elements();
                            self.lex = Lex::Value;
                        }
                        (b'}', Some(true)) => self.close(true, chunk, &mut from, i, found),
                        (b']', Some(false)) => self.close(false, chunk, &mut from, i, found),
                        // The next document of a stream of them.
                        (_, None) => {
                            self.pending = all(self.targets.len());
                            self.start_value(b, i, &mut from, found);
                        }
                        _ => self.break_off(found),
                    }
                    i += 1;
                }
            }
        }
        if self.capture.is_some() && !self.overflow {
            self.keep(&chunk[from..]);
        }
    }

    /// Starts the value whose first byte is `b` at `i`.
    fn start_value(
        &mut self,
        b: u8,
        i: usize,
        from: &mut usize,
        found: &mut impl FnMut(Found<'_>),
    ) {
        let depth = self.stack.len();
        let (here, below) = self.split(self.pending, depth);
        if self.capture.is_none()
            && let Some(t) = first(here & self.captured())
        {
            self.capture = Some((t, depth));
            self.buf.clear();
            self.overflow = false;
            *from = i;
        }
        // Nothing inside a captured value is looked for: it is captured whole.
        let below = if self.capture.is_some() { 0 } else { below };
        match b {
            b'{' | b'[' => {
                if self.stack.len() >= MAX_DEPTH {
                    self.break_off(found);
                    return;
                }
                let object = b == b'{';
                self.stack.push(Frame {
                    object,
                    below,
                    here,
                    member: 0,
                });
                if object {
                    self.lex = Lex::KeyOrClose;
                } else {
                    self.pending = self.elements();
                    self.lex = Lex::ValueOrClose;
                }
            }
            b'"' => {
                self.scalar_here = here;
                self.lex = Lex::Str {
                    key: false,
                    escape: false,
                };
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                self.scalar_here = here;
                self.literal = match b {
                    b't' => Some((b"true".as_slice(), 1)),
                    b'f' => Some((b"false".as_slice(), 1)),
                    b'n' => Some((b"null".as_slice(), 1)),
                    _ => None,
                };
                self.lex = Lex::Bare;
            }
            _ => self.break_off(found),
        }
    }

    /// Closes the innermost container at `i` (its `}` or `]`).
    fn close(
        &mut self,
        object: bool,
        chunk: &[u8],
        from: &mut usize,
        i: usize,
        found: &mut impl FnMut(Found<'_>),
    ) {
        match self.stack.pop() {
            Some(frame) if frame.object == object => {
                self.end_value(frame.here, chunk, from, i + 1, found);
            }
            _ => self.break_off(found),
        }
    }

    /// A value at the current depth ended just before `end`: finish its capture, report the
    /// ends of the targets it matched.
    fn end_value(
        &mut self,
        here: u32,
        chunk: &[u8],
        from: &mut usize,
        end: usize,
        found: &mut impl FnMut(Found<'_>),
    ) {
        self.lex = Lex::After;
        let depth = self.stack.len();
        if let Some((target, at)) = self.capture
            && at == depth
        {
            if !self.overflow {
                self.keep(&chunk[*from..end]);
            }
            if self.overflow {
                found(Found::TooLong { target });
            } else {
                found(Found::Value {
                    target,
                    bytes: &self.buf,
                });
            }
            self.capture = None;
            self.buf.clear();
        }
        let mut rest = here & !self.captured();
        while let Some(t) = first(rest) {
            found(Found::End { target: t });
            rest &= !(1 << t);
        }
    }

    /// Whether `b` may continue the number or literal being read.
    fn bare_byte(&mut self, b: u8) -> bool {
        match &mut self.literal {
            Some((word, at)) => {
                let ok = word.get(*at) == Some(&b);
                *at += 1;
                ok
            }
            None => matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E'),
        }
    }

    /// Appends captured bytes, or drops the capture once it passes the limit.
    fn keep(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > self.limit {
            self.overflow = true;
            self.buf = Vec::new();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn push_key(&mut self, bytes: &[u8], key: bool) {
        if !key || self.key_long {
            return;
        }
        if self.key_len + bytes.len() > MAX_KEY {
            self.key_long = true;
        } else {
            self.key[self.key_len..self.key_len + bytes.len()].copy_from_slice(bytes);
            self.key_len += bytes.len();
        }
    }

    /// A member name was read: the targets its value matches.
    fn end_key(&mut self) {
        let depth = self.stack.len() - 1;
        let name = &self.key[..self.key_len];
        let mut member = 0;
        if let Some(frame) = self.stack.last() {
            let mut rest = frame.below;
            while let Some(t) = first(rest) {
                rest &= !(1 << t);
                if !self.key_long
                    && matches!(self.targets[t].path.get(depth), Some(Step::Key(k)) if k.as_bytes() == name)
                {
                    member |= 1 << t;
                }
            }
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.member = member;
        }
        self.lex = Lex::Colon;
    }

    /// The targets an element of the innermost array matches.
    fn elements(&self) -> u32 {
        let Some(frame) = self.stack.last() else {
            return 0;
        };
        let depth = self.stack.len() - 1;
        let mut out = 0;
        let mut rest = frame.below;
        while let Some(t) = first(rest) {
            rest &= !(1 << t);
            if self.targets[t].path.get(depth) == Some(&Step::Each) {
                out |= 1 << t;
            }
        }
        out
    }

    /// Splits matching targets into those ending at `depth` and those going on below it.
    fn split(&self, mask: u32, depth: usize) -> (u32, u32) {
        let (mut here, mut below) = (0, 0);
        let mut rest = mask;
        while let Some(t) = first(rest) {
            rest &= !(1 << t);
            match self.targets[t].path.len() {
                n if n == depth => here |= 1 << t,
                n if n > depth => below |= 1 << t,
                _ => {}
            }
        }
        (here, below)
    }

    fn captured(&self) -> u32 {
        self.targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.capture)
            .fold(0, |m, (i, _)| m | (1 << i))
    }

    fn break_off(&mut self, found: &mut impl FnMut(Found<'_>)) {
        found(Found::Malformed);
        self.lex = Lex::Broken;
    }

    /// Back to the start of a document (lines mode, after a malformed line).
    fn reset(&mut self) {
        self.stack.clear();
        self.capture = None;
        self.buf.clear();
        self.overflow = false;
        self.pending = all(self.targets.len());
        self.lex = Lex::Value;
    }
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace()
}

fn all(n: usize) -> u32 {
    if n >= 32 { u32::MAX } else { (1u32 << n) - 1 }
}

fn first(mask: u32) -> Option<usize> {
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[Target] = &[
        Target {
            path: &[Step::Key("id")],
            capture: true,
        },
        Target {
            path: &[Step::Key("usage")],
            capture: true,
        },
        Target {
            path: &[],
            capture: false,
        },
    ];

    const BATCH: &[Target] = &[
        Target {
            path: &[Step::Key("requests"), Step::Each, Step::Key("custom_id")],
            capture: true,
        },
        Target {
            path: &[
                Step::Key("requests"),
                Step::Each,
                Step::Key("params"),
                Step::Key("metadata"),
                Step::Key("user_id"),
            ],
            capture: true,
        },
        Target {
            path: &[Step::Key("requests"), Step::Each],
            capture: false,
        },
    ];

    /// What scanning `input` in chunks of `size` reports, as text.
    fn scan(targets: &'static [Target], input: &[u8], size: usize, lines: bool) -> Vec<String> {
        let mut scanner = PathScanner::new(targets, 64, lines);
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            scanner.feed(chunk, &mut |f| {
                out.push(match f {
                    Found::Value { target, bytes } => {
                        format!("{target}={}", String::from_utf8_lossy(bytes))
                    }
                    Found::TooLong { target } => format!("{target} too long"),
                    Found::End { target } => format!("{target} end"),
                    Found::Malformed => "malformed".to_owned(),
                });
            });
        }
        out
    }

    #[test]
    fn captures_top_level_members_whatever_the_chunking() {
        let body = br#"{"content":[{"type":"text","text":"a \"usage\": {} ]"}],"id" : "msg_1","usage":{"input_tokens":3,"nested":{"x":[1,2]}},"n":-1.5e3,"t":true}"#;
        let want = vec![
            "0=\"msg_1\"".to_owned(),
            r#"1={"input_tokens":3,"nested":{"x":[1,2]}}"#.to_owned(),
            "2 end".to_owned(),
        ];
        for size in [1, 2, 3, 7, 64, body.len()] {
            assert_eq!(scan(MESSAGE, body, size, false), want, "chunks of {size}");
        }
    }

    #[test]
    fn array_elements_are_told_apart() {
        let body = br#"{"requests":[{"custom_id":"a","params":{"metadata":{"user_id":"u1"}}},{"params":{"model":"m"},"custom_id":"b"}]}"#;
        assert_eq!(
            scan(BATCH, body, 5, false),
            ["0=\"a\"", "1=\"u1\"", "2 end", "0=\"b\"", "2 end"]
        );
    }

    #[test]
    fn values_over_the_limit_are_reported_too_long() {
        let body = format!(r#"{{"id":"{}","usage":{{}}}}"#, "x".repeat(100));
        assert_eq!(
            scan(MESSAGE, body.as_bytes(), 9, false),
            ["0 too long", "1={}", "2 end"]
        );
    }

    #[test]
    fn lines_mode_skips_a_broken_line_and_reads_the_next() {
        let body = b"{\"id\":1}\n{\"id\" 2}\n{\"id\":\"3\"}\n";
        assert_eq!(
            scan(MESSAGE, body, 4, true),
            ["0=1", "2 end", "malformed", "0=\"3\"", "2 end"]
        );
        // Without lines mode, the rest is not read.
        assert_eq!(scan(MESSAGE, body, 4, false), ["0=1", "2 end", "malformed"]);
    }

    #[test]
    fn mismatched_and_stray_bytes_are_malformed_and_never_panic() {
        for body in [
            &b"{]"[..],
            b"]",
            b"{\"a\":}",
            b"{\"a\" 1}",
            b"[1 2]",
            b"@",
            b"{,}",
            b"not json",
            b"[nul]",
            b"[1x]",
        ] {
            assert!(
                scan(MESSAGE, body, 1, false).contains(&"malformed".to_owned()),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_document_is_at_rest_only_when_whole() {
        let mut s = PathScanner::new(MESSAGE, 64, false);
        s.feed(br#"{"id":"#, &mut |_| {});
        assert!(!s.at_rest());
        s.feed(br#""m"}"#, &mut |_| {});
        assert!(s.at_rest());
    }

    #[test]
    fn deep_nesting_is_refused_not_followed_forever() {
        let body = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(scan(MESSAGE, body.as_bytes(), 100, false), ["malformed"]);
    }
}
