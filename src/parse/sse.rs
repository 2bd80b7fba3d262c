//! Server-sent events read incrementally (the WHATWG `text/event-stream` format): lines end
//! with LF, CRLF or CR, `event:` names an event, `data:` lines are joined with newlines, a
//! blank line dispatches. Only the events a caller wants are kept, each up to a bound; the
//! rest pass by without being stored, so memory does not grow with the stream.

/// Longest event name kept (longer names are wanted by nobody).
const MAX_NAME: usize = 64;
/// Longest field name looked at (`event`, `data`, `id`, `retry`).
const MAX_FIELD: usize = 8;

/// What the scanner reports.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SseFound<'a> {
    /// A wanted event (or one without a name), whole.
    Event {
        /// Its `event:` name (empty when it had none).
        name: &'a str,
        /// Its data lines, joined by `\n`.
        data: &'a [u8],
    },
    /// A wanted event whose data passed the bound: its first bytes only.
    TooLong {
        /// Its `event:` name (empty when it had none).
        name: &'a str,
        /// The first bytes of its data (up to the bound).
        head: &'a [u8],
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Reading a field name (from the start of a line).
    Field,
    /// Reading the value of `event`.
    Name,
    /// Reading the value of `data`.
    Data,
    /// Skipping to the end of the line.
    Skip,
}

/// The scanner's state between chunks.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)] // independent flags of a byte-at-a-time lexer
pub(crate) struct SseScanner {
    wanted: fn(&str) -> bool,
    limit: usize,
    part: Part,
    field: [u8; MAX_FIELD + 1],
    field_len: usize,
    /// The first byte of a value (a single leading space is dropped).
    value_start: bool,
    name: [u8; MAX_NAME],
    name_len: usize,
    name_long: bool,
    data: Vec<u8>,
    /// The event has `data:` lines.
    has_data: bool,
    overflow: bool,
    /// The last byte read was a CR (an LF right after it ends no second line).
    after_cr: bool,
    /// At the very start of the stream (a byte-order mark is skipped).
    start: bool,
}

impl SseScanner {
    /// A scanner keeping the events whose name `wanted` accepts (and unnamed ones, whose
    /// type only their data tells), each up to `limit` bytes of data.
    pub(crate) fn new(wanted: fn(&str) -> bool, limit: usize) -> SseScanner {
        SseScanner {
            wanted,
            limit,
            part: Part::Field,
            field: [0; MAX_FIELD + 1],
            field_len: 0,
            value_start: false,
            name: [0; MAX_NAME],
            name_len: 0,
            name_long: false,
            data: Vec::new(),
            has_data: false,
            overflow: false,
            after_cr: false,
            start: true,
        }
    }

    /// Reads one chunk, reporting the events it completes to `found`.
    pub(crate) fn feed(&mut self, mut chunk: &[u8], found: &mut impl FnMut(SseFound<'_>)) {
        if self.start && !chunk.is_empty() {
            self.start = false;
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
        }
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if b == b'\n' && self.after_cr {
                self.after_cr = false;
                i += 1;
                continue;
            }
            self.after_cr = b == b'\r';
            if b == b'\n' || b == b'\r' {
                self.end_line(found);
                i += 1;
                continue;
            }
            match self.part {
                Part::Field => {
                    if b == b':' {
                        self.begin_value();
                    } else if self.field_len > MAX_FIELD {
                        self.part = Part::Skip;
                    } else {
                        self.field[self.field_len] = b;
                        self.field_len += 1;
                    }
                    i += 1;
                }
                Part::Skip => {
                    i += memchr::memchr2(b'\n', b'\r', &chunk[i..]).unwrap_or(chunk.len() - i);
                }
                Part::Name | Part::Data => {
                    if self.value_start {
                        self.value_start = false;
                        if b == b' ' {
                            i += 1;
                            continue;
                        }
                    }
                    let end =
                        i + memchr::memchr2(b'\n', b'\r', &chunk[i..]).unwrap_or(chunk.len() - i);
                    if self.part == Part::Name {
                        self.push_name(&chunk[i..end]);
                    } else {
                        self.push_data(&chunk[i..end]);
                    }
                    i = end;
                }
            }
        }
    }

    /// A `:` after the field name: what to do with the value.
    fn begin_value(&mut self) {
        self.value_start = true;
        self.part = match &self.field[..self.field_len] {
            b"event" => {
                self.name_len = 0;
                self.name_long = false;
                Part::Name
            }
            b"data" => {
                self.begin_data_line();
                Part::Data
            }
            // Comments (empty field name), `id`, `retry`, unknown fields.
            _ => Part::Skip,
        };
    }

