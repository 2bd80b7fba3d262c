//! Application usage logs: one JSON object per API request, written by your own service.
//!
//! # Accepted format
//!
//! One JSON object per line (JSON Lines). A line is a usage record when it has a `usage`
//! object at the top level, or a `response` object that has one:
//!
//! ```json
//! {"timestamp":"2026-11-03T14:03:07Z","model":"claude-sonnet-4-5","id":"msg_01Xyz",
//!  "usage":{"input_tokens":1200,"output_tokens":310,"cache_read_input_tokens":8000},
//!  "stop_reason":"end_turn","tags":{"feature":"chat","team":"growth"}}
//! {"ts":1793714587123,"response":{ ...the Messages API response as returned... },
//!  "metadata":{"feature":"classify","project":"support-bot"}}
//! ```
//!
//! | field | required | meaning |
//! |---|---|---|
//! | `usage` (or `response.usage`) | yes | the API's usage object (below) |
//! | `model` (or `response.model`) | yes | the model id the request used |
//! | `timestamp`, `ts` or `created_at` | no | RFC 3339 string, or epoch seconds or milliseconds as a number or numeric string (values above 1e11 are milliseconds); first one present wins; absent: the file's modification time |
//! | `id` (or `response.id`) | no | the message id (`msg_…`), or a request id (`req_…`); records with the same id are counted once (the most complete wins), whichever source they come from |
//! | `request_id` (or `requestId`) | no | the request id (`req_…`, the `request-id` response header; the Python SDK's `message._request_id`, the TypeScript SDK's `message._request_id`): with `id`, both ids name the one request |
//! | `stop_reason` (or `response.stop_reason`) | no | `max_tokens` counts as cut off |
//! | `service_tier` | no | `standard`, `batch` or `priority`; also read from `usage.service_tier`, which wins |
//! | `tags`, `metadata` | no | objects whose string, number and boolean values become tags (other values are ignored); on a clash `tags` wins. Tag `project` also sets the project, tag `session` the session |
//! | `estimate_usd` | no | what the writing tool itself computed the request cost (shown beside costtop's figure as a check, never used as a price) |
//! | `kind`, `rank`, `context_window` | no | written by `--record`: `failed_request`, `bucket`, `iteration` or `estimate` (default `request`), the completeness rank the record was counted with, and `200k-1M` for long-context Admin API buckets |
//!
//! Usage object fields: `input_tokens` and `output_tokens` (required), `cache_read_input_tokens`,
//! `cache_creation_input_tokens`, `cache_creation.ephemeral_5m_input_tokens` /
//! `ephemeral_1h_input_tokens` (when present they split the cache writes by TTL; otherwise all
//! writes are 5-minute), `server_tool_use.web_search_requests`, `speed` (`"fast"` = fast mode),
//! `inference_geo` (`"us"` = US-only inference), `iterations` (entries other than `message` —
//! `compaction`, `advisor_message`, … — are billed on top, each at its own `model`, else the
//! request's). Token counts are non-negative integers.
//!
//! A `kind: "estimate"` line (written by `--record`) is another tool's running total or delta
//! for a session: `origin` (`cost_state` or `otlp_metric`), `cumulative`, `model` (optional),
//! `estimate_usd`, the tokens it counted under `usage`, `requests`, and the session and user
//! as tags.
//! When the response is nested under `response`, its fields win over top-level ones.
//! Other fields are ignored.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::fields::{self, schema};
use super::lenient::{Entries, Obj, Scalar};
use super::parsed::{LineContext, ParseError, Parsed};
use super::raw::{RawLine, RawMessage, RawUsage};
use super::times;
use crate::usage::{
    Attribution, EstimateOrigin, EventKind, ToolEstimate, UsageEvent, id_keys, request_keys,
};

/// Whether a line has the shape of an application log record (top-level `usage`, or
/// `response.usage`).
pub(crate) fn matches(line: &RawLine<'_>) -> bool {
    line.usage.is_some()
        || matches!(&line.response, Some(Obj::Map(response)) if response.usage.is_some())
}

