//! Message Batches in the mock Messages API: what a create request asks for, the batch object
//! (`in_progress` when created, `ended` when retrieved, with a `results_url` on the mock's own
//! address as the API gives one on its own host), and the results as JSON Lines.

use serde_json::{Value, json};

use costtop::usage::Tokens;

/// One request of a batch, as created.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// Its `custom_id`.
    pub custom_id: String,
    /// `params.model`.
    pub model: String,
    /// `params.max_tokens`.
    pub max_tokens: Option<u64>,
    /// `params.metadata.user_id`.
    pub user: Option<String>,
}

impl BatchRequest {
    /// Requests whose `custom_id` starts with this are answered `errored` (no usage).
    pub const ERRORED: &'static str = "err-";

    /// Whether the mock answers this request with an error.
    pub fn errored(&self) -> bool {
        self.custom_id.starts_with(Self::ERRORED)
    }
}

/// The requests of a create body.
pub fn requests(body: &Value) -> Vec<BatchRequest> {
    body["requests"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| BatchRequest {
                    custom_id: r["custom_id"].as_str().unwrap_or_default().to_owned(),
                    model: r["params"]["model"]
                        .as_str()
                        .unwrap_or("claude-haiku-5-5")
                        .to_owned(),
                    max_tokens: r["params"]["max_tokens"].as_u64(),
                    user: r["params"]["metadata"]["user_id"]
                        .as_str()
                        .map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A batch object: `in_progress` (no results yet) or `ended` with its `results_url`.
pub fn object(id: &str, base_url: &str, requests: usize, ended: bool) -> Value {
    json!({
        "id": id,
        "type": "message_batch",
        "processing_status": if ended { "ended" } else { "in_progress" },
        "request_counts": {
            "processing": if ended { 0 } else { requests },
            "succeeded": if ended { requests } else { 0 },
            "errored": 0, "canceled": 0, "expired": 0,
        },
        "created_at": "2026-12-07T10:00:00Z",
        "ended_at": if ended { json!("2026-12-07T10:05:00Z") } else { Value::Null },
        "expires_at": "2026-12-08T10:00:00Z",
        "archived_at": null,
        "cancel_initiated_at": null,
        "results_url": if ended {
            json!(format!("{base_url}/v1/messages/batches/{id}/results"))
        } else {
            Value::Null
        },
    })
}

/// One result line: `succeeded` with the message and its usage, or `errored`.
pub fn result_line(request: &BatchRequest, message_id: &str, usage: &Tokens, stop: &str) -> String {
    if request.errored() {
        return json!({"custom_id": request.custom_id, "result": {"type": "errored", "error": {
            "type": "error", "error": {"type": "invalid_request_error", "message": "mock error"}}}})
        .to_string();
    }
    json!({"custom_id": request.custom_id, "result": {"type": "succeeded", "message": {
        "id": message_id, "type": "message", "role": "assistant", "model": request.model,
        "content": [{"type": "text", "text": "A batch answer from the mock."}],
        "stop_reason": stop, "stop_sequence": null,
        "usage": super::script::usage_json(usage, usage.output),
    }}})
    .to_string()
}
