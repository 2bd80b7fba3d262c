//! What every file reader does with its lines: parse, batch the events for the channel, and
//! count lines and errors for the source's health.

use std::io::{self, Read};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::Sender;

use super::lines::{Line, LineReader};
use crate::parse::{LineContext, Parsed, parse_line, take_naive_times};
use crate::usage::{SourceMsg, ToolEstimate, UsageEvent};

/// Events per channel message.
pub(crate) const BATCH_EVENTS: usize = 1024;

/// The receiver is gone: the reader should stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// Why reading a file stopped early.
#[derive(Debug)]
pub(crate) enum ReadStop {
    /// The file could not be read further.
    Io(io::Error),
    /// The receiver is gone.
    Closed,
}

impl From<Closed> for ReadStop {
    fn from(_: Closed) -> Self {
        ReadStop::Closed
    }
}

/// Line and error counts of one file or one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) lines: u64,
    pub(crate) parse_errors: u64,
    pub(crate) first_error: Option<String>,
    pub(crate) last_event: Option<DateTime<Utc>>,
    /// Records whose time named no zone (read as UTC, or local time as configured).
    pub(crate) naive_times: u64,
    /// Claude Code compactions recorded (`compact_boundary` lines, forks' copies left out).
    pub(crate) compactions: u64,
}

impl Tally {
    /// Counts an error; the message is only built for the first.
    pub(crate) fn error(&mut self, message: impl FnOnce() -> String) {
        self.parse_errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(message());
        }
    }

    /// Adds another tally; its first error counts only if this one has none.
    pub(crate) fn merge(&mut self, other: Tally) {
        self.lines += other.lines;
        self.parse_errors += other.parse_errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last_event = self.last_event.max(other.last_event);
        self.naive_times += other.naive_times;
        self.compactions += other.compactions;
    }
}

/// Events waiting to be sent, flushed every [`BATCH_EVENTS`] and at the end of a pass.
#[derive(Debug)]
pub(crate) struct Batch {
    events: Vec<UsageEvent>,
    /// Another tool's cost figures read since the last flush (sent after the events).
    estimates: Vec<ToolEstimate>,
    tx: Sender<SourceMsg>,
    /// Key and rank of the last event sent: streamed copies that follow it and are no more
    /// complete are dropped here, as the aggregator would drop them (it keeps the highest).
    last: Option<(u64, u64)>,
}

impl Batch {
    pub(crate) fn new(tx: Sender<SourceMsg>) -> Self {
        Batch {
            events: Vec::with_capacity(BATCH_EVENTS),
            estimates: Vec::new(),
            tx,
            last: None,
        }
    }

    /// A new, empty batch sending to the same channel (for another reader thread).
    pub(crate) fn sibling(&self) -> Batch {
        Batch::new(self.tx.clone())
    }

    pub(crate) fn push(&mut self, event: UsageEvent) -> Result<(), Closed> {
        if let (Some(key), Some((last_key, last_rank))) = (event.key, self.last)
            && key == last_key
            && event.rank <= last_rank
        {
            return Ok(());
        }
        self.last = event.key.map(|key| (key, event.rank));
        self.events.push(event);
        if self.events.len() >= BATCH_EVENTS {
            self.flush()?;
        }
        Ok(())
    }

