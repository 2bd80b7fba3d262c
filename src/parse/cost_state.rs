//! Claude Code's own cost figures: `type: "cost-state"` transcript lines and the final
//! `type: "result"` line of `claude -p --output-format stream-json`. Both are running totals
//! per session (per model under `modelUsage`): a check shown beside costtop's figures, never
//! a request and never a price.

use std::sync::Arc;

use super::fields::{self, schema};
use super::lenient::{Entries, Obj, Scalar};
use super::parsed::{LineContext, ParseError, Parsed};
use super::raw::{RawLine, RawModelUsage};
use super::times;
use crate::money::Money;
use crate::usage::{EstimateOrigin, Tokens, ToolEstimate};

/// Which of the two shapes a line is, for its field names.
#[derive(Clone, Copy)]
enum Shape {
    /// `{"type":"cost-state","sessionId":…,"totalCostUSD":…,"modelUsage":{…}}`.
    CostState,
    /// `{"type":"result","session_id":…,"total_cost_usd":…,"usage":{…},"modelUsage":{…}}`.
    StreamResult,
}

/// Reads a `cost-state` line: one cumulative estimate per model of `modelUsage` (or one for
/// the whole session from `totalCostUSD` when it names no model).
pub(crate) fn parse(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    finish(estimates(line, ctx, Shape::CostState))
}

/// Reads the final `result` line of a stream-json file the same way (its cumulative `usage`
/// is the session's, never a request). A `result` line without cost figures is not usage.
pub(crate) fn parse_result(line: &RawLine<'_>, ctx: &LineContext<'_>) -> Parsed {
    if line.model_usage.is_none() && line.total_cost_usd.is_none() {
        return Parsed::NotUsage;
    }
    finish(estimates(line, ctx, Shape::StreamResult))
}

fn finish(result: Result<Vec<ToolEstimate>, ParseError>) -> Parsed {
    match result {
        Ok(estimates) if estimates.is_empty() => Parsed::NotUsage,
        Ok(estimates) => Parsed::Estimates(estimates),
        Err(error) => Parsed::Invalid(error),
    }
}

fn estimates(
    line: &RawLine<'_>,
    ctx: &LineContext<'_>,
    shape: Shape,
) -> Result<Vec<ToolEstimate>, ParseError> {
    let session = match shape {
        Shape::CostState => fields::label(line.session_id.as_ref()),
        Shape::StreamResult => fields::label(line.stream_session_id.as_ref()),
    };
    // Written without a time: the file's, as for the other undated formats.
    let at = match &line.timestamp {
        Some(value) => times::time(value, "timestamp")?,
        None => ctx.fallback_time,
    };
    let estimate = |model: Option<Arc<str>>, cost: Money, tokens: Tokens| ToolEstimate {
        origin: EstimateOrigin::CostState,
        session: session.clone(),
        user: None,
        model,
        at,
        cost,
        tokens,
        requests: None,
        cumulative: true,
    };
    let mut per_model = Vec::new();
    match &line.model_usage {
        Some(Obj::NotMap) => return Err(schema("modelUsage", "not an object")),
        Some(Obj::Map(Entries(models))) => {
            for (i, (model, figures)) in models.iter().enumerate() {
                let path = format!("modelUsage[{i}]");
                let Obj::Map(figures) = figures else {
                    return Err(schema(&path, "not an object"));
                };
                if model.trim().is_empty() {
                    return Err(schema(&path, "empty model id"));
                }
                // A model Claude Code could not price (or a run stopped early) has no cost.
                if let Some((cost, tokens)) = model_figures(figures, &path)? {
                    per_model.push(estimate(Some(fields::shared(model)), cost, tokens));
                }
            }
        }
        None => {}
    }
    if !per_model.is_empty() {
        return Ok(per_model);
    }
    let (total, path) = match shape {
        Shape::CostState => (&line.total_cost, "totalCostUSD"),
        Shape::StreamResult => (&line.total_cost_usd, "total_cost_usd"),
    };
    let cost = match (total, shape) {
        (Some(value), _) => fields::dollars(value, path)?,
        (None, Shape::StreamResult) => return Ok(Vec::new()),
        (None, Shape::CostState) => return Err(schema(path, "missing")),
    };
    let tokens = match (&line.usage, shape) {
        (Some(Obj::Map(usage)), Shape::StreamResult) => fields::tokens(usage, "usage")?,
        _ => Tokens::default(),
    };
    Ok(vec![estimate(None, cost, tokens)])
}

/// One model's cost and tokens (cache writes split by TTL when the entry gives the split, as
/// 2.1.328 does; else all as 5-minute); `None` when the entry names no cost. `thinkingTokens`
/// is part of `outputTokens` and not read.
fn model_figures(m: &RawModelUsage<'_>, path: &str) -> Result<Option<(Money, Tokens)>, ParseError> {
    let count =
        |value: &Option<Scalar<'_>>, name: &str| fields::count(value.as_ref(), path, name, false);
    let cost = match &m.cost_usd {
        Some(value) => fields::dollars(value, &format!("{path}.costUSD"))?,
        None => return Ok(None),
    };
    let writes = count(&m.cache_creation_input_tokens, "cacheCreationInputTokens")?;
    let long = count(
        &m.cache_creation_ephemeral1h_input_tokens,
        "cacheCreationEphemeral1hInputTokens",
    )?;
    let short = match &m.cache_creation_ephemeral5m_input_tokens {
        Some(_) => count(
            &m.cache_creation_ephemeral5m_input_tokens,
            "cacheCreationEphemeral5mInputTokens",
        )?,
        None => writes.saturating_sub(long),
    };
    let tokens = Tokens {
        input: count(&m.input_tokens, "inputTokens")?,
        cache_write_5m: short,
        cache_write_1h: long,
        cache_read: count(&m.cache_read_input_tokens, "cacheReadInputTokens")?,
        output: count(&m.output_tokens, "outputTokens")?,
        web_search_requests: count(&m.web_search_requests, "webSearchRequests")?,
    };
    Ok(Some((cost, tokens)))
}
