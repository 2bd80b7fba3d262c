//! What the readers share: the bound on captured values, the exchange's context, why a body
//! gave no record, and the record made from a response message's captured parts.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::super::fields;
use super::super::lenient::{Obj, Scalar};
use super::super::parsed::ParseError;
use super::super::raw::{RawUsage, text};
use crate::usage::{Attribution, EventKind, UsageEvent, request_keys};

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
pub(super) fn scalar(bytes: Option<&[u8]>) -> Result<Option<Scalar<'_>>, Unaccounted> {
    match bytes {
        None => Ok(None),
        Some(b) => {
            serde_json::from_slice::<Option<Scalar<'_>>>(b).map_err(|_| Unaccounted::Malformed)
        }
    }
}

/// A captured `usage` object.
pub(super) fn usage<'a>(
    bytes: Option<&'a [u8]>,
    path: &str,
) -> Result<Option<RawUsage<'a>>, Unaccounted> {
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
pub(super) struct Parts<'a> {
    pub(super) id: Option<Scalar<'a>>,
    pub(super) model: Option<Scalar<'a>>,
    pub(super) usage: Option<RawUsage<'a>>,
    pub(super) stop_reason: Option<Scalar<'a>>,
}

/// A usage record of one request from its response's parts: keyed by the request id and the
/// message id (either alone when the other is missing) as every other source's copy of it is.
pub(super) fn record(parts: &Parts<'_>, ctx: &ApiContext<'_>) -> Result<UsageEvent, Unaccounted> {
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
