//! The hot path's shortcut: most bytes of a usage line are message content (text, thinking,
//! tool input) that costtop never reads. The first `content` value is skipped with a fast
//! string-aware scan and replaced by `null`, and only the rest is deserialised.
//!
//! The scan checks brackets and string boundaries, not escapes or UTF-8 inside the skipped
//! value: content that serde would reject does not make a line's usage unreadable. Anything
//! the scan does not understand (truncation, stray brackets) falls back to the full parse.

use std::sync::LazyLock;

use memchr::memchr2;
use memchr::memmem::Finder;

static CONTENT_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"content\""));

/// Values shorter than this are cheaper to parse than to splice around.
const WORTH_SKIPPING: usize = 512;

/// The line with its first `content` value replaced by `null`, when that value is large
/// and well delimited; `None` means "parse the line as it is".
pub(crate) fn without_content(line: &[u8]) -> Option<Vec<u8>> {
    let key = CONTENT_KEY.find(line)?;
    let mut i = key + b"\"content\"".len();
    i = skip_space(line, i);
    if line.get(i) != Some(&b':') {
        return None;
    }
    let start = skip_space(line, i + 1);
    let end = skip_value(line, start)?;
    if end - start < WORTH_SKIPPING {
        return None;
    }
    let mut out = Vec::with_capacity(line.len() - (end - start) + 4);
    out.extend_from_slice(&line[..start]);
    out.extend_from_slice(b"null");
    out.extend_from_slice(&line[end..]);
    Some(out)
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The index just past the JSON value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i + 1),
        b'[' | b'{' => skip_nested(b, i),
        _ => None,
    }
}

/// The index just past the closing quote of a string whose body starts at `i`.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i += memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'\\' {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

/// The index just past the bracket closing the array or object opened at `i`.
fn skip_nested(b: &[u8], mut i: usize) -> Option<usize> {
    let mut open: Vec<u8> = Vec::with_capacity(8);
    loop {
        match *b.get(i)? {
            b'"' => {
                i = skip_string(b, i + 1)?;
                continue;
            }
            c @ (b'[' | b'{') => open.push(if c == b'[' { b']' } else { b'}' }),
            c @ (b']' | b'}') => {
                if open.pop()? != c {
                    return None;
                }
                if open.is_empty() {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> String {
        s.replace("BIG", &"x".repeat(WORTH_SKIPPING))
    }

    #[test]
    fn large_content_is_replaced_by_null() {
        let line = big(
            r#"{"message":{"content":[{"type":"text","text":"BIG \"quoted\" [not] {a} \\"}],"usage":{"input_tokens":1}},"x":2}"#,
        );
        let out = without_content(line.as_bytes()).unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"message":{"content":null,"usage":{"input_tokens":1}},"x":2}"#
        );
    }

    #[test]
    fn small_truncated_or_mismatched_content_is_left_alone() {
        assert!(without_content(br#"{"content":[1,2],"usage":{}}"#).is_none());
        let truncated = big(r#"{"content":[{"text":"BIG"#);
        assert!(without_content(truncated.as_bytes()).is_none());
        let mismatched = big(r#"{"content":[{"text":"BIG"]],"usage":{}}"#);
        assert!(without_content(mismatched.as_bytes()).is_none());
    }
}
