//! Reading a history file's bytes as pieces: good blocks with their records, damaged ranges
//! (skipped up to the next block whose checksum holds), an incomplete last block (a write cut
//! short, or one still under way), and blocks of a newer costtop (skipped, kept).

use std::ops::Range;

use super::block::{self, Header, MAGIC, NotABlock};
use crate::usage::UsageEvent;

/// What the bytes at one place of the file are.
#[derive(Debug)]
pub(crate) enum Piece {
    /// A whole block whose checksum holds.
    Block {
        /// Where it starts in the file.
        offset: u64,
        /// Its header (length, count, time range).
        header: Header,
        /// Its records, in the order written (empty unless records were asked for).
        records: Vec<UsageEvent>,
    },
    /// Bytes that are not a whole, checked block, up to the next block (or the end).
    Damaged {
        /// Where, in the file.
        range: Range<u64>,
        /// What is wrong with the first of them.
        why: String,
    },
    /// The start of a block whose end is missing: it ends the file.
    Incomplete {
        /// Where, in the file.
        range: Range<u64>,
    },
    /// A block written by a newer costtop: kept, not read.
    Newer {
        /// Where, in the file.
        range: Range<u64>,
    },
}

/// The pieces of `bytes`, which start at file offset `base`; `decode` says whether blocks'
/// records are read or only their headers checked.
pub(crate) struct Pieces<'a> {
    bytes: &'a [u8],
    base: u64,
    pos: usize,
    decode: bool,
}

impl<'a> Pieces<'a> {
    /// Pieces of `bytes` (file offset `base`).
    pub(crate) fn new(bytes: &'a [u8], base: u64, decode: bool) -> Pieces<'a> {
        Pieces {
            bytes,
            base,
            pos: 0,
            decode,
        }
    }

    fn at(&self, pos: usize) -> u64 {
        self.base + pos as u64
    }

    /// The next place after `from` where a readable block starts, or the end.
    fn resync(&self, from: usize) -> usize {
        let finder = memchr::memmem::Finder::new(MAGIC);
        let mut start = from;
        while let Some(found) = finder.find(&self.bytes[start..]) {
            let candidate = start + found;
            match block::check(&self.bytes[candidate..]) {
                Ok(_) | Err(NotABlock::Newer(_)) => return candidate,
                Err(_) => start = candidate + 1,
            }
        }
        self.bytes.len()
    }
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let rest = self.bytes.get(self.pos..).filter(|r| !r.is_empty())?;
        let start = self.pos;
        let damaged = |this: &mut Self, why: String| {
            let next = this.resync(start + 1);
            this.pos = next;
            Piece::Damaged {
                range: this.at(start)..this.at(next),
                why,
            }
        };
        Some(match block::check(rest) {
            Ok(header) => {
                let len = header.block_len() as usize;
                let records = if self.decode {
                    match block::records(&header, rest) {
                        Ok(records) => records,
                        Err(why) => return Some(damaged(self, why)),
                    }
                } else {
                    Vec::new()
                };
                self.pos += len;
                Piece::Block {
                    offset: self.at(start),
                    header,
                    records,
                }
            }
            Err(NotABlock::Short) => {
                self.pos = self.bytes.len();
                Piece::Incomplete {
                    range: self.at(start)..self.at(self.pos),
                }
            }
            Err(NotABlock::Newer(_)) => {
                // The layout of the first fields is the same in every version.
                let len = rest
                    .get(8..12)
                    .and_then(|b| <[u8; 4]>::try_from(b).ok())
                    .map_or(0, |b| u32::from_le_bytes(b) as usize);
                let end = start + block::HEADER_LEN + len;
                if end > self.bytes.len() {
                    self.pos = self.bytes.len();
                    Piece::Incomplete {
                        range: self.at(start)..self.at(self.pos),
                    }
                } else {
                    self.pos = end;
                    Piece::Newer {
                        range: self.at(start)..self.at(end),
                    }
                }
            }
            Err(NotABlock::Damaged(why)) => damaged(self, why.to_owned()),
        })
    }
}
