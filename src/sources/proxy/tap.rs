//! The accounting copy of a response body: each chunk the client is sent is also decoded
//! (gzip and deflate; other encodings are not read) and fed to the reader its endpoint needs;
//! at the end, what it was worth goes to the exchange's accounting.

use std::io::Write;

use chrono::Utc;

use super::account::Exchange;
use crate::parse::LineContext;
use crate::parse::api::{
    BatchResult, BatchResultsReader, MessageReader, StreamReader, Unaccounted,
};

/// What reads a response body.
#[derive(Debug)]
pub(super) enum Reader {
    /// A JSON Messages response.
    Message(MessageReader),
    /// A streamed Messages response.
    Stream(StreamReader),
    /// A Message Batches results download, and the results read from the last chunk.
    Results(BatchResultsReader, chrono::DateTime<Utc>, Vec<BatchResult>),
}

impl Reader {
    fn feed(&mut self, data: &[u8]) {
        match self {
            Reader::Message(r) => r.feed(data),
            Reader::Stream(r) => r.feed(data),
            Reader::Results(r, at, out) => {
                let ctx = LineContext {
                    fallback_time: *at,
                    path: "",
                };
                r.feed(data, &ctx, &mut |result| out.push(result));
            }
        }
    }
}

/// A reader as the `Write` end of a decoder.
#[derive(Debug)]
struct Sink(Reader);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.feed(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug)]
enum Decoding {
    Plain(Box<Sink>),
    Gzip(Box<flate2::write::GzDecoder<Sink>>),
    Deflate(Box<flate2::write::ZlibDecoder<Sink>>),
    /// Not readable: why.
    Unreadable(String),
}

/// How a response body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// Read to its end.
    Whole,
    /// Cut (the upstream failed or went silent): why.
    Cut(&'static str),
    /// The client went away first.
    Cancelled,
}

/// The accounting copy of one response body.
#[derive(Debug)]
pub(super) struct Tap {
    decoding: Decoding,
    exchange: Exchange,
}

impl Tap {
    /// A tap reading a body sent with `encoding` (`Content-Encoding`) with `reader`.
    pub(super) fn new(reader: Reader, encoding: Option<&str>, exchange: Exchange) -> Tap {
        let sink = Sink(reader);
        let decoding = match encoding.map(str::trim) {
            None | Some("" | "identity") => Decoding::Plain(Box::new(sink)),
            Some(e) if e.eq_ignore_ascii_case("gzip") || e.eq_ignore_ascii_case("x-gzip") => {
                Decoding::Gzip(Box::new(flate2::write::GzDecoder::new(sink)))
            }
            Some(e) if e.eq_ignore_ascii_case("deflate") => {
                Decoding::Deflate(Box::new(flate2::write::ZlibDecoder::new(sink)))
            }
            Some(other) => Decoding::Unreadable(format!(
                "responses in Content-Encoding {other:?} are not read"
            )),
        };
        Tap { decoding, exchange }
    }

    /// Reads one chunk the client is sent.
    pub(super) fn feed(&mut self, data: &[u8]) {
        let written = match &mut self.decoding {
            Decoding::Plain(sink) => sink.write_all(data),
            Decoding::Gzip(d) => d.write_all(data),
            Decoding::Deflate(d) => d.write_all(data),
            Decoding::Unreadable(_) => Ok(()),
        };
        if let Err(e) = written {
            self.decoding = Decoding::Unreadable(format!("the compressed body is corrupt: {e}"));
        }
        if let Some(Reader::Results(_, _, out)) = self.reader() {
            let results = std::mem::take(out);
            for result in results {
                self.exchange.result(result);
            }
        }
    }

    fn reader(&mut self) -> Option<&mut Reader> {
        match &mut self.decoding {
            Decoding::Plain(sink) => Some(&mut sink.0),
            Decoding::Gzip(d) => Some(&mut d.get_mut().0),
            Decoding::Deflate(d) => Some(&mut d.get_mut().0),
            Decoding::Unreadable(_) => None,
        }
    }

    /// The body ended: its worth goes to the accounting.
    pub(super) fn finish(self, end: End) {
        let Tap {
            decoding,
            mut exchange,
        } = self;
        if end == End::Cancelled {
            exchange.health().cancelled();
            return;
        }
        let reader = match decoding {
            Decoding::Plain(sink) => Ok(sink.0),
            Decoding::Gzip(d) => d
                .finish()
                .map(|s| s.0)
                .map_err(|e| format!("the gzip body is corrupt: {e}")),
            Decoding::Deflate(d) => d
                .finish()
                .map(|s| s.0)
                .map_err(|e| format!("the deflate body is corrupt: {e}")),
            Decoding::Unreadable(why) => Err(why),
        };
        let reader = match reader {
            Ok(reader) => reader,
            Err(why) => {
                exchange.health().failure(why);
                return;
            }
        };
        // A cut body is worth what its reader read (a stream cut after its `message_delta`
        // has its final usage); the cut is the reason when that is not enough.
        let cut = |worth: Result<_, Unaccounted>| match (worth, end) {
            (Err(Unaccounted::Incomplete(_)), End::Cut(why)) => Err(Unaccounted::Incomplete(why)),
            (worth, _) => worth,
        };
        match reader {
            Reader::Message(r) => {
                let worth = cut(r.finish(&exchange.context()));
                exchange.message(worth);
            }
            Reader::Stream(r) => {
                exchange.health().oversized(r.oversized());
                let worth = cut(r.finish(&exchange.context()));
                exchange.message(worth);
            }
            Reader::Results(r, _, out) => {
                for result in out {
                    exchange.result(result);
                }
                exchange.results_end(end == End::Whole && r.whole());
            }
        }
    }
}
