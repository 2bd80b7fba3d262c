//! The serde shape of one line: a union of the fields every supported format reads,
//! borrowed from the line, with content (text, thinking, tool results) skipped unread.
//!
//! The formats put their distinguishing keys in different places (Claude Code writes
//! `message` before `type`), so one pass reads them all and the dispatcher decides by shape.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::lenient::{Entries, Obj, Scalar};

/// Every top-level field any format reads. Unknown fields are skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawLine<'a> {
    // Claude Code transcripts.
    /// `"assistant"`, `"user"`, `"summary"`, … (or `"message"` in an API response).
    #[serde(rename = "type")]
    pub kind: Option<Scalar<'a>>,
    /// The API message of an assistant turn.
    pub message: Option<Obj<RawMessage<'a>>>,
    #[serde(rename = "requestId")]
    pub request_id: Option<Scalar<'a>>,
    pub timestamp: Option<Scalar<'a>>,
    pub cwd: Option<Scalar<'a>>,
    #[serde(rename = "sessionId")]
    pub session_id: Option<Scalar<'a>>,
    #[serde(rename = "gitBranch")]
    pub git_branch: Option<Scalar<'a>>,
    #[serde(rename = "agentId")]
    pub agent_id: Option<Scalar<'a>>,
    #[serde(rename = "isSidechain")]
    pub is_sidechain: Option<Scalar<'a>>,
    /// `true` on the made-up assistant lines Claude Code writes for a failed API call.
    #[serde(rename = "isApiErrorMessage")]
    pub is_api_error: Option<Scalar<'a>>,
    /// Claude Code's own cost of the request, on older assistant lines.
    #[serde(rename = "costUSD")]
    pub cost_usd: Option<Scalar<'a>>,
    /// A `progress` line's payload: a sub-agent's message embedded in its parent transcript.
    pub data: Option<Obj<RawProgress<'a>>>,
    /// `claude -p --output-format stream-json` events name their session this way.
    #[serde(rename = "session_id")]
    pub stream_session_id: Option<Scalar<'a>>,
    /// Set on stream-json events of a sub-agent.
    pub parent_tool_use_id: Option<Scalar<'a>>,
    /// Claude Code's cumulative figures per model (`cost-state` lines, stream-json `result`).
    #[serde(rename = "modelUsage")]
    pub model_usage: Option<Obj<Entries<'a, Obj<RawModelUsage<'a>>>>>,
    /// A `cost-state` line's session total.
    #[serde(rename = "totalCostUSD")]
    pub total_cost: Option<Scalar<'a>>,
    /// A stream-json `result` line's session total.
    pub total_cost_usd: Option<Scalar<'a>>,

    // Application usage logs (a Messages API response at top level, or nested).
    pub usage: Option<Obj<RawUsage<'a>>>,
    pub model: Option<Scalar<'a>>,
    pub id: Option<Scalar<'a>>,
    pub stop_reason: Option<Scalar<'a>>,
    pub service_tier: Option<Scalar<'a>>,
    pub ts: Option<Scalar<'a>>,
    pub created_at: Option<Scalar<'a>>,
    pub tags: Option<Obj<Entries<'a>>>,
    pub metadata: Option<Obj<Entries<'a>>>,
    pub response: Option<Obj<RawMessage<'a>>>,
    /// Written by `--record`: `failed_request` or `bucket` (absent: a request).
    #[serde(rename = "kind")]
    pub record_kind: Option<Scalar<'a>>,
    /// Written by `--record`: the completeness rank the record had when it was counted.
    pub rank: Option<Scalar<'a>>,
    /// Written by `--record` for Admin API buckets: `200k-1M` is the long-context band.
    pub context_window: Option<Scalar<'a>>,
    /// The writing tool's own cost figure for the record (also written by `--record`).
    pub estimate_usd: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: `cost_state` or `otlp_metric`.
    pub origin: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: a running total (`true`) or a delta.
    pub cumulative: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: the requests the tool says it counted.
    pub requests: Option<Scalar<'a>>,

    // Message Batches results.
    pub custom_id: Option<Scalar<'a>>,
    pub result: Option<Obj<RawResult<'a>>>,
}

/// `data` of a `progress` line: the embedded message and the sub-agent that made it
/// (`normalizedMessages`, `prompt` and the rest are skipped).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawProgress<'a> {
    pub message: Option<Obj<RawEnvelope<'a>>>,
    #[serde(rename = "agentId")]
    pub agent_id: Option<Scalar<'a>>,
}

