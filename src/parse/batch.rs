//! Message Batches results (`custom_id`, `result.type`, `result.message`): always billed
//! at the batch tier; errored, canceled and expired results are requests with no cost.

use std::sync::Arc;

use super::fields::{self, schema};
use super::lenient::{Obj, Scalar};
use super::parsed::{LineContext, ParseError, Parsed};
use super::raw::{RawResult, text};
use crate::usage::{Attribution, EventKind, Tier, Tokens, UsageEvent, dedupe_key, message_key};

/// Reads one result line. Results carry no time, so the event takes `ctx.fallback_time`.
/// `custom_id` is part of the key but never a tag (its values are unbounded).
pub(crate) fn parse(
    custom_id: &Scalar<'_>,
    result: &RawResult<'_>,
    ctx: &LineContext<'_>,
) -> Parsed {
    match build(custom_id, result, ctx) {
        Ok(event) => Parsed::Usage(event),
        Err(error) => Parsed::Invalid(error),
    }
}

fn build(
    custom_id: &Scalar<'_>,
    result: &RawResult<'_>,
    ctx: &LineContext<'_>,
) -> Result<UsageEvent, ParseError> {
    let custom_id = custom_id
        .to_text()
        .ok_or_else(|| schema("custom_id", "not a string"))?;
    let outcome = match &result.kind {
        None => return Err(schema("result.type", "missing")),
        Some(kind) => kind
            .as_str()
            .ok_or_else(|| schema("result.type", "not a string"))?,
    };
    match outcome {
        "succeeded" => succeeded(&custom_id, result, ctx),
        "errored" | "canceled" | "expired" => Ok(UsageEvent {
            alt_key: None,
            key: Some(dedupe_key(&[
                b"batch",
                custom_id.as_bytes(),
                outcome.as_bytes(),
            ])),
            rank: 0,
            timestamp: ctx.fallback_time,
            model: Arc::from(""),
            tokens: Tokens::default(),
            tier: Tier::Batch,
            modifiers: crate::usage::Modifiers::default(),
            stop_reason: None,
            kind: EventKind::FailedRequest,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }),
        _ => Err(schema(
            "result.type",
            "not one of succeeded, errored, canceled, expired",
        )),
    }
}

fn succeeded(
    custom_id: &str,
    result: &RawResult<'_>,
    ctx: &LineContext<'_>,
) -> Result<UsageEvent, ParseError> {
    let message = match &result.message {
        None => return Err(schema("result.message", "missing")),
        Some(Obj::NotMap) => return Err(schema("result.message", "not an object")),
        Some(Obj::Map(message)) => message,
    };
    let usage = match &message.usage {
        None => return Err(schema("result.message.usage", "missing")),
        Some(Obj::NotMap) => return Err(schema("result.message.usage", "not an object")),
        Some(Obj::Map(usage)) => usage,
    };
    let model = fields::model(message.model.as_ref(), "result.message.model")?;
    let tokens = fields::tokens(usage, "result.message.usage")?;
    let iterations = fields::iterations(usage, &model, "result.message.usage")?;
    let stop_reason = fields::stop_reason(message.stop_reason.as_ref());
    let real_id = text(message.id.as_ref()).filter(|id| !id.is_empty());
    let message_id = real_id.unwrap_or("succeeded");
    Ok(UsageEvent {
        // The result's message id, as the proxy or an application log of it would name it.
        alt_key: real_id.map(message_key),
        key: Some(dedupe_key(&[
            b"batch",
            custom_id.as_bytes(),
            message_id.as_bytes(),
        ])),
        rank: fields::rank(&tokens, stop_reason),
        timestamp: ctx.fallback_time,
        model,
        tokens,
        tier: Tier::Batch,
        modifiers: fields::modifiers(usage),
        stop_reason,
        kind: EventKind::Request,
        attribution: Attribution::default(),
        iterations,
        estimate: None,
    })
}