/// Reads one application log record; `ctx.fallback_time` stands in for a missing timestamp.
pub(crate) fn parse(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    match build(line, ctx) {
        Ok(event) => Parsed::Usage(event),
        Err(error) => Parsed::Invalid(error),
    }
}

/// Where the usage-bearing fields are: the top level, or a nested `response`.
struct Source<'l, 'a> {
    usage: &'l RawUsage<'a>,
    usage_path: &'static str,
    nested: Option<&'l RawMessage<'a>>,
}

fn locate<'l, 'a>(line: &'l RawLine<'a>) -> Result<Source<'l, 'a>, ParseError> {
    match (&line.usage, &line.response) {
        (Some(Obj::Map(usage)), _) => Ok(Source {
            usage,
            usage_path: "usage",
            nested: None,
        }),
        (Some(Obj::NotMap), _) => Err(schema("usage", "not an object")),
        (None, Some(Obj::Map(response))) => match &response.usage {
            Some(Obj::Map(usage)) => Ok(Source {
                usage,
                usage_path: "response.usage",
                nested: Some(response),
            }),
            _ => Err(schema("response.usage", "not an object")),
        },
        (None, _) => Err(schema("usage", "missing")),
    }
}

fn build(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Result<UsageEvent, ParseError> {
    let source = locate(line)?;
    let response = source.nested;
    let (model, model_path) = match response.and_then(|r| r.model.as_ref()) {
        Some(model) => (Some(model), "response.model"),
        None => (line.model.as_ref(), "model"),
    };
    let kind = match line.record_kind.as_ref().and_then(Scalar::as_str) {
        None | Some("request") => EventKind::Request,
        Some("failed_request") => EventKind::FailedRequest,
        Some("bucket") => EventKind::Bucket,
        Some("iteration") => EventKind::Iteration,
        Some(_) => {
            return Err(schema(
                "kind",
                "not request, failed_request, bucket or iteration",
            ));
        }
    };
    // A failed request (recorded errored batch result) may have no model.
    let model = match fields::model(model, model_path) {
        Err(_) if kind == EventKind::FailedRequest => Arc::from(""),
        other => other?,
    };
    let tokens = fields::tokens(source.usage, source.usage_path)?;
    let stop_reason = fields::stop_reason(
        response
            .and_then(|r| r.stop_reason.as_ref())
            .or(line.stop_reason.as_ref()),
    );
    let tier_beside = response
        .and_then(|r| r.service_tier.as_ref())
        .or(line.service_tier.as_ref());
    let id = response
        .and_then(|r| r.id.as_ref())
        .or(line.id.as_ref())
        .and_then(Scalar::to_text)
        .filter(|id| !id.is_empty());
    let request_id = line
        .request_id_snake
        .as_ref()
        .or(line.request_id.as_ref())
        .and_then(Scalar::to_text)
        .filter(|id| !id.is_empty());
    let (key, alt_key) = match &id {
        Some(id) => id_keys(id, request_id.as_deref()),
        None => request_keys(request_id.as_deref(), None),
    };
    let rank = match &line.rank {
        None => fields::rank(&tokens, stop_reason),
        Some(Scalar::Unsigned(n)) => *n,
        Some(_) => return Err(schema("rank", "not a non-negative integer")),
    };
    let iterations = fields::iterations(source.usage, &model, source.usage_path)?;
    let estimate = line
        .estimate_usd
        .as_ref()
        .map(|v| fields::dollars(v, "estimate_usd"))
        .transpose()?;
    let mut modifiers = fields::modifiers(source.usage);
    modifiers.long_context = line
        .context_window
        .as_ref()
        .and_then(Scalar::as_str)
        .is_some_and(|w| w == "200k-1M");
    Ok(UsageEvent {
        key,
        alt_key,
        rank,
        timestamp: timestamp(line, ctx)?,
        model,
        tokens,
        tier: fields::tier(source.usage, tier_beside),
        modifiers,
        stop_reason,
        kind,
        attribution: attribution(line)?,
        iterations,
        estimate,
    })
}

/// Reads a recorded tool estimate (`kind: "estimate"`).
pub(crate) fn parse_estimate(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    match estimate(line, ctx) {
        Ok(estimate) => Parsed::Estimates(vec![estimate]),
        Err(error) => Parsed::Invalid(error),
    }
}

fn estimate(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Result<ToolEstimate, ParseError> {
    let origin = match line.origin.as_ref().and_then(Scalar::as_str) {
        Some("cost_state") => EstimateOrigin::CostState,
        Some("otlp_metric") => EstimateOrigin::OtlpMetric,
        _ => return Err(schema("origin", "not cost_state or otlp_metric")),
    };
    let cumulative = match &line.cumulative {
        Some(Scalar::Bool(b)) => *b,
        _ => return Err(schema("cumulative", "not true or false")),
    };
    let cost = match &line.estimate_usd {
        Some(value) => fields::dollars(value, "estimate_usd")?,
        None => return Err(schema("estimate_usd", "missing")),
    };
    let tokens = match &line.usage {
        None => crate::usage::Tokens::default(),
        Some(Obj::Map(usage)) => fields::tokens(usage, "usage")?,
        Some(Obj::NotMap) => return Err(schema("usage", "not an object")),
    };
    let requests = match &line.requests {
        None => None,
        Some(Scalar::Unsigned(n)) => Some(*n),
        Some(_) => return Err(schema("requests", "not a non-negative integer")),
    };
    let a = attribution(line)?;
    Ok(ToolEstimate {
        origin,
        session: a.session,
        user: a
            .tags
            .iter()
            .find(|(k, _)| &**k == "user")
            .map(|(_, v)| Arc::clone(v)),
        model: fields::label(line.model.as_ref()),
        at: timestamp(line, ctx)?,
        cost,
        tokens,
        requests,
        cumulative,
    })
}

/// The first of `timestamp`, `ts`, `created_at` that is present, else the fallback.
fn timestamp(
    line: &RawLine<'_>,
    ctx: &LineContext<'_>,
) -> Result<chrono::DateTime<chrono::Utc>, ParseError> {
    let candidates = [
        (&line.timestamp, "timestamp"),
        (&line.ts, "ts"),
        (&line.created_at, "created_at"),
    ];
    match candidates
        .iter()
        .find_map(|(v, p)| v.as_ref().map(|v| (v, *p)))
    {
        Some((value, path)) => times::time(value, path),
        None => Ok(ctx.fallback_time),
    }
}

/// Tags from `metadata` then `tags` (later wins), sorted by key; `project` and `session`
/// tags also fill the attribution fields of the same name.
fn attribution(line: &RawLine<'_>) -> Result<Attribution, ParseError> {
    let mut merged: BTreeMap<Cow<'_, str>, Cow<'_, str>> = BTreeMap::new();
    for (field, path) in [(&line.metadata, "metadata"), (&line.tags, "tags")] {
        match field {
            None => {}
            Some(Obj::NotMap) => return Err(schema(path, "not an object")),
            Some(Obj::Map(Entries(entries))) => {
                for (key, value) in entries {
                    if let Some(value) = value.to_text() {
                        merged.insert(Cow::Borrowed(&**key), value);
                    }
                }
            }
        }
    }
    let tags: Vec<(Arc<str>, Arc<str>)> = merged
        .into_iter()
        .map(|(k, v)| (Arc::from(&*k), Arc::from(&*v)))
        .collect();
    let find = |name: &str| {
        tags.iter()
            .find(|(k, v)| &**k == name && !v.is_empty())
            .map(|(_, v)| Arc::clone(v))
    };
    Ok(Attribution {
        project: find("project"),
        session: find("session"),
        tags,
    })
}