/// `data.message` of a `progress` line: a transcript record around the API message.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawEnvelope<'a> {
    #[serde(rename = "type")]
    pub kind: Option<Scalar<'a>>,
    pub timestamp: Option<Scalar<'a>>,
    #[serde(rename = "requestId")]
    pub request_id: Option<Scalar<'a>>,
    pub message: Option<Obj<RawMessage<'a>>>,
}

/// A Messages API response (or the `message` of a transcript line); content is skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawMessage<'a> {
    pub id: Option<Scalar<'a>>,
    pub role: Option<Scalar<'a>>,
    pub model: Option<Scalar<'a>>,
    pub usage: Option<Obj<RawUsage<'a>>>,
    pub stop_reason: Option<Scalar<'a>>,
    pub service_tier: Option<Scalar<'a>>,
}

/// The API's `usage` object, or one entry of its `iterations` (which adds `type` and
/// `model`; an entry's own `iterations` is never read).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawUsage<'a> {
    /// An iteration's type: `message`, `compaction`, `advisor_message`, …
    #[serde(rename = "type")]
    pub kind: Option<Scalar<'a>>,
    /// An iteration's model (the message's when absent).
    pub model: Option<Scalar<'a>>,
    /// Sampling steps; only entries other than `message` are kept.
    pub iterations: Option<Iterations<'a>>,
    pub input_tokens: Option<Scalar<'a>>,
    pub cache_creation_input_tokens: Option<Scalar<'a>>,
    pub cache_read_input_tokens: Option<Scalar<'a>>,
    pub output_tokens: Option<Scalar<'a>>,
    pub cache_creation: Option<Obj<RawCacheCreation<'a>>>,
    pub server_tool_use: Option<Obj<RawServerToolUse<'a>>>,
    pub service_tier: Option<Scalar<'a>>,
    pub speed: Option<Scalar<'a>>,
    pub inference_geo: Option<Scalar<'a>>,
}

/// `usage.cache_creation`: cache writes split by TTL.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawCacheCreation<'a> {
    pub ephemeral_5m_input_tokens: Option<Scalar<'a>>,
    pub ephemeral_1h_input_tokens: Option<Scalar<'a>>,
}

/// `usage.server_tool_use`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawServerToolUse<'a> {
    pub web_search_requests: Option<Scalar<'a>>,
}

/// One model's entry of Claude Code's `modelUsage`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"), rename_all = "camelCase")]
pub(crate) struct RawModelUsage<'a> {
    pub input_tokens: Option<Scalar<'a>>,
    pub output_tokens: Option<Scalar<'a>>,
    pub cache_read_input_tokens: Option<Scalar<'a>>,
    pub cache_creation_input_tokens: Option<Scalar<'a>>,
    pub web_search_requests: Option<Scalar<'a>>,
    #[serde(rename = "costUSD")]
    pub cost_usd: Option<Scalar<'a>>,
}

/// A Message Batches `result`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawResult<'a> {
    /// `succeeded`, `errored`, `canceled` or `expired`.
    #[serde(rename = "type")]
    pub kind: Option<Scalar<'a>>,
    pub message: Option<Obj<RawMessage<'a>>>,
}

/// The text of an optional string field; other types and absence are `None`.
pub(crate) fn text<'s>(field: Option<&'s Scalar<'_>>) -> Option<&'s str> {
    field.and_then(Scalar::as_str)
}

/// `usage.iterations`: the entries billed on top of the top-level usage. Entries of type
/// `message` (already in the top-level numbers) are read and dropped, so the common list of
/// one `message` entry allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Iterations<'a> {
    /// Entries of any type but `message`, in order.
    pub(crate) kept: Vec<RawUsage<'a>>,
    /// The value was not a list of objects.
    pub(crate) malformed: bool,
}

impl<'a> Iterations<'a> {
    /// Keeps `entry` unless it is a `message` iteration.
    pub(crate) fn offer(&mut self, entry: RawUsage<'a>) {
        if entry.kind.as_ref().and_then(Scalar::as_str) != Some("message") {
            self.kept.push(entry);
        }
    }

    /// A value that is not a list of objects.
    fn malformed() -> Self {
        Iterations {
            kept: Vec::new(),
            malformed: true,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Iterations<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IterationsVisitor(PhantomData))
    }
}

struct IterationsVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for IterationsVisitor<'a> {
    type Value = Iterations<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of iterations")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Iterations::default();
        while let Some(entry) = seq.next_element::<Obj<RawUsage<'a>>>()? {
            match entry {
                Obj::Map(entry) => out.offer(entry),
                Obj::NotMap => out.malformed = true,
            }
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Iterations::malformed())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Iterations::malformed())
    }
}
