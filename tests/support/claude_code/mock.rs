//! A mock of the Anthropic Messages API on 127.0.0.1, for a real Claude Code to talk to: it
//! answers `POST /v1/messages` (SSE or JSON) with distinct usage per request and keeps a record
//! of everything it served, which is what the tests assert against.
//!
//! It runs on a thread of its own (with its own runtime), so tests stay plain `#[test]`s that
//! run processes. In hold mode every conversation request waits until the test releases it,
//! which lets a test watch what happens between two requests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use costtop::usage::Tokens;
use serde_json::Value;
use tokio::sync::{Semaphore, oneshot};

use super::script::{self, Answer, Purpose};

/// How the mock behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct MockOptions {
    /// Hold every conversation request (main or sub-agent) until [`MockApi::release`].
    pub hold: bool,
}

/// One `POST /v1/messages` the mock answered (or, in hold mode, is about to answer).
#[derive(Debug, Clone)]
pub struct Served {
    /// 1-based order of arrival.
    pub seq: u32,
    /// The `request-id` header sent back (Claude Code's `requestId`).
    pub request_id: String,
    /// The message's `id`.
    pub message_id: String,
    /// The model asked for (and answered as).
    pub model: String,
    /// Whether the request asked for SSE (`"stream": true`).
    pub stream: bool,
    /// The usage served (final counts).
    pub usage: Tokens,
    /// Why Claude Code asked, read from the request.
    pub purpose: Purpose,
    /// The tool the answer used, if it was a `tool_use`.
    pub tool_use: Option<String>,
    /// The answer stopped at `max_tokens` (asked with a `max_tokens` below
    /// [`script::CUT_BELOW`]).
    pub max_tokens_stop: bool,
    /// `X-Claude-Code-Session-Id`.
    pub session_id: Option<String>,
    /// `x-claude-code-agent-id` (sub-agent requests).
    pub agent_id: Option<String>,
    /// When the request arrived.
    pub at: DateTime<Utc>,
}

struct Shared {
    served: Mutex<Vec<Served>>,
    gate: Option<Semaphore>,
    seq: AtomicU32,
    tag: String,
}

/// The running mock; it stops when dropped.
pub struct MockApi {
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl MockApi {
    /// Starts the mock on a free port of 127.0.0.1.
    pub fn start(opts: MockOptions) -> MockApi {
        static INSTANCE: AtomicU32 = AtomicU32::new(0);
        let shared = Arc::new(Shared {
            served: Mutex::new(Vec::new()),
            gate: opts.hold.then(|| Semaphore::new(0)),
            seq: AtomicU32::new(0),
            tag: format!(
                "{:x}{:x}",
                std::process::id(),
                INSTANCE.fetch_add(1, Ordering::Relaxed)
            ),
        });
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("mock runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind the mock");
                addr_tx
                    .send(listener.local_addr().expect("mock address"))
                    .expect("report the address");
                let app = Router::new()
                    .route("/v1/messages", post(messages))
                    .route("/v1/messages/count_tokens", post(count_tokens))
                    .fallback(other)
                    .with_state(state);
                // Claude Code keeps connections alive: stop without waiting for them.
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("the mock started");
        MockApi {
            base_url: format!("http://{addr}"),
            shared,
            stop: Some(stop),
        }
    }

    /// The base URL for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every `POST /v1/messages` so far, in order of arrival.
    pub fn served(&self) -> Vec<Served> {
        self.shared.served.lock().expect("served").clone()
    }

    /// In hold mode, lets `n` more conversation requests be answered.
    pub fn release(&self, n: usize) {
        if let Some(gate) = &self.shared.gate {
            gate.add_permits(n);
        }
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn messages(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let (purpose, answer) = script::decide(&body, &headers, seq);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let served = Served {
        seq,
        request_id: format!("req_011Cmock{}x{seq:04}", shared.tag),
        message_id: format!("msg_01mock{}x{seq:04}", shared.tag),
        model: body["model"]
            .as_str()
            .unwrap_or("claude-sonnet-4-6")
            .to_owned(),
        stream: body["stream"] == true,
        usage: script::usage_for(seq),
        purpose,
        max_tokens_stop: body["max_tokens"]
            .as_u64()
            .is_some_and(|m| m < script::CUT_BELOW),
        tool_use: match &answer {
            Answer::ToolUse { name, .. } => Some(name.clone()),
            Answer::Text(_) => None,
        },
        session_id: header("x-claude-code-session-id"),
        agent_id: header("x-claude-code-agent-id"),
        at: Utc::now(),
    };
    shared.served.lock().expect("served").push(served.clone());
    if let Some(gate) = &shared.gate
        && purpose.is_conversation()
    {
        match gate.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "the mock is closing"),
        }
    }
    let (kind, text) = if served.stream {
        let sse = script::message_sse(&served, &answer);
        ("text/event-stream", sse)
    } else {
        let json = script::message_json(&served, &answer);
        ("application/json", json)
    };
    Response::builder()
        .header("content-type", kind)
        .header("request-id", &served.request_id)
        .body(Body::from(text))
        .unwrap_or_default()
}

async fn count_tokens() -> Response {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(r#"{"input_tokens":1234}"#))
        .unwrap_or_default()
}

async fn other() -> Response {
    error(StatusCode::NOT_FOUND, "the mock serves only /v1/messages")
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "type": "error", "error": {"type": "invalid_request_error", "message": message},
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}
