//! Server-sent events read incrementally: bytes in as they arrive, whole events out. The
//! event-stream rules the snapshot stream needs (WHATWG HTML §9.2.6): `event` and `data`
//! fields, comments, any of the three line endings; `id` and `retry` are ignored.

use memchr::memchr2;

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event` field (`message` when the server named none).
    pub(crate) name: String,
    /// The `data` lines, joined by newlines.
    pub(crate) data: String,
}

/// An event (or a line) grew past the reader's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an event of more than {0} bytes")]
pub(crate) struct TooLarge(pub(crate) usize);

/// Reads an event stream; holds at most one unfinished event (bounded by `limit`).
#[derive(Debug)]
pub(crate) struct SseReader {
    line: Vec<u8>,
    name: String,
    data: String,
    has_data: bool,
    /// The last byte fed was a CR: a LF right after it ends nothing more.
    after_cr: bool,
    limit: usize,
}

impl SseReader {
    /// A reader refusing events larger than `limit` bytes.
    pub(crate) fn new(limit: usize) -> SseReader {
        SseReader {
            line: Vec::new(),
            name: String::new(),
            data: String::new(),
            has_data: false,
            after_cr: false,
            limit,
        }
    }

    /// Takes the next bytes of the stream; returns the events they complete.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Result<Vec<SseEvent>, TooLarge> {
        let mut events = Vec::new();
        while !bytes.is_empty() {
            if self.after_cr && bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
            self.after_cr = false;
            let Some(end) = memchr2(b'\n', b'\r', bytes) else {
                self.line.extend_from_slice(bytes);
                self.check()?;
                break;
            };
            self.line.extend_from_slice(&bytes[..end]);
            self.check()?;
            self.after_cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            let line = std::mem::take(&mut self.line);
            if let Some(event) = self.end_line(&line) {
                events.push(event);
            }
        }
        Ok(events)
    }

    fn check(&self) -> Result<(), TooLarge> {
        if self.line.len() + self.data.len() > self.limit {
            return Err(TooLarge(self.limit));
        }
        Ok(())
    }

    fn end_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None; // A comment: the server's heartbeat.
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => value.clone_into(&mut self.name),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let name = std::mem::take(&mut self.name);
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(SseEvent {
            name: if name.is_empty() {
                "message".to_owned()
            } else {
                name
            },
            data: std::mem::take(&mut self.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> SseEvent {
        SseEvent {
            name: name.into(),
            data: data.into(),
        }
    }

    #[test]
    fn events_comments_and_every_line_ending() {
        let mut r = SseReader::new(1 << 20);
        let text = b": hello\n\nevent: snapshot\ndata: {\"a\":1}\n\ndata:x\r\ndata: y\r\rdata: z\r\n\r\nid: 7\nretry: 10\n\n";
        assert_eq!(
            r.feed(text).unwrap(),
            vec![
                event("snapshot", "{\"a\":1}"),
                event("message", "x\ny"),
                event("message", "z")
            ]
        );
    }

    #[test]
    fn an_event_split_at_every_byte_comes_out_whole_once() {
        let text = b"event: snapshot\r\ndata: {\"x\": \"a:b\"}\r\n\r\n: ping\r\n\r\n";
        let mut r = SseReader::new(1 << 20);
        let mut got = Vec::new();
        for b in text {
            got.extend(r.feed(std::slice::from_ref(b)).unwrap());
        }
        assert_eq!(got, vec![event("snapshot", "{\"x\": \"a:b\"}")]);
    }

    #[test]
    fn an_event_past_the_limit_is_refused_before_it_is_buffered_whole() {
        let mut r = SseReader::new(16);
        assert_eq!(r.feed(b"data: 0123456789"), Ok(Vec::new()));
        assert_eq!(r.feed(b"abcdef"), Err(TooLarge(16)));
        let mut r = SseReader::new(16);
        assert_eq!(r.feed(b"data: 0123456789\n"), Ok(Vec::new()));
        assert_eq!(r.feed(b"data: 0123456789\n"), Err(TooLarge(16)));
    }
}
