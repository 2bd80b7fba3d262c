//! `LineReader`: splits a byte stream into complete lines in large chunks, holding an
//! unfinished last line for the next read and skipping lines too long to keep.

use std::fmt;
use std::io::{self, Read};

use memchr::memchr;

use crate::parse::looks_like_usage;

/// Lines longer than this are not kept: they are skipped on the way to their newline.
pub(crate) const MAX_LINE_BYTES: usize = 32 * 1024 * 1024;

/// How much one read asks for: large enough that a history read costs few system calls,
/// small enough that the chunk is still in the core's cache when its lines are parsed
/// (1 MiB measured slower than 128 KiB on the 200k-line report benchmark).
pub(crate) const CHUNK_BYTES: usize = 128 * 1024;

/// Bytes kept from one chunk of a skipped line when the next arrives, so that a usage marker
/// split across the chunk border is still seen.
const OVERLAP_BYTES: usize = 64;

/// One item the reader yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A complete line, without its `\n` and a trailing `\r`.
    Complete {
        /// 1-based line number, counted from where the reader started.
        number: u64,
        /// The line's bytes, borrowed from the reader's buffer.
        bytes: &'a [u8],
    },
    /// A line longer than the limit: its bytes were skipped.
    Oversized(OversizedLine),
}

/// A line that was skipped for being too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OversizedLine {
    /// 1-based line number.
    pub(crate) number: u64,
    /// Length of the line in bytes, without its newline.
    pub(crate) len: u64,
    /// The limit it exceeded.
    pub(crate) limit: u64,
    /// Whether the line looked like it carried usage (then it is worth reporting).
    pub(crate) mentions_usage: bool,
}

impl OversizedLine {
    /// The reason without the line number, for `path:line: reason` messages.
    pub(crate) fn reason(&self) -> String {
        let limit = if self.limit.is_multiple_of(1024 * 1024) {
            format!("{} MiB", self.limit / (1024 * 1024))
        } else {
            format!("{} bytes", self.limit)
        };
        format!(
            "{:.1} MB line exceeds the {limit} limit, skipped",
            self.len as f64 / 1e6
        )
    }
}

impl fmt::Display for OversizedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.number, self.reason())
    }
}

/// State of a line being skipped because it grew past the limit.
#[derive(Debug, Clone, Copy)]
struct Skip {
    number: u64,
    /// Bytes of the line already dropped from the buffer.
    dropped: u64,
    mentions_usage: bool,
}

/// Splits a byte stream into lines with bounded memory.
///
/// Use [`fill`](Self::fill) to read one more chunk and [`next_line`](Self::next_line) to take
/// the complete lines buffered so far. An incomplete last line stays buffered until a later
/// `fill` completes it, so a growing file can be followed with one reader.
#[derive(Debug)]
pub(crate) struct LineReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where the search for the next newline resumes (`start..scan` holds none).
    scan: usize,
    /// Byte offset, in the stream, just past the last complete line.
    offset: u64,
    /// Number of the last complete line.
    line_no: u64,
    skip: Option<Skip>,
    chunk: usize,
    max_line: usize,
}

impl Default for LineReader {
    fn default() -> Self {
        Self::new()
    }
}

impl LineReader {
    /// A reader with the standard chunk size and line limit, at offset 0.
    pub(crate) fn new() -> Self {
        Self::with_limits(CHUNK_BYTES, MAX_LINE_BYTES)
    }

    /// A reader with a chosen chunk size and line limit (small ones make border cases testable).
    pub(crate) fn with_limits(chunk: usize, max_line: usize) -> Self {
        let chunk = chunk.max(1);
        LineReader {
            buf: Vec::new(),
            start: 0,
            end: 0,
            scan: 0,
            offset: 0,
            line_no: 0,
            skip: None,
            chunk,
            max_line: max_line.max(1),
        }
    }

    /// Continues a stream whose first `offset` bytes (holding `line_no` lines) were already
    /// consumed; the caller positions the source at `offset`.
    pub(crate) fn resume_at(&mut self, offset: u64, line_no: u64) {
        self.reset();
        self.offset = offset;
        self.line_no = line_no;
    }