    fn begin_data_line(&mut self) {
        if self.has_data {
            self.push_data(b"\n");
        }
        self.has_data = true;
    }

    fn end_line(&mut self, found: &mut impl FnMut(SseFound<'_>)) {
        match self.part {
            // A line without a colon: the whole line is the field name, with an empty value.
            Part::Field if self.field_len == 0 => self.dispatch(found),
            Part::Field if &self.field[..self.field_len] == b"data" => self.begin_data_line(),
            Part::Field if &self.field[..self.field_len] == b"event" => {
                self.name_len = 0;
                self.name_long = false;
            }
            _ => {}
        }
        self.part = Part::Field;
        self.field_len = 0;
    }

    fn push_name(&mut self, bytes: &[u8]) {
        if self.name_len + bytes.len() > MAX_NAME {
            self.name_long = true;
        } else {
            self.name[self.name_len..self.name_len + bytes.len()].copy_from_slice(bytes);
            self.name_len += bytes.len();
        }
    }

    fn push_data(&mut self, bytes: &[u8]) {
        if !self.keeps() || self.overflow {
            return;
        }
        let room = self.limit - self.data.len();
        if bytes.len() > room {
            self.data.extend_from_slice(&bytes[..room]);
            self.overflow = true;
        } else {
            self.data.extend_from_slice(bytes);
        }
    }

    /// Whether the current event's data is kept: it is wanted, or has no name (yet).
    fn keeps(&self) -> bool {
        !self.name_long && (self.name_len == 0 || (self.wanted)(self.name()))
    }

    fn name(&self) -> &str {
        std::str::from_utf8(&self.name[..self.name_len]).unwrap_or("")
    }

    fn dispatch(&mut self, found: &mut impl FnMut(SseFound<'_>)) {
        if self.has_data && self.keeps() {
            let name = self.name();
            if self.overflow {
                found(SseFound::TooLong {
                    name,
                    head: &self.data,
                });
            } else {
                found(SseFound::Event {
                    name,
                    data: &self.data,
                });
            }
        }
        self.data.clear();
        if self.data.capacity() > self.limit {
            self.data.shrink_to(self.limit);
        }
        self.has_data = false;
        self.overflow = false;
        self.name_len = 0;
        self.name_long = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage_events(name: &str) -> bool {
        matches!(name, "message_start" | "message_delta")
    }

    fn scan(input: &[u8], size: usize, limit: usize) -> Vec<String> {
        let mut s = SseScanner::new(usage_events, limit);
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            s.feed(chunk, &mut |f| {
                out.push(match f {
                    SseFound::Event { name, data } => {
                        format!("{name}:{}", String::from_utf8_lossy(data))
                    }
                    SseFound::TooLong { name, head } => format!("{name} too long ({})", head.len()),
                });
            });
        }
        out
    }

    #[test]
    fn keeps_wanted_events_whatever_the_line_ends_and_chunking() {
        let stream = b"event: message_start\ndata: {\"a\":1}\n\nevent: content_block_delta\ndata: {\"big\":\"text\"}\n\n: comment\r\nevent:message_delta\r\ndata:x\r\ndata: y\r\n\r\nevent: ping\rdata: {}\r\r";
        for size in [1, 2, 5, stream.len()] {
            assert_eq!(
                scan(stream, size, 100),
                ["message_start:{\"a\":1}", "message_delta:x\ny"],
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn unnamed_events_are_kept_and_oversized_ones_reported() {
        let big = format!("event: message_delta\ndata: {}\n\n", "z".repeat(50));
        assert_eq!(scan(big.as_bytes(), 7, 10), ["message_delta too long (10)"]);
        assert_eq!(scan(b"data: {\"type\":1}\n\n", 3, 100), [":{\"type\":1}"]);
        // An unwanted event is never stored, however large.
        let skipped = format!("event: content_block_delta\ndata: {}\n\n", "z".repeat(50));
        assert!(scan(skipped.as_bytes(), 7, 10).is_empty());
    }

    #[test]
    fn an_event_cut_before_its_blank_line_is_not_reported() {
        assert!(scan(b"event: message_delta\ndata: {}\n", 4, 100).is_empty());
        assert_eq!(
            scan(b"\xEF\xBB\xBFevent: message_start\ndata: 1\n\n", 4, 100),
            ["message_start:1"]
        );
    }
}
