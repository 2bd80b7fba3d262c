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
    pub(crate) kind: Option<Scalar<'a>>,
    /// The API message of an assistant turn.
    pub(crate) message: Option<Obj<RawMessage<'a>>>,
    #[serde(rename = "requestId")]
    pub(crate) request_id: Option<Scalar<'a>>,
    pub(crate) timestamp: Option<Scalar<'a>>,
    pub(crate) cwd: Option<Scalar<'a>>,
    #[serde(rename = "sessionId")]
    pub(crate) session_id: Option<Scalar<'a>>,
    #[serde(rename = "gitBranch")]
    pub(crate) git_branch: Option<Scalar<'a>>,
    #[serde(rename = "agentId")]
    pub(crate) agent_id: Option<Scalar<'a>>,
    #[serde(rename = "isSidechain")]
    pub(crate) is_sidechain: Option<Scalar<'a>>,
    /// `true` on the made-up assistant lines Claude Code writes for a failed API call.
    #[serde(rename = "isApiErrorMessage")]
    pub(crate) is_api_error: Option<Scalar<'a>>,
    /// Claude Code's own cost of the request, on older assistant lines.
    #[serde(rename = "costUSD")]
    pub(crate) cost_usd: Option<Scalar<'a>>,
    /// A `progress` line's payload: a sub-agent's message embedded in its parent transcript.
    pub(crate) data: Option<Obj<RawProgress<'a>>>,
    /// `claude -p --output-format stream-json` events name their session this way.
    #[serde(rename = "session_id")]
    pub(crate) stream_session_id: Option<Scalar<'a>>,
    /// Set on stream-json events of a sub-agent.
    pub(crate) parent_tool_use_id: Option<Scalar<'a>>,
    /// Claude Code's cumulative figures per model (`cost-state` lines, stream-json `result`).
    #[serde(rename = "modelUsage")]
    pub(crate) model_usage: Option<Obj<Entries<'a, Obj<RawModelUsage<'a>>>>>,
    /// A `cost-state` line's session total.
    #[serde(rename = "totalCostUSD")]
    pub(crate) total_cost: Option<Scalar<'a>>,
    /// A stream-json `result` line's session total.
    pub(crate) total_cost_usd: Option<Scalar<'a>>,

    // Application usage logs (a Messages API response at top level, or nested).
    pub(crate) usage: Option<Obj<RawUsage<'a>>>,
    pub(crate) model: Option<Scalar<'a>>,
    pub(crate) id: Option<Scalar<'a>>,
    /// An application log's request id (`req_…`) beside the message's `id`.
    #[serde(rename = "request_id")]
    pub(crate) request_id_snake: Option<Scalar<'a>>,
    pub(crate) stop_reason: Option<Scalar<'a>>,
    pub(crate) service_tier: Option<Scalar<'a>>,
    pub(crate) ts: Option<Scalar<'a>>,
    pub(crate) created_at: Option<Scalar<'a>>,
    pub(crate) tags: Option<Obj<Entries<'a>>>,
    pub(crate) metadata: Option<Obj<Entries<'a>>>,
    pub(crate) response: Option<Obj<RawMessage<'a>>>,
    /// Written by `--record`: `failed_request` or `bucket` (absent: a request).
    #[serde(rename = "kind")]
    pub(crate) record_kind: Option<Scalar<'a>>,
    /// Written by `--record`: the completeness rank the record had when it was counted.
    pub(crate) rank: Option<Scalar<'a>>,
    /// Written by `--record` for Admin API buckets: `200k-1M` is the long-context band.
    pub(crate) context_window: Option<Scalar<'a>>,
    /// The writing tool's own cost figure for the record (also written by `--record`).
    pub(crate) estimate_usd: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: `cost_state` or `otlp_metric`.
    pub(crate) origin: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: a running total (`true`) or a delta.
    pub(crate) cumulative: Option<Scalar<'a>>,
    /// Written by `--record` for tool estimates: the requests the tool says it counted.
    pub(crate) requests: Option<Scalar<'a>>,

    // Message Batches results.
    pub(crate) custom_id: Option<Scalar<'a>>,
    pub(crate) result: Option<Obj<RawResult<'a>>>,
}

