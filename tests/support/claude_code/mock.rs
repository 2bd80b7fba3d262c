//! A mock of the Anthropic Messages API on 127.0.0.1, for a real Claude Code (or an SDK, or
//! costtop's proxy) to talk to: it answers `POST /v1/messages` (SSE or JSON) with distinct
//! usage per request (capped at the request's `max_tokens`, stopping at `max_tokens` then),
//! Message Batches ([`super::batches`]), and the faults a request asks for
//! ([`super::faults`]); and keeps a record of everything it served, which is what the tests
//! assert against.
//!
//! It runs on a thread of its own (with its own runtime), so tests stay plain `#[test]`s that
//! run processes. In hold mode every conversation request waits until the test releases it,
//! which lets a test watch what happens between two requests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use costtop::usage::Tokens;
use serde_json::Value;
use tokio::sync::{Semaphore, oneshot};

use super::batches::{self, BatchRequest};
use super::faults::{Fault, FaultControl};
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
    /// The answer stopped at `max_tokens` (the request's `max_tokens` capped its output).
    pub max_tokens_stop: bool,
    /// `X-Claude-Code-Session-Id`.
    pub session_id: Option<String>,
    /// `x-claude-code-agent-id` (sub-agent requests).
    pub agent_id: Option<String>,
    /// When the request arrived.
    pub at: DateTime<Utc>,
    /// The stop reason served (`max_tokens` when the request's `max_tokens` capped the output).
    pub stop_reason: String,
    /// For a Batch result: its `custom_id` (the result is billed at the batch tier).
    pub custom_id: Option<String>,
    /// The fault the request asked for (`mock-fault`); only a resumed pause is billed.
    pub fault: Option<Fault>,
    /// The `mock-tag` header: what a test tagged the request with, for per-tag truths.
    pub tag: Option<String>,
    /// `metadata.user_id` of the request (of the batch request, for a result).
    pub user: Option<String>,
    /// The names of any `costtop-*` headers that reached the mock (a proxy must strip them).
    pub costtop_headers: Vec<String>,
    /// The body the mock answered with (before any fault), byte for byte.
    pub sent: String,
}

struct Shared {
    served: Mutex<Vec<Served>>,
    gate: Option<Semaphore>,
    /// Paused streams and what became of them.
    faults: Arc<FaultControl>,
    seq: AtomicU32,
    tag: String,
    /// The mock's own base URL (for `results_url`).
    base_url: std::sync::OnceLock<String>,
    /// Batches created: their requests and results.
    batches: Mutex<std::collections::HashMap<String, Vec<String>>>,
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
            faults: Arc::default(),
            seq: AtomicU32::new(0),
            base_url: std::sync::OnceLock::new(),
            batches: Mutex::default(),
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
                    .route("/v1/messages/batches", post(create_batch))
                    .route("/v1/messages/batches/{id}", get(retrieve_batch))
                    .route("/v1/messages/batches/{id}/results", get(batch_results))
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
        let _ = shared.base_url.set(format!("http://{addr}"));
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

    /// Lets `n` paused streams (`mock-fault: pause`) go on.
    pub fn resume(&self, n: usize) {
        self.shared.faults.pause.add_permits(n);
    }

    /// Paused streams whose connection closed before they were resumed.
    pub fn aborted(&self) -> u32 {
        self.shared.faults.aborted.load(Ordering::SeqCst)
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
    let (usage, stop) = capped(script::usage_for(seq), body["max_tokens"].as_u64());
    let served = Served {
        seq,
        request_id: format!("req_011Cmock{}x{seq:04}", shared.tag),
        message_id: format!("msg_01mock{}x{seq:04}", shared.tag),
        model: body["model"]
            .as_str()
            .unwrap_or("claude-sonnet-4-6")
            .to_owned(),
        stream: body["stream"] == true,
        usage,
        purpose,
        max_tokens_stop: stop.is_some(),
        tool_use: match &answer {
            Answer::ToolUse { name, .. } => Some(name.clone()),
            Answer::Text(_) => None,
        },
        session_id: header(&headers, "x-claude-code-session-id"),
        agent_id: header(&headers, "x-claude-code-agent-id"),
        at: Utc::now(),
        stop_reason: stop.unwrap_or(script::stop_of(&answer)).to_owned(),
        custom_id: None,
        fault: Fault::of(&headers),
        tag: header(&headers, "mock-tag"),
        user: body["metadata"]["user_id"].as_str().map(str::to_owned),
        costtop_headers: costtop_headers(&headers),
        sent: String::new(),
    };
    let stream = served.stream;
    let index = {
        let mut list = shared.served.lock().expect("served");
        list.push(served.clone());
        list.len() - 1
    };
    if let Some(gate) = &shared.gate
        && purpose.is_conversation()
    {
        match gate.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "the mock is closing"),
        }
    }
    let (kind, text) = if stream {
        let sse = script::message_sse(
            &served.message_id,
            &served.model,
            &answer,
            &served.usage,
            stop,
        );
        ("text/event-stream", sse)
    } else {
        let json = script::message_json(
            &served.message_id,
            &served.model,
            &answer,
            &served.usage,
            stop,
        );
        ("application/json", json)
    };
    if let Some(entry) = shared.served.lock().expect("served").get_mut(index) {
        entry.sent.clone_from(&text);
    }
    if let Some(fault) = &served.fault
        && let Some(response) = fault
            .answer(&text, &served.request_id, &shared.faults)
            .await
    {
        return response;
    }
    Response::builder()
        .header("content-type", kind)
        .header("request-id", &served.request_id)
        .body(Body::from(text))
        .unwrap_or_default()
}