    /// Forgets everything buffered and starts again at offset 0 (keeps the buffer's memory).
    pub(crate) fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.scan = 0;
        self.offset = 0;
        self.line_no = 0;
        self.skip = None;
    }

    /// Byte offset just past the last complete line.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Number of complete lines yielded so far (plus the starting count).
    pub(crate) fn line_number(&self) -> u64 {
        self.line_no
    }

    /// Bytes of an unfinished line held (buffered or skipped) beyond [`offset`](Self::offset).
    pub(crate) fn pending_bytes(&self) -> u64 {
        self.skip.map_or(0, |s| s.dropped) + (self.end - self.start) as u64
    }

    /// Frees the buffer when nothing is held, so an idle followed file costs no memory.
    pub(crate) fn release_idle(&mut self) {
        if self.start == self.end && self.skip.is_none() {
            self.buf = Vec::new();
            self.start = 0;
            self.end = 0;
            self.scan = 0;
        }
    }

    /// Reads one more chunk from `src`; returns the number of bytes read, 0 at end of input.
    /// Take the complete lines with [`next_line`](Self::next_line) before calling it again.
    pub(crate) fn fill<R: Read + ?Sized>(&mut self, src: &mut R) -> io::Result<usize> {
        self.make_room();
        loop {
            match src.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next complete line already buffered, if any.
    pub(crate) fn next_line(&mut self) -> Option<Line<'_>> {
        let Some(found) = memchr(b'\n', &self.buf[self.scan..self.end]) else {
            self.scan = self.end;
            self.hold_unfinished();
            return None;
        };
        let newline = self.scan + found;
        let begin = self.start;
        self.start = newline + 1;
        self.scan = self.start;
        self.line_no += 1;
        let held = (newline - begin) as u64;
        if let Some(skip) = self.skip.take() {
            let len = skip.dropped + held;
            self.offset = self.offset.wrapping_add(len + 1);
            let mentions_usage = skip.mentions_usage || looks_like_usage(&self.buf[begin..newline]);
            return Some(Line::Oversized(OversizedLine {
                number: skip.number,
                len,
                limit: self.max_line as u64,
                mentions_usage,
            }));
        }
        self.offset = self.offset.wrapping_add(held + 1);
        if newline - begin > self.max_line {
            // The whole line arrived in one read, before it could be skipped.
            return Some(Line::Oversized(OversizedLine {
                number: self.line_no,
                len: held,
                limit: self.max_line as u64,
                mentions_usage: looks_like_usage(&self.buf[begin..newline]),
            }));
        }
        let mut end = newline;
        if end > begin && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        Some(Line::Complete {
            number: self.line_no,
            bytes: &self.buf[begin..end],
        })
    }

    /// Takes the unfinished last line as a complete one: for one-shot reads at end of input.
    pub(crate) fn finish(&mut self) -> Option<Line<'_>> {
        if self.pending_bytes() == 0 {
            return None;
        }
        self.make_room();
        // A newline appended to the buffered data completes the line through the normal path,
        // which counts it in the offset; it was not in the stream, so take it back first.
        self.buf[self.end] = b'\n';
        self.end += 1;
        self.offset = self.offset.wrapping_sub(1);
        self.next_line()
    }

    /// Called when the buffer holds no newline after `start`: starts or continues skipping a
    /// line that has grown past the limit.
    fn hold_unfinished(&mut self) {
        let held = self.end - self.start;
        if self.skip.is_none() && held <= self.max_line {
            return;
        }
        let region = &self.buf[self.start..self.end];
        let skip = self.skip.get_or_insert(Skip {
            number: self.line_no + 1,
            dropped: 0,
            mentions_usage: false,
        });
        if !skip.mentions_usage {
            skip.mentions_usage = looks_like_usage(region);
        }
        if held > OVERLAP_BYTES {
            let drop = held - OVERLAP_BYTES;
            skip.dropped += drop as u64;
            self.start += drop;
        }
    }

    /// Ensures there is space after `end` for at least one byte (ideally a whole chunk):
    /// allocates, compacts, or grows up to the line limit.
    fn make_room(&mut self) {
        if self.buf.is_empty() {
            self.buf = vec![0; self.chunk];
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            self.scan = 0;
            if self.buf.len() > self.chunk {
                self.buf.truncate(self.chunk);
                self.buf.shrink_to_fit();
            }
            return;
        }
        let free = self.buf.len() - self.end;
        if self.start > 0 && free < self.chunk.min(self.buf.len() / 2).max(1) {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scan -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let cap = self.max_line + self.chunk + OVERLAP_BYTES + 1;
            let grown = (self.buf.len() * 2).clamp(self.buf.len() + 1, cap.max(self.buf.len() + 1));
            self.buf.resize(grown, 0);
        }
    }
}

#[cfg(test)]
mod tests;
