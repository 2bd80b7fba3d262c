//! A block on disk: a fixed header (magic, version, lengths, record count, time range, and an
//! xxh3 checksum over the header and the payload), then the payload compressed with deflate.
//! A block is written by one `write` at the end of the file, so a crash leaves whole blocks
//! and at most one incomplete block at the end; the checksum finds anything else.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use super::codec::{self, millis};
use crate::usage::UsageEvent;

/// What every block starts with.
pub(super) const MAGIC: &[u8; 4] = b"CTHB";
/// The block format this build writes and reads.
const VERSION: u8 = 1;
/// Bytes of a block's header.
pub(super) const HEADER_LEN: usize = 44;
/// Largest payload a block may claim, compressed or not.
const MAX_PAYLOAD: u32 = 64 << 20;

/// A block's header, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// Compressed payload bytes after the header.
    pub(crate) payload_len: u32,
    /// Payload bytes once inflated.
    raw_len: u32,
    /// Records in the block.
    pub(crate) count: u32,
    /// Earliest record time, milliseconds since the epoch.
    pub(crate) first_ms: i64,
    /// Latest record time, milliseconds since the epoch.
    pub(crate) last_ms: i64,
    checksum: u64,
}

impl Header {
    /// Bytes of the whole block.
    pub(crate) fn block_len(&self) -> u64 {
        HEADER_LEN as u64 + u64::from(self.payload_len)
    }
}

/// Why bytes at some offset are not a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NotABlock {
    /// Fewer bytes than the block needs: the end of the file, perhaps still being written.
    Short,
    /// A block from a newer costtop.
    Newer(u8),
    /// Anything else: wrong magic, impossible lengths, a checksum that does not match.
    Damaged(&'static str),
}

/// The whole block holding `events`.
pub(super) fn encode(events: &[UsageEvent]) -> std::io::Result<Vec<u8>> {
    let raw = codec::encode(events);
    let mut deflate = DeflateEncoder::new(
        Vec::with_capacity(raw.len() / 3 + 64),
        Compression::default(),
    );
    deflate.write_all(&raw)?;
    let payload = deflate.finish()?;
    let too_big = || std::io::Error::other("a history block past 64 MiB");
    let payload_len = u32::try_from(payload.len()).map_err(|_| too_big())?;
    let raw_len = u32::try_from(raw.len()).map_err(|_| too_big())?;
    if payload_len > MAX_PAYLOAD || raw_len > MAX_PAYLOAD {
        return Err(too_big());
    }
    let times = events.iter().map(|e| millis(e.timestamp));
    let first = times.clone().min().unwrap_or(0);
    let last = times.max().unwrap_or(0);
    let mut block = Vec::with_capacity(HEADER_LEN + payload.len());
    block.extend_from_slice(MAGIC);
    block.extend_from_slice(&[VERSION, 0, 0, 0]);
    block.extend_from_slice(&payload_len.to_le_bytes());
    block.extend_from_slice(&raw_len.to_le_bytes());
    block.extend_from_slice(&(events.len() as u32).to_le_bytes());
    block.extend_from_slice(&first.to_le_bytes());
    block.extend_from_slice(&last.to_le_bytes());
    let checksum = checksum(&block, &payload);
    block.extend_from_slice(&checksum.to_le_bytes());
    block.extend_from_slice(&payload);
    Ok(block)
}

fn checksum(head: &[u8], payload: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(head);
    h.update(payload);
    h.digest()
}

fn le32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Reads the header of the block at the start of `bytes` and checks it against its payload.
pub(super) fn check(bytes: &[u8]) -> Result<Header, NotABlock> {
    if bytes.len() < HEADER_LEN {
        return if MAGIC.starts_with(&bytes[..bytes.len().min(4)]) {
            Err(NotABlock::Short)
        } else {
            Err(NotABlock::Damaged("not a block"))
        };
    }
    if &bytes[..4] != MAGIC {
        return Err(NotABlock::Damaged("not a block"));
    }
    if bytes[4] != VERSION {
        return if bytes[4] > VERSION {
            Err(NotABlock::Newer(bytes[4]))
        } else {
            Err(NotABlock::Damaged("unknown block version"))
        };
    }
    let header = Header {
        payload_len: le32(bytes, 8),
        raw_len: le32(bytes, 12),
        count: le32(bytes, 16),
        first_ms: le64(bytes, 20) as i64,
        last_ms: le64(bytes, 28) as i64,
        checksum: le64(bytes, 36),
    };
    if header.payload_len > MAX_PAYLOAD || header.raw_len > MAX_PAYLOAD {
        return Err(NotABlock::Damaged("impossible lengths"));
    }
    let end = HEADER_LEN + header.payload_len as usize;
    if bytes.len() < end {
        return Err(NotABlock::Short);
    }
    if checksum(&bytes[..36], &bytes[HEADER_LEN..end]) != header.checksum {
        return Err(NotABlock::Damaged("checksum mismatch"));
    }
    Ok(header)
}

/// The records of a checked block (`bytes` starts with it).
pub(super) fn records(header: &Header, bytes: &[u8]) -> Result<Vec<UsageEvent>, String> {
    let payload = &bytes[HEADER_LEN..HEADER_LEN + header.payload_len as usize];
    let mut raw = Vec::with_capacity(header.raw_len as usize);
    DeflateDecoder::new(payload)
        .take(u64::from(header.raw_len) + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot inflate: {e}"))?;
    if raw.len() != header.raw_len as usize {
        return Err("inflated length differs from the header".into());
    }
    let events = codec::decode(&raw)?;
    if events.len() != header.count as usize {
        return Err("record count differs from the header".into());
    }
    Ok(events)
}