    /// Queues another tool's cost figures; they go out with the next flush.
    pub(crate) fn push_estimates(&mut self, estimates: Vec<ToolEstimate>) -> Result<(), Closed> {
        self.estimates.extend(estimates);
        if self.estimates.len() >= BATCH_EVENTS {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends what is waiting, blocking while the channel is full (a slow aggregator slows
    /// the reader; nothing is dropped).
    pub(crate) fn flush(&mut self) -> Result<(), Closed> {
        if !self.events.is_empty() {
            let events = std::mem::replace(&mut self.events, Vec::with_capacity(BATCH_EVENTS));
            self.tx
                .blocking_send(SourceMsg::Events(events))
                .map_err(|_| Closed)?;
        }
        if !self.estimates.is_empty() {
            let estimates = std::mem::take(&mut self.estimates);
            self.tx
                .blocking_send(SourceMsg::Estimates(estimates))
                .map_err(|_| Closed)?;
        }
        Ok(())
    }

    /// Sends any other message, after the events and estimates waiting.
    pub(crate) fn send(&mut self, msg: SourceMsg) -> Result<(), Closed> {
        self.flush()?;
        self.tx.blocking_send(msg).map_err(|_| Closed)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// Where lines come from, for the parser and for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub(crate) path: &'a str,
    pub(crate) fallback_time: DateTime<Utc>,
    /// Line numbers count from the file's start (false when history was skipped).
    pub(crate) lines_from_start: bool,
    /// The first time the file names ([`file_started`]): a session record dated before it
    /// is a forked session's copy of another session's request.
    pub(crate) started: Option<DateTime<Utc>>,
}

/// Bytes of a file's head searched for its first time.
const HEAD: usize = 64 * 1024;

/// The first `"timestamp":"…"` among the first bytes of the file at `path`: when a Claude
/// Code session file was started. A `--fork-session` file begins with lines of its own (dated
/// when the fork was made) and then repeats the parent's lines byte for byte but for
/// `sessionId`, dated when the parent made them: earlier than the file's start.
pub(crate) fn file_started(path: &std::path::Path) -> Option<DateTime<Utc>> {
    let mut head = Vec::with_capacity(HEAD);
    std::fs::File::open(path)
        .ok()?
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .ok()?;
    let key = b"\"timestamp\":\"";
    let at = memchr::memmem::find(&head, key)? + key.len();
    let len = memchr::memchr(b'"', &head[at..])?;
    let text = std::str::from_utf8(&head[at..at + len]).ok()?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
}

impl Origin<'_> {
    fn locate(&self, number: u64) -> String {
        if self.lines_from_start {
            format!("{}:{number}", self.path)
        } else {
            format!("{}: line {number} after the skipped history", self.path)
        }
    }
}

/// Parses every complete line the reader holds.
pub(crate) fn take_lines(
    reader: &mut LineReader,
    origin: &Origin<'_>,
    tally: &mut Tally,
    batch: &mut Batch,
) -> Result<(), Closed> {
    while let Some(line) = reader.next_line() {
        take_line(line, origin, tally, batch)?;
    }
    Ok(())
}

/// Parses one line.
pub(crate) fn take_line(
    line: Line<'_>,
    origin: &Origin<'_>,
    tally: &mut Tally,
    batch: &mut Batch,
) -> Result<(), Closed> {
    tally.lines += 1;
    match line {
        Line::Complete { number, bytes } => {
            let ctx = LineContext {
                fallback_time: origin.fallback_time,
                path: origin.path,
            };
            let parsed = parse_line(bytes, &ctx);
            tally.naive_times += take_naive_times();
            match parsed {
                Parsed::Usage(mut event) => {
                    if event.attribution.session.is_some()
                        && origin.started.is_some_and(|start| event.timestamp < start)
                    {
                        // A fork's copy ranks just below the original, so the request stays
                        // with the session that made it whichever file is read first.
                        event.rank = event.rank.saturating_sub(1);
                    }
                    tally.last_event = tally.last_event.max(Some(event.timestamp));
                    batch.push(event)?;
                }
                Parsed::Estimates(estimates) => batch.push_estimates(estimates)?,
                // A fork's copy of its parent's boundary is dated before the fork's file.
                Parsed::Compaction(at) => {
                    tally.compactions += u64::from(origin.started.is_none_or(|s| at >= s));
                }
                Parsed::NotUsage => {}
                Parsed::Invalid(e) => tally.error(|| format!("{}: {e}", origin.locate(number))),
            }
        }
        Line::Oversized(big) if big.mentions_usage => {
            tally.error(|| format!("{}: {}", origin.locate(big.number), big.reason()));
        }
        Line::Oversized(_) => {}
    }
    Ok(())
}

/// Reads `src` to its current end, parsing complete lines; an unfinished last line stays
/// held in the reader. Returns the bytes read.
pub(crate) fn read_available<R: Read + ?Sized>(
    reader: &mut LineReader,
    src: &mut R,
    origin: &Origin<'_>,
    tally: &mut Tally,
    batch: &mut Batch,
) -> Result<u64, ReadStop> {
    let mut bytes = 0;
    loop {
        take_lines(reader, origin, tally, batch)?;
        match reader.fill(src) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes += n as u64,
            Err(e) => return Err(ReadStop::Io(e)),
        }
    }
}

/// Converts a file time for the parser.
pub(crate) fn to_utc(time: Option<std::time::SystemTime>) -> DateTime<Utc> {
    time.map_or_else(Utc::now, DateTime::<Utc>::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Tokens;

    fn event(key: u64, rank: u64) -> UsageEvent {
        UsageEvent {
            key: Some(key),
            rank,
            ..UsageEvent::request(
                DateTime::<Utc>::default(),
                "claude-haiku-4-5",
                Tokens::default(),
            )
        }
    }

    #[test]
    fn streamed_copies_are_dropped_only_when_no_more_complete() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let mut batch = Batch::new(tx);
        for (key, rank) in [(1, 10), (1, 10), (1, 4), (1, 12), (2, 3), (1, 12)] {
            batch.push(event(key, rank)).unwrap();
        }
        batch.flush().unwrap();
        let Some(SourceMsg::Events(sent)) = rx.blocking_recv() else {
            panic!("no events");
        };
        let sent: Vec<_> = sent.iter().map(|e| (e.key.unwrap(), e.rank)).collect();
        // The later, more complete copy goes through; a copy after another key goes through
        // too (only the aggregator knows every key).
        assert_eq!(sent, [(1, 10), (1, 12), (2, 3), (1, 12)]);
    }
}
