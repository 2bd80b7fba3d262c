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
mod request;
mod stream;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::fields;
use super::lenient::{Obj, Scalar};
use super::parsed::ParseError;
use super::raw::{RawUsage, text};
use crate::usage::{Attribution, EventKind, UsageEvent, request_keys};

pub(crate) use batch::{BatchRequestReader, BatchResult, BatchResultsReader};
pub(crate) use message::MessageReader;
pub(crate) use request::RequestReader;
pub(crate) use stream::StreamReader;

/// Largest value captured from a body (an `id`, a `model`, a `usage` object with its
/// iterations); larger ones are not read.
pub(crate) const CAPTURE_LIMIT: usize = 8 << 10;

/// What a reader knows about the exchange beyond the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiContext<'a> {
    /// The response's `request-id` header: the key transcripts and telemetry share.
    pub(crate) request_id: Option<&'a str>,
    /// When the request arrived (the record's time).
    pub(crate) at: DateTime<Utc>,
}

/// Why a body that should have carried usage gave no record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unaccounted {
    /// Not JSON (or not server-sent events of JSON).
    #[error("the body is not JSON")]
    Malformed,
    /// The body ended before what the usage needs (a cut stream, a truncated document).
    #[error("{0}")]
    Incomplete(&'static str),
    /// A field the usage needs was larger than the bound and was not read.
    #[error("{0} is too large to read")]
    TooLarge(&'static str),
    /// The body was read but its shape is not the API's.
    #[error("{0}")]
    Schema(ParseError),
}

impl From<ParseError> for Unaccounted {
    fn from(e: ParseError) -> Unaccounted {
        Unaccounted::Schema(e)
    }
}

/// A captured string or number (`null` and absence are `None`).
fn scalar(bytes: Option<&[u8]>) -> Result<Option<Scalar<'_>>, Unaccounted> {
    match bytes {
        None => Ok(None),
        Some(b) => {
            serde_json::from_slice::<Option<Scalar<'_>>>(b).map_err(|_| Unaccounted::Malformed)
        }
    }
}

/// A captured `usage` object.
fn usage<'a>(bytes: Option<&'a [u8]>, path: &str) -> Result<Option<RawUsage<'a>>, Unaccounted> {
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    match serde_json::from_slice::<Option<Obj<RawUsage<'a>>>>(bytes) {
        Ok(Some(Obj::Map(u))) => Ok(Some(u)),
        Ok(None) => Ok(None),
        Ok(Some(Obj::NotMap)) => Err(fields::schema(path, "not an object").into()),
        Err(_) => Err(Unaccounted::Malformed),
    }
}

/// The parts of one response message, as captured.
#[derive(Debug, Default)]
struct Parts<'a> {
    id: Option<Scalar<'a>>,
    model: Option<Scalar<'a>>,
    usage: Option<RawUsage<'a>>,
    stop_reason: Option<Scalar<'a>>,
}

/// A usage record of one request from its response's parts: keyed by the request id and the
/// message id (either alone when the other is missing) as every other source's record of it is.
fn record(parts: &Parts<'_>, ctx: &ApiContext<'_>) -> Result<UsageEvent, Unaccounted> {
    let Some(usage) = &parts.usage else {
        return Err(fields::schema("usage", "missing").into());
    };
    let model = fields::model(parts.model.as_ref(), "model")?;
    let tokens = fields::tokens(usage, "usage")?;
    let stop_reason = fields::stop_reason(parts.stop_reason.as_ref());
    let iterations = fields::iterations(usage, &model, "usage")?;
    let (key, alt_key) = request_keys(ctx.request_id, text(parts.id.as_ref()));
    Ok(UsageEvent {
        key,
        alt_key,
        rank: fields::rank(&tokens, stop_reason),
        timestamp: ctx.at,
        model: Arc::clone(&model),
        tokens,
        tier: fields::tier(usage, None),
        modifiers: fields::modifiers(usage),
        stop_reason,
        kind: EventKind::Request,
        attribution: Attribution::default(),
        iterations,
        estimate: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
