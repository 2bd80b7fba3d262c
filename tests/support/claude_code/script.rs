//! What the mock Messages API answers: the purpose of each request read from its body and
//! headers, the answer a test's prompt asks for, distinct usage per request, and the SSE or
//! JSON body that carries them.

use std::fmt::Write;

use axum::http::HeaderMap;
use costtop::usage::Tokens;

use serde_json::{Value, json};

/// Put this in a prompt to make the main agent start a sub-agent (the `Agent` or `Task` tool
/// of the request's `tools` list); the sub-agent then answers, and so does the follow-up.
pub const START_SUBAGENT: &str = "[mock:subagent]";

/// The prompt the mock gives the sub-agent it starts.
pub const SUBAGENT_PROMPT: &str = "List the files of this folder and report back. (mock sub-agent)";

/// Why Claude Code made a request, as far as its body and headers tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A turn of the main conversation (the prompt, or a follow-up after tool results).
    Main,
    /// A turn of a sub-agent (`x-claude-code-agent-id` header, `cc_is_subagent=true`).
    SubAgent,
    /// The session title Claude Code generates on the side (`generate_session_title` in its
    /// telemetry); seen not to reach the transcript.
    SessionTitle,
    /// Anything else (no tools, no known system prompt).
    Other,
}

impl Purpose {
    /// Main or sub-agent turns: the requests of the conversation itself.
    pub fn is_conversation(self) -> bool {
        matches!(self, Purpose::Main | Purpose::SubAgent)
    }
}

/// What the mock answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A text block; `end_turn`.
    Text(String),
    /// One `tool_use` block; `tool_use`.
    ToolUse {
        /// The block's id.
        id: String,
        /// The tool's name.
        name: String,
        /// The tool's input.
        input: Value,
    },
}

