//! The fast reader's cursor over one line: strings without escapes, plain numbers and
//! literals read in place, and any other value skipped with string-aware scans that check
//! brackets pair up. Every method returns `None` to give up (the line then takes the serde
//! path).

use std::borrow::Cow;

use super::lenient::{Obj, Scalar};
use super::search::{find_quote, find_quote_or_backslash};

/// Deepest nesting the fast reader skips; deeper values take the serde path.
const MAX_DEPTH: u32 = 64;

/// A cursor over one line.
pub(super) struct Cursor<'a> {
    b: &'a [u8],
    /// The position: the next byte to read.
    pub(super) i: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Cursor { b, i: 0 }
    }

    /// Whether only whitespace is left.
    pub(super) fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    pub(super) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    pub(super) fn eat(&mut self, c: u8) -> Option<()> {
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
    pub(super) fn skip_value(&mut self) -> Option<()> {
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
    pub(super) fn scalar(&mut self) -> Option<Option<Scalar<'a>>> {
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

    pub(super) fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// An object field read in place into `slot` (records are large: moving them costs
    /// more than reading them): `{…}` filled by `read`, `null` leaves it `None`, other
    /// values make it `NotMap`. A second occurrence gives up, as with [`set`].
    pub(super) fn object<T: Default>(
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
    pub(super) fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>,
    ) -> Option<()> {
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