/// The usage served for a request of `max_tokens`: output capped at it, and `max_tokens` as
/// the stop reason when it was.
fn capped(mut usage: Tokens, max_tokens: Option<u64>) -> (Tokens, Option<&'static str>) {
    match max_tokens {
        Some(max) if max < usage.output => {
            usage.output = max;
            (usage, Some("max_tokens"))
        }
        _ => (usage, None),
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn costtop_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("costtop-"))
        .collect()
}

/// `POST /v1/messages/batches`: every request answered at once (recorded as served), the
/// batch `in_progress` until retrieved.
async fn create_batch(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let requests = batches::requests(&body);
    let id = format!(
        "msgbatch_mock{}x{:04}",
        shared.tag,
        shared.seq.load(Ordering::SeqCst) + 1
    );
    let mut lines = Vec::new();
    for request in &requests {
        let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let (usage, stop) = if request.errored() {
            (Tokens::default(), None)
        } else {
            capped(script::usage_for(seq), request.max_tokens)
        };
        let stop = stop.unwrap_or("end_turn");
        let message_id = format!("msg_01mock{}x{seq:04}", shared.tag);
        lines.push(batches::result_line(request, &message_id, &usage, stop));
        shared
            .served
            .lock()
            .expect("served")
            .push(batch_served(&shared, seq, request, usage, stop, &headers));
    }
    shared
        .batches
        .lock()
        .expect("batches")
        .insert(id.clone(), lines);
    let base = shared.base_url.get().cloned().unwrap_or_default();
    json_response(&batches::object(&id, &base, requests.len(), false))
}

fn batch_served(
    shared: &Shared,
    seq: u32,
    request: &BatchRequest,
    usage: Tokens,
    stop: &str,
    headers: &HeaderMap,
) -> Served {
    Served {
        seq,
        request_id: String::new(),
        message_id: format!("msg_01mock{}x{seq:04}", shared.tag),
        model: if request.errored() {
            String::new()
        } else {
            request.model.clone()
        },
        stream: false,
        usage,
        purpose: Purpose::Other,
        tool_use: None,
        max_tokens_stop: stop == "max_tokens",
        session_id: None,
        agent_id: None,
        at: Utc::now(),
        stop_reason: stop.to_owned(),
        custom_id: Some(request.custom_id.clone()),
        fault: None,
        tag: header(headers, "mock-tag"),
        user: request.user.clone(),
        costtop_headers: costtop_headers(headers),
        sent: String::new(),
    }
}

/// `GET /v1/messages/batches/{id}`: ended, with its `results_url`.
async fn retrieve_batch(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let n = match shared.batches.lock().expect("batches").get(&id) {
        Some(lines) => lines.len(),
        None => return error(StatusCode::NOT_FOUND, "no such batch"),
    };
    let base = shared.base_url.get().cloned().unwrap_or_default();
    json_response(&batches::object(&id, &base, n, true))
}

/// `GET /v1/messages/batches/{id}/results`: JSON Lines.
async fn batch_results(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let Some(lines) = shared.batches.lock().expect("batches").get(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "no such batch");
    };
    let mut body = lines.join("\n");
    body.push('\n');
    Response::builder()
        .header("content-type", "application/binary")
        .body(Body::from(body))
        .unwrap_or_default()
}

fn json_response(value: &Value) -> Response {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(value.to_string()))
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
