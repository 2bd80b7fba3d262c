//! Byte searches for the fast reader: the first quote (or backslash) in a string, looked for a
//! word at a time over the first bytes — most strings in a line are short keys and ids —
//! and with `memchr`'s SIMD search beyond.

use memchr::{memchr, memchr2};

/// Bytes searched a word at a time before handing a search to `memchr`: most strings in a
/// line (keys, ids, short values) end sooner, and there a plain loop beats a SIMD call's
/// set-up.
const SHORT: usize = 32;

/// Each byte of a word set to `c`.
const fn splat(c: u8) -> u64 {
    u64::from_ne_bytes([c; 8])
}

/// The high bit of every byte of `word` that equals `c` (exact for the lowest match, which is
/// all that is read: a borrow can only mark bytes above a real match).
const fn matches_byte(word: u64, c: u8) -> u64 {
    let x = word ^ splat(c);
    x.wrapping_sub(splat(1)) & !x & splat(0x80)
}

/// The first byte for which `hit` (over a little-endian word) marks a match, searching the
/// first [`SHORT`] bytes a word at a time and the rest with `far`.
#[inline]
fn find_with(
    b: &[u8],
    hit: impl Fn(u64) -> u64,
    near: impl Fn(u8) -> bool,
    far: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let head = &b[..b.len().min(SHORT)];
    let mut words = head.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word: [u8; 8] = word.try_into().ok()?;
        let mask = hit(u64::from_le_bytes(word));
        if mask != 0 {
            return Some(at + (mask.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    if let Some(found) = words.remainder().iter().position(|&c| near(c)) {
        return Some(at + found);
    }
    if b.len() > SHORT {
        far(&b[SHORT..]).map(|found| found + SHORT)
    } else {
        None
    }
}

/// The first `"`.
#[inline]
pub(super) fn find_quote(b: &[u8]) -> Option<usize> {
    find_with(
        b,
        |w| matches_byte(w, b'"'),
        |c| c == b'"',
        |rest| memchr(b'"', rest),
    )
}

/// The first `"` or `\\`.
#[inline]
pub(super) fn find_quote_or_backslash(b: &[u8]) -> Option<usize> {
    find_with(
        b,
        |w| matches_byte(w, b'"') | matches_byte(w, b'\\'),
        |c| c == b'"' || c == b'\\',
        |rest| memchr2(b'"', b'\\', rest),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search finds what a plain search finds, at every length and offset
    /// around the word and `memchr` borders, with look-alike bytes (0x21, 0x23, 0x5b, 0x5d,
    /// high bytes) before the match.
    #[test]
    fn searches_agree_with_a_plain_scan() {
        let fillers = [b'a', b'!', b'#', b'[', b']', 0x01, 0xa2, 0xdc];
        for len in 0..80 {
            for at in 0..=len {
                for filler in fillers {
                    let mut bytes = vec![filler; len];
                    if at < len {
                        bytes[at] = b'"';
                    }
                    let quote = bytes.iter().position(|&c| c == b'"');
                    assert_eq!(find_quote(&bytes), quote, "len {len} at {at}");
                    if at < len {
                        bytes[at] = b'\\';
                    }
                    let either = bytes.iter().position(|&c| c == b'"' || c == b'\\');
                    assert_eq!(find_quote_or_backslash(&bytes), either, "len {len} at {at}");
                }
            }
        }
    }
}