/// `data` of a `progress` line: the embedded message and the sub-agent that made it
/// (`normalizedMessages`, `prompt` and the rest are skipped).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawProgress<'a> {
    pub(crate) message: Option<Obj<RawEnvelope<'a>>>,
    #[serde(rename = "agentId")]
    pub(crate) agent_id: Option<Scalar<'a>>,
}

/// `data.message` of a `progress` line: a transcript record around the API message.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawEnvelope<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: Option<Scalar<'a>>,
    pub(crate) timestamp: Option<Scalar<'a>>,
    #[serde(rename = "requestId")]
    pub(crate) request_id: Option<Scalar<'a>>,
    pub(crate) message: Option<Obj<RawMessage<'a>>>,
}

/// A Messages API response (or the `message` of a transcript line); content is skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawMessage<'a> {
    pub(crate) id: Option<Scalar<'a>>,
    pub(crate) role: Option<Scalar<'a>>,
    pub(crate) model: Option<Scalar<'a>>,
    pub(crate) usage: Option<Obj<RawUsage<'a>>>,
    pub(crate) stop_reason: Option<Scalar<'a>>,
    pub(crate) service_tier: Option<Scalar<'a>>,
}

/// The API's `usage` object, or one entry of its `iterations` (which adds `type` and
/// `model`; an entry's own `iterations` is never read).
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawUsage<'a> {
    /// An iteration's type: `message`, `compaction`, `advisor_message`, …
    #[serde(rename = "type")]
    pub(crate) kind: Option<Scalar<'a>>,
    /// An iteration's model (the message's when absent).
    pub(crate) model: Option<Scalar<'a>>,
    /// Sampling steps; only entries other than `message` are kept.
    pub(crate) iterations: Option<Iterations<'a>>,
    pub(crate) input_tokens: Option<Scalar<'a>>,
    pub(crate) cache_creation_input_tokens: Option<Scalar<'a>>,
    pub(crate) cache_read_input_tokens: Option<Scalar<'a>>,
    pub(crate) output_tokens: Option<Scalar<'a>>,
    pub(crate) cache_creation: Option<Obj<RawCacheCreation<'a>>>,
    pub(crate) server_tool_use: Option<Obj<RawServerToolUse<'a>>>,
    pub(crate) service_tier: Option<Scalar<'a>>,
    pub(crate) speed: Option<Scalar<'a>>,
    pub(crate) inference_geo: Option<Scalar<'a>>,
}

/// `usage.cache_creation`: cache writes split by TTL.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawCacheCreation<'a> {
    pub(crate) ephemeral_5m_input_tokens: Option<Scalar<'a>>,
    pub(crate) ephemeral_1h_input_tokens: Option<Scalar<'a>>,
}

/// `usage.server_tool_use`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawServerToolUse<'a> {
    pub(crate) web_search_requests: Option<Scalar<'a>>,
}

/// One model's entry of Claude Code's `modelUsage`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"), rename_all = "camelCase")]
pub(crate) struct RawModelUsage<'a> {
    pub(crate) input_tokens: Option<Scalar<'a>>,
    pub(crate) output_tokens: Option<Scalar<'a>>,
    pub(crate) cache_read_input_tokens: Option<Scalar<'a>>,
    pub(crate) cache_creation_input_tokens: Option<Scalar<'a>>,
    /// Claude Code 2.1.328 and later: the TTL split of `cacheCreationInputTokens`.
    pub(crate) cache_creation_ephemeral5m_input_tokens: Option<Scalar<'a>>,
    pub(crate) cache_creation_ephemeral1h_input_tokens: Option<Scalar<'a>>,
    pub(crate) web_search_requests: Option<Scalar<'a>>,
    #[serde(rename = "costUSD")]
    pub(crate) cost_usd: Option<Scalar<'a>>,
}

/// A Message Batches `result`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawResult<'a> {
    /// `succeeded`, `errored`, `canceled` or `expired`.
    #[serde(rename = "type")]
    pub(crate) kind: Option<Scalar<'a>>,
    pub(crate) message: Option<Obj<RawMessage<'a>>>,
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
