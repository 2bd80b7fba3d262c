//! The serde shape of one line: a union of the fields every supported format reads,
//! borrowed from the line, with content (text, thinking, tool results) skipped unread.
//!
//! The formats put their distinguishing keys in different places (Claude Code writes
//! `message` before `type`), so one pass reads them all and the dispatcher decides by shape.

use serde::Deserialize;

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

    // Message Batches results.
    pub custom_id: Option<Scalar<'a>>,
    pub result: Option<Obj<RawResult<'a>>>,
}

/// A Messages API response (or the `message` of a transcript line); content is skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawMessage<'a> {
    pub id: Option<Scalar<'a>>,
    pub model: Option<Scalar<'a>>,
    pub usage: Option<Obj<RawUsage<'a>>>,
    pub stop_reason: Option<Scalar<'a>>,
    pub service_tier: Option<Scalar<'a>>,
}

/// The API's `usage` object.
#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
pub(crate) struct RawUsage<'a> {
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
