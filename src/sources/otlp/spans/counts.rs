//! Token counts of one LLM span, read the way each instrumentation writes them: the Messages
//! API response an instrumentation recorded whole (OpenInference's `output.value`), the GenAI
//! convention with the `anthropic` SDK's TTL split (`gen_ai.usage.*`,
//! `anthropic.usage.cache_creation.ephemeral_{5m,1h}_input_tokens`), or OpenInference's
//! `llm.token_count.*`. For Anthropic every convention's input count *includes* the cache
//! reads and writes: uncached input is what remains after taking them out.

use opentelemetry_proto::tonic::common::v1::any_value::Value;

use super::super::attrs::{self, Attrs};
use crate::parse::{LineContext, Parsed, parse_line};
use crate::usage::{StopReason, Tier, Tokens, UsageEvent};

/// The instrumentation scope of OpenLLMetry (`opentelemetry-instrumentation-anthropic`).
pub(super) const OPENLLMETRY_SCOPE: &str = "opentelemetry.instrumentation.anthropic";

/// What one span says about its request.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Counts {
    pub(super) tokens: Tokens,
    /// The cache writes carried a 5m/1h split (or there were none).
    pub(super) ttl_known: bool,
    pub(super) stop_reason: Option<StopReason>,
    pub(super) tier: Option<Tier>,
    /// The request id (`req_…`) and message id (`msg_…`), when the span names them.
    pub(super) request_id: Option<String>,
    pub(super) message_id: Option<String>,
    /// The counts are known to be approximate (OpenLLMetry's streamed output): any other
    /// copy of the request wins.
    pub(super) approximate: bool,
}

/// Reads the span's counts; `Ok(None)` when it names none (an LLM span that cannot be read).
pub(super) fn read(a: Attrs<'_>, scope: &str) -> Result<Option<Counts>, String> {
    if let Some(counts) = recorded_response(a) {
        return Ok(Some(counts));
    }
    if a.get("gen_ai.usage.input_tokens").is_some() || a.get("gen_ai.usage.output_tokens").is_some()
    {
        return genai(a, scope).map(Some);
    }
    if a.get("llm.token_count.prompt").is_some() || a.get("llm.token_count.completion").is_some() {
        return openinference(a).map(Some);
    }
    Ok(None)
}

/// The GenAI convention (`anthropic` SDK spans, OpenLLMetry, hand-written instrumentation).
fn genai(a: Attrs<'_>, scope: &str) -> Result<Counts, String> {
    let input = a.required_count("gen_ai.usage.input_tokens")?;
    let mut output = a.required_count("gen_ai.usage.output_tokens")?;
    let read = a
        .count("gen_ai.usage.cache_read.input_tokens")?
        .unwrap_or(0);
    let writes = match a.count("gen_ai.usage.cache_creation.input_tokens")? {
        Some(n) => n,
        None => a
            .count("gen_ai.usage.cache_write.input_tokens")?
            .unwrap_or(0),
    };
    let five = a.count("anthropic.usage.cache_creation.ephemeral_5m_input_tokens")?;
    let hour = a.count("anthropic.usage.cache_creation.ephemeral_1h_input_tokens")?;
    let approximate = scope.starts_with(OPENLLMETRY_SCOPE);
    if approximate && streamed(a) {
        // OpenLLMetry adds `message_start`'s placeholder output count (1) to the final,
        // already cumulative count of `message_delta`: one token too many per stream.
        output = output.saturating_sub(1);
    }
    let (tokens, ttl_known) = split(input, read, writes, five, hour, output);
    let stop_reason = match a.get("gen_ai.response.finish_reasons") {
        Some(Value::ArrayValue(list)) => Some(
            if list.values.iter().any(|v| {
                matches!(&v.value, Some(Value::StringValue(s)) if s == "max_tokens" || s == "length")
            }) {
                StopReason::MaxTokens
            } else {
                StopReason::Other
            },
        ),
        _ => a.text("anthropic.message.stop_reason").map(stop_reason),
    };
    Ok(Counts {
        tokens,
        ttl_known,
        stop_reason,
        tier: a
            .text("anthropic.response.service_tier")
            .or_else(|| a.text("gen_ai.anthropic.service_tier"))
            .or_else(|| a.text("gen_ai.response.service_tier"))
            .map(Tier::from_api),
        request_id: a.text("anthropic.request.id").map(str::to_owned),
        message_id: a.text("gen_ai.response.id").map(str::to_owned),
        approximate,
    })
}

/// OpenInference's `llm.token_count.*` (no TTL split, no ids).
fn openinference(a: Attrs<'_>) -> Result<Counts, String> {
    let input = a.required_count("llm.token_count.prompt")?;
    let output = a.required_count("llm.token_count.completion")?;
    let read = a
        .count("llm.token_count.prompt_details.cache_read")?
        .unwrap_or(0);
    let writes = a
        .count("llm.token_count.prompt_details.cache_write")?
        .unwrap_or(0);
    let (tokens, ttl_known) = split(input, read, writes, None, None, output);
    Ok(Counts {
        tokens,
        ttl_known,
        stop_reason: a.text("llm.finish_reason").map(stop_reason),
        ..Counts::default()
    })
}

/// The Messages API response an instrumentation recorded whole (OpenInference's
/// `output.value`, JSON): every field the API gives, the TTL split and the message id included.
fn recorded_response(a: Attrs<'_>) -> Option<Counts> {
    if a.text("output.mime_type") != Some("application/json") {
        return None;
    }
    let value = a.text("output.value")?;
    if !value.contains("\"usage\"") {
        return None;
    }
    let ctx = LineContext {
        fallback_time: chrono::DateTime::UNIX_EPOCH,
        path: "",
    };
    let Parsed::Usage(UsageEvent {
        tokens,
        stop_reason,
        tier,
        ..
    }) = parse_line(value.as_bytes(), &ctx)
    else {
        return None;
    };
    let message_id = serde_json::from_str::<IdOnly>(value).ok()?.id;
    Some(Counts {
        tokens,
        ttl_known: true,
        stop_reason,
        tier: Some(tier),
        request_id: None,
        message_id: message_id.filter(|id| !id.is_empty()),
        approximate: false,
    })
}

#[derive(serde::Deserialize)]
struct IdOnly {
    id: Option<String>,
}

/// Whether the span says its response was streamed.
fn streamed(a: Attrs<'_>) -> bool {
    [
        "gen_ai.is_streaming",
        "llm.is_streaming",
        "gen_ai.request.stream",
    ]
    .iter()
    .any(|k| matches!(a.get(k), Some(Value::BoolValue(true))))
}

fn stop_reason(s: &str) -> StopReason {
    if s == "max_tokens" || s == "length" {
        StopReason::MaxTokens
    } else {
        StopReason::Other
    }
}

/// Token counts from an input total that includes the cache, with the TTL split when given;
/// the flag says whether the split is known (no writes: nothing to split).
fn split(
    input: u64,
    read: u64,
    writes: u64,
    five: Option<u64>,
    hour: Option<u64>,
    output: u64,
) -> (Tokens, bool) {
    let (short, long, known) = match attrs::ttl_split(writes, five, hour) {
        Some((short, long)) => (short, long, true),
        None => (writes, 0, writes == 0),
    };
    let tokens = Tokens {
        input: input.saturating_sub(read).saturating_sub(short + long),
        output,
        cache_read: read,
        cache_write_5m: short,
        cache_write_1h: long,
        ..Tokens::default()
    };
    (tokens, known)
}
