//! The JSON shapes of Claude Code transcript lines, in the key order Claude Code writes them
//! (see `tests/fixtures/claude-shapes/` for real lines): serialised, never parsed here.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::prices::Tokens;

/// The fields every conversation line carries around its own, with the line's own fields
/// (`body`) where Claude Code puts them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope<'a, B: Serialize> {
    pub(crate) parent_uuid: Option<&'a str>,
    pub(crate) is_sidechain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) agent_id: Option<&'a str>,
    #[serde(flatten)]
    pub(crate) body: B,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) uuid: &'a str,
    pub(crate) timestamp: &'a str,
    pub(crate) user_type: &'static str,
    pub(crate) entrypoint: &'static str,
    pub(crate) cwd: &'a str,
    pub(crate) session_id: &'a str,
    pub(crate) version: &'a str,
    pub(crate) git_branch: &'a str,
}

/// An assistant line's own fields: one streamed chunk of a response.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssistantBody<'a> {
    pub(crate) message: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) is_api_error_message: Option<bool>,
}

/// An API response (or Claude Code's `<synthetic>` stand-in for one).
#[derive(Serialize)]
pub(crate) struct Message<'a> {
    pub(crate) model: &'a str,
    pub(crate) id: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) role: &'static str,
    pub(crate) content: Vec<Block<'a>>,
    pub(crate) stop_reason: Option<&'a str>,
    pub(crate) stop_sequence: Option<&'a str>,
    pub(crate) usage: Usage<'a>,
}

/// A content block of a response.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Block<'a> {
    Text {
        text: &'a str,
    },
    Thinking {
        thinking: &'a str,
        signature: String,
    },
    ToolUse {
        id: String,
        name: &'static str,
        input: Value,
    },
}

/// `message.usage` as the API reports it.
#[derive(Serialize)]
pub(crate) struct Usage<'a> {
    pub(crate) input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) server_tool_use: ServerToolUse,
    pub(crate) service_tier: &'static str,
    pub(crate) cache_creation: CacheCreation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) inference_geo: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) speed: Option<&'static str>,
}

/// Server-side tool counts.
#[derive(Serialize)]
pub(crate) struct ServerToolUse {
    pub(crate) web_search_requests: u64,
    pub(crate) web_fetch_requests: u64,
}

/// The split of cache writes by lifetime.
#[derive(Serialize)]
pub(crate) struct CacheCreation {
    pub(crate) ephemeral_1h_input_tokens: u64,
    pub(crate) ephemeral_5m_input_tokens: u64,
}

impl Usage<'_> {
    /// The usage line of `tokens`, with `output` in place of the final output count (streamed
    /// chunks before the last carry a placeholder) and the fields newer versions add when
    /// `geo` is given.
    pub(crate) fn of<'a>(tokens: &Tokens, output: u64, geo: Option<&'a str>) -> Usage<'a> {
        Usage {
            input_tokens: tokens.input,
            cache_creation_input_tokens: tokens.write_5m + tokens.write_1h,
            cache_read_input_tokens: tokens.read,
            output_tokens: output,
            server_tool_use: ServerToolUse {
                web_search_requests: tokens.web_searches,
                web_fetch_requests: 0,
            },
            service_tier: "standard",
            cache_creation: CacheCreation {
                ephemeral_1h_input_tokens: tokens.write_1h,
                ephemeral_5m_input_tokens: tokens.write_5m,
            },
            inference_geo: geo,
            speed: geo.map(|_| "standard"),
        }
    }
}

/// A user line's own fields: a prompt (`content` a string) or a tool result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserBody<'a> {
    pub(crate) message: UserMessage<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tool_use_result: Option<Value>,
}

/// The user turn itself.
#[derive(Serialize)]
pub(crate) struct UserMessage<'a> {
    pub(crate) role: &'static str,
    pub(crate) content: UserContent<'a>,
}

/// A prompt's text or a tool's result.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum UserContent<'a> {
    Prompt(&'a str),
    ToolResult([ToolResult<'a>; 1]),
}

/// One `tool_result` block.
#[derive(Serialize)]
pub(crate) struct ToolResult<'a> {
    pub(crate) tool_use_id: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) content: &'a str,
    pub(crate) is_error: bool,
}

/// A `progress` line's own fields: a sub-agent's API call copied into the parent transcript.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressBody<'a> {
    pub(crate) data: ProgressData<'a>,
    #[serde(rename = "toolUseID")]
    pub(crate) tool_use_id: String,
    #[serde(rename = "parentToolUseID")]
    pub(crate) parent_tool_use_id: &'a str,
}

/// `data` of an `agent_progress` line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressData<'a> {
    pub(crate) message: ProgressMessage<'a>,
    pub(crate) normalized_messages: [Value; 0],
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) prompt: &'a str,
    pub(crate) agent_id: &'a str,
}

/// The sub-agent's assistant message with its request id and time.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressMessage<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) timestamp: &'a str,
    pub(crate) message: Message<'a>,
    pub(crate) request_id: &'a str,
    pub(crate) uuid: String,
}

/// A `system` line's own fields (informational notes, compaction boundaries).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SystemBody<'a> {
    pub(crate) subtype: &'static str,
    pub(crate) content: &'a str,
    pub(crate) is_meta: bool,
    pub(crate) level: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) compact_metadata: Option<Value>,
}

/// Claude Code's running estimate for a session (`type: "cost-state"`, no timestamp).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CostState<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) session_id: &'a str,
    #[serde(rename = "totalCostUSD")]
    pub(crate) total_cost_usd: f64,
    #[serde(rename = "totalAPIDuration")]
    pub(crate) total_api_duration: u64,
    pub(crate) total_duration: u64,
    pub(crate) start_time: i64,
    pub(crate) has_unknown_model_cost: bool,
    pub(crate) model_usage: BTreeMap<&'a str, ModelUsage>,
}

/// One model's figures in a `cost-state` line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModelUsage {
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) thinking_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_creation_ephemeral_5m_input_tokens: u64,
    pub(crate) cache_creation_ephemeral_1h_input_tokens: u64,
    pub(crate) web_search_requests: u64,
    #[serde(rename = "costUSD")]
    pub(crate) cost_usd: f64,
}

/// One line of JSON (serialising these shapes cannot fail; an empty object if it did).
pub(crate) fn line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}
