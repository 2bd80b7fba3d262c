//! The Anthropic API's bodies as a proxy sees them pass, read incrementally in bounded memory:
//! a Messages response as JSON ([`MessageReader`]) or as server-sent events
//! ([`StreamReader`]: `message_start` and `message_delta` give the final usage), Message
//! Batches results ([`BatchResultsReader`], one record per line), and the few request fields
//! that attribute a call ([`RequestReader`]: `metadata.user_id`; [`BatchRequestReader`]: each
//! batch request's `custom_id` and user).
//!
//! Each reader is fed the body's chunks as they pass and says at the end what the body was
//! worth: a usage record keyed as every other source keys the same request (the request id,
//! else the message id), or why it could not be counted ([`Unaccounted`]).

mod batch;
mod message;
mod parts;
mod request;
mod stream;

pub(crate) use batch::{BatchRequestReader, BatchResult, BatchResultsReader};
pub(crate) use message::MessageReader;
pub(crate) use parts::{ApiContext, Unaccounted};
pub(crate) use request::RequestReader;
pub(crate) use stream::StreamReader;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the bytes and wherever they are cut, no reader panics.
        #[test]
        fn readers_never_panic_on_arbitrary_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..1024),
            cut in 0usize..1024,
        ) {
            let cut = cut.min(bytes.len());
            let ctx = ApiContext { request_id: None, at: Utc::now() };
            let line = super::super::LineContext { fallback_time: Utc::now(), path: "" };
            let mut message = MessageReader::new();
            let mut stream = StreamReader::new();
            let mut results = BatchResultsReader::new();
            let mut request = RequestReader::new();
            let mut batch = BatchRequestReader::new();
            for part in [&bytes[..cut], &bytes[cut..]] {
                message.feed(part);
                stream.feed(part);
                results.feed(part, &line, &mut |_| {});
                request.feed(part);
                batch.feed(part);
            }
            let _ = (message.finish(&ctx), stream.finish(&ctx), results.whole(), request.user());
            let _ = batch.into_users();
        }
    }
}
