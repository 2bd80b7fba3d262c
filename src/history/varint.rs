//! LEB128 varints and zigzag signs: the integers of a history block, small numbers in few
//! bytes.

/// Appends `v` as a LEB128 varint (7 bits a byte, low bits first).
pub(super) fn put(buf: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Appends a signed number, zigzag-encoded so small magnitudes of either sign stay short.
pub(super) fn put_signed(buf: &mut Vec<u8>, v: i128) {
    put(buf, ((v << 1) ^ (v >> 127)) as u128);
}

/// A reader over one column's bytes; every read fails (never panics) past its end or on an
/// overlong number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub(super) fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes }
    }

    /// The next varint.
    pub(super) fn wide(&mut self) -> Option<u128> {
        let mut v: u128 = 0;
        for (i, &b) in self.bytes.iter().enumerate().take(19) {
            v |= u128::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.bytes = &self.bytes[i + 1..];
                return Some(v);
            }
        }
        None
    }

    /// The next varint, which must fit 64 bits.
    pub(super) fn u64(&mut self) -> Option<u64> {
        self.wide().and_then(|v| u64::try_from(v).ok())
    }

    /// The next varint, which must fit 32 bits.
    pub(super) fn u32(&mut self) -> Option<u32> {
        self.wide().and_then(|v| u32::try_from(v).ok())
    }

    /// The next zigzag-encoded signed number.
    pub(super) fn signed(&mut self) -> Option<i128> {
        let v = self.wide()?;
        Some(((v >> 1) as i128) ^ -((v & 1) as i128))
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    /// The next 8 bytes as a little-endian number.
    pub(super) fn fixed64(&mut self) -> Option<u64> {
        let bytes: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(u64::from_le_bytes(bytes))
    }

    /// Whether every byte was read.
    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_at_their_edges() {
        let unsigned = [0, 1, 127, 128, 300, u128::from(u64::MAX), u128::MAX];
        let signed = [
            0,
            -1,
            1,
            -64,
            64,
            i128::from(i64::MIN),
            i128::MAX,
            i128::MIN,
        ];
        let mut buf = Vec::new();
        for v in unsigned {
            put(&mut buf, v);
        }
        for v in signed {
            put_signed(&mut buf, v);
        }
        let mut c = Cursor::new(&buf);
        for v in unsigned {
            assert_eq!(c.wide(), Some(v));
        }
        for v in signed {
            assert_eq!(c.signed(), Some(v));
        }
        assert!(c.is_empty());
        assert_eq!(c.wide(), None);
    }

    #[test]
    fn truncated_or_overlong_numbers_are_refused() {
        assert_eq!(Cursor::new(&[0x80, 0x80]).wide(), None);
        assert_eq!(Cursor::new(&[0xff; 40]).wide(), None);
        let mut buf = Vec::new();
        put(&mut buf, u128::from(u64::MAX) + 1);
        assert_eq!(Cursor::new(&buf).u64(), None);
        assert_eq!(Cursor::new(&[1, 2, 3]).fixed64(), None);
    }
}
