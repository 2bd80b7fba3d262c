//! Test support for the Admin API tests: a scripted axum server speaking the documented
//! schema, message collection, and replacement-aware token totals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, DurationRound, Utc};
use costtop::sources::admin_api::AdminOptions;
use costtop::usage::{BilledCost, SourceHealth, SourceMsg};
use costtop::usage::{Tokens, UsageEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;

pub const USAGE_PATH: &str = "/v1/organizations/usage_report/messages";
pub const COST_PATH: &str = "/v1/organizations/cost_report";
const COST_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/admin/cost-report.json"
));

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub api_key: Option<String>,
    pub version: Option<String>,
    pub beta: Option<String>,
    pub at: Instant,
}

impl Hit {
    /// The request to `uri` with `headers`, as it arrives now.
    pub fn of(uri: &Uri, headers: &HeaderMap) -> Hit {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Hit {
            path: uri.path().to_owned(),
            query: decode_query(uri.query().unwrap_or("")),
            api_key: header("x-api-key"),
            version: header("anthropic-version"),
            beta: header("anthropic-beta"),
            at: Instant::now(),
        }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`group_by[]`), in order.
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(body: String) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body,
            delay: Duration::ZERO,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::json(r#"{"type":"error"}"#.to_owned())
        }
    }
}

type Script = Arc<dyn Fn(&Hit, usize) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ServerState {
    hits: Arc<Mutex<Vec<Hit>>>,
    usage: Script,
}

/// A real HTTP server on 127.0.0.1:0; usage requests are answered by a script that gets the
/// request and how many usage requests came before it. Cost requests get the fixture.
pub struct TestServer {
    pub base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl TestServer {
    pub async fn start(usage: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static) -> Self {
        captured_logs();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            hits: hits.clone(),
            usage: Arc::new(usage),
        };
        let app = Router::new().fallback(answer).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestServer { base, hits }
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.hits.lock().unwrap();
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }
}

async fn answer(State(state): State<ServerState>, uri: Uri, headers: HeaderMap) -> Response {
    let hit = Hit::of(&uri, &headers);
    let earlier = {
        let mut hits = state.hits.lock().unwrap();
        let earlier = hits.iter().filter(|h| h.path == hit.path).count();
        hits.push(hit.clone());
        earlier
    };
    let reply = match hit.path.as_str() {
        USAGE_PATH => (state.usage)(&hit, earlier),
        COST_PATH => Reply::json(COST_FIXTURE.to_owned()),
        _ => Reply::status(404),
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        [("content-type", "application/json")],
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A query string's pairs, percent-decoded, in order.
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Tracing output of the whole test process, kept in memory.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs (once) a process-wide TRACE subscriber writing to memory and returns its buffer.
/// Process-wide rather than per test: tracing caches per-callsite interest globally, so a
/// thread-local subscriber can miss events while other tests run in parallel.
pub fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
}

/// A bucket start a few minutes ago, inside the default re-poll overlap.
pub fn recent_minute(minutes_ago: i64) -> DateTime<Utc> {
    (Utc::now() - chrono::Duration::minutes(minutes_ago))
        .duration_trunc(chrono::Duration::minutes(1))
        .unwrap()
}

/// One result row in the documented shape.
pub fn row(model: &str, tier: &str, uncached: u64, output: u64) -> Value {
    json!({
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
        "cache_read_input_tokens": 0,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": 0},
        "api_key_id": null,
        "workspace_id": null,
        "model": model,
        "service_tier": tier,
        "context_window": "0-200k",
        "inference_geo": null
    })
}

/// A page of one-minute buckets.
pub fn page(buckets: &[(DateTime<Utc>, Vec<Value>)], next_page: Option<&str>) -> String {
    let data: Vec<Value> = buckets
        .iter()
        .map(|(start, rows)| {
            json!({
                "starting_at": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "ending_at": (*start + chrono::Duration::minutes(1))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "results": rows,
            })
        })
        .collect();
    json!({"data": data, "has_more": next_page.is_some(), "next_page": next_page}).to_string()
}

/// Options with short intervals, timeouts and back-off for tests.
pub fn fast_options(api_base: &str) -> AdminOptions {
    AdminOptions {
        api_base: api_base.to_owned(),
        since: Utc::now() - chrono::Duration::hours(1),
        poll_interval: Duration::from_millis(100),
        min_poll_interval: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        backoff_start: Duration::from_millis(100),
        backoff_cap: Duration::from_millis(400),
        ..AdminOptions::default()
    }
}

/// Everything a source sent.
#[derive(Debug, Default)]
pub struct Collected {
    pub events: Vec<UsageEvent>,
    pub health: Vec<SourceHealth>,
    pub billed: Vec<BilledCost>,
    pub caught_up: bool,
}

impl Collected {
    /// Token totals after replacement: per key the event with the highest rank wins.
    pub fn totals(&self) -> Tokens {
        let mut latest: HashMap<u64, &UsageEvent> = HashMap::new();
        for event in &self.events {
            let key = event.key.expect("bucket events carry a key");
            if latest.get(&key).is_none_or(|prev| event.rank >= prev.rank) {
                latest.insert(key, event);
            }
        }
        latest
            .values()
            .fold(Tokens::default(), |sum, e| sum + e.tokens)
    }

    pub fn reasons(&self) -> Vec<String> {
        use costtop::usage::SourceState;
        self.health
            .iter()
            .filter_map(|h| match &h.state {
                SourceState::Error(reason) => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Receives into `into` until `done` holds; panics after 8 s.
pub async fn collect_until(
    rx: &mut mpsc::Receiver<SourceMsg>,
    into: &mut Collected,
    mut done: impl FnMut(&Collected) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while !done(into) {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; collected so far: {into:#?}"))
            .expect("source ended early");
        match msg {
            SourceMsg::Events(events) => into.events.extend(events),
            SourceMsg::Health(health) => into.health.push(health),
            SourceMsg::Billed(billed) => into.billed.extend(billed),
            SourceMsg::Estimates(_) | SourceMsg::Org(_) => {}
            SourceMsg::CaughtUp { .. } => into.caught_up = true,
        }
    }
}