/// Reads a request: its purpose, and the answer the mock gives it.
pub fn decide(body: &Value, headers: &HeaderMap, seq: u32) -> (Purpose, Answer) {
    let purpose = purpose(body, headers);
    let last = last_user_turn(body);
    let answer = match purpose {
        Purpose::SessionTitle => Answer::Text(r#"{"title":"Mock session"}"#.to_owned()),
        Purpose::Main if !last.has_tool_result && last.text.contains(START_SUBAGENT) => {
            match subagent_tool(body) {
                Some((name, input)) => Answer::ToolUse {
                    id: format!("toolu_mock{seq:04}"),
                    name,
                    input,
                },
                None => Answer::Text("No sub-agent tool was offered.".to_owned()),
            }
        }
        Purpose::Main if last.has_tool_result => {
            Answer::Text("The sub-agent reported back; all done.".to_owned())
        }
        Purpose::SubAgent => Answer::Text("Sub-agent: three files, nothing odd.".to_owned()),
        _ => Answer::Text("Hello from the mock Messages API.".to_owned()),
    };
    (purpose, answer)
}

fn purpose(body: &Value, headers: &HeaderMap) -> Purpose {
    let system = system_text(body);
    // 2.1.197 asks for a "sentence-case title"; 2.1.328 is "naming a coding session".
    if system.contains("sentence-case title") || system.contains("naming a coding session") {
        return Purpose::SessionTitle;
    }
    if headers.contains_key("x-claude-code-agent-id") || system.contains("cc_is_subagent=true") {
        return Purpose::SubAgent;
    }
    if body["tools"].as_array().is_some_and(|t| !t.is_empty()) {
        return Purpose::Main;
    }
    Purpose::Other
}

fn system_text(body: &Value) -> String {
    match &body["system"] {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

struct UserTurn {
    text: String,
    has_tool_result: bool,
}

fn last_user_turn(body: &Value) -> UserTurn {
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"));
    let mut turn = UserTurn {
        text: String::new(),
        has_tool_result: false,
    };
    match last.map(|m| &m["content"]) {
        Some(Value::String(s)) => turn.text.clone_from(s),
        Some(Value::Array(blocks)) => {
            for b in blocks {
                match b["type"].as_str() {
                    Some("text") => turn.text.push_str(b["text"].as_str().unwrap_or_default()),
                    Some("tool_result") => turn.has_tool_result = true,
                    _ => {}
                }
            }
        }
        _ => {}
    }
    turn
}

/// The sub-agent tool offered (`Agent` in 2.1.x, `Task` before) and an input its schema takes.
fn subagent_tool(body: &Value) -> Option<(String, Value)> {
    let tool = body["tools"].as_array()?.iter().find(|t| {
        matches!(t["name"].as_str(), Some("Agent" | "Task"))
            && t["input_schema"]["properties"]["prompt"].is_object()
    })?;
    let props = &tool["input_schema"]["properties"];
    let mut input = json!({"description": "Survey the folder", "prompt": SUBAGENT_PROMPT});
    if props["subagent_type"].is_object() {
        input["subagent_type"] = json!("general-purpose");
    }
    Some((tool["name"].as_str()?.to_owned(), input))
}

/// Distinct, non-round usage for the `seq`-th request (1-based), with a 5m/1h write split:
/// no two requests share any count, so a request missed or counted twice shows in every total.
pub fn usage_for(seq: u32) -> Tokens {
    let n = u64::from(seq);
    Tokens {
        input: 7 + 5 * n,
        cache_write_5m: 1_009 + 17 * n,
        cache_write_1h: 2_003 + 23 * n,
        cache_read: 8_017 + 41 * n,
        output: 29 + 11 * n,
        web_search_requests: 0,
    }
}

/// The API's `usage` object for `t`; `output` is what `output_tokens` says (the placeholder
/// of `message_start`, or the final count).
pub fn usage_json(t: &Tokens, output: u64) -> Value {
    json!({
        "input_tokens": t.input,
        "cache_creation_input_tokens": t.cache_write_5m + t.cache_write_1h,
        "cache_read_input_tokens": t.cache_read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": t.cache_write_5m,
            "ephemeral_1h_input_tokens": t.cache_write_1h,
        },
        "output_tokens": output,
        "service_tier": "standard",
    })
}

/// The answer's content block, and its stop reason.
fn block(answer: &Answer) -> (Value, &'static str) {
    match answer {
        Answer::Text(text) => (json!({"type": "text", "text": text}), "end_turn"),
        Answer::ToolUse { id, name, input } => (
            json!({"type": "tool_use", "id": id, "name": name, "input": input}),
            "tool_use",
        ),
    }
}

/// The stop reason of an answer that was not cut off.
pub fn stop_of(answer: &Answer) -> &'static str {
    block(answer).1
}

/// A non-streaming answer: the whole message as JSON (`stop` overrides the answer's own
/// stop reason).
pub fn message_json(
    message_id: &str,
    model: &str,
    answer: &Answer,
    usage: &Tokens,
    stop: Option<&str>,
) -> String {
    let (content, own) = block(answer);
    let stop = stop.unwrap_or(own);
    json!({
        "id": message_id, "type": "message", "role": "assistant", "model": model,
        "content": [content], "stop_reason": stop, "stop_sequence": null,
        "usage": usage_json(usage, usage.output),
    })
    .to_string()
}

/// A streamed answer: `message_start` (usage with a placeholder `output_tokens`),
/// `content_block_start`/`_delta`/`_stop`, `message_delta` (final `output_tokens`,
/// `stop_reason`), `message_stop` (`stop` overrides the answer's own stop reason).
pub fn message_sse(
    message_id: &str,
    model: &str,
    answer: &Answer,
    usage: &Tokens,
    stop: Option<&str>,
) -> String {
    let (content, own) = block(answer);
    let stop = stop.unwrap_or(own);
    let (start, delta) = match answer {
        Answer::Text(text) => (
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": text}),
        ),
        Answer::ToolUse { input, .. } => {
            let mut start = content.clone();
            start["input"] = json!({});
            let partial = input.to_string();
            (
                start,
                json!({"type": "input_json_delta", "partial_json": partial}),
            )
        }
    };
    let events = [
        json!({"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": usage_json(usage, 1),
        }}),
        json!({"type": "content_block_start", "index": 0, "content_block": start}),
        json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": null},
            "usage": {"output_tokens": usage.output}}),
        json!({"type": "message_stop"}),
    ];
    let mut sse = String::new();
    for e in &events {
        let name = e["type"].as_str().unwrap_or_default();
        let _ = write!(sse, "event: {name}\ndata: {e}\n\n");
    }
    sse
}
