//! Helpers for the alarm tests: spending exact amounts through the source channel at the
//! clock's now, counting raised alarms, and a loopback webhook that answers, fails or hangs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::budget::Budget;
use costtop::snapshot::Snapshot;
use costtop::time::{Clock, Period, TokioClock, Window, Zone};
use costtop::usage::SourceMsg;
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, dedupe_key,
};
use tokio::sync::mpsc;

/// Opus 4.6 input: $5 per million tokens, so 200,000 tokens are exactly $1.
const MODEL: &str = "claude-opus-4-6";
const INPUT_TOKENS_PER_USD: f64 = 200_000.0;
const OUTPUT_TOKENS_PER_USD: f64 = 40_000.0;

/// Settings with one day budget of `limit` USD (warn at 80%), UTC, window `all`.
pub fn day_budget(limit: f64) -> Settings {
    Settings {
        zone: "UTC".parse::<Zone>().expect("zone"),
        window: Window::All,
        budgets: vec![Budget::simple(Period::Day, limit)],
        ..Settings::default()
    }
}

/// Raised transitions of `kind` in the snapshot's alarm log.
pub fn raised(snap: &Snapshot, kind: &str) -> usize {
    snap.alarm_log
        .iter()
        .filter(|e| e.kind == kind && e.transition == "raised")
        .count()
}

/// Total spend in USD.
pub fn usd_of(snap: &Snapshot) -> f64 {
    snap.totals.cost.usd()
}

/// Sends usage straight into the aggregator's source channel, timed by the clock.
pub struct Feed {
    tx: mpsc::Sender<SourceMsg>,
    clock: TokioClock,
    next_key: u64,
}

impl Feed {
    /// A feed into `handle`, stamping records with `clock`'s now.
    pub fn new(handle: &AggregatorHandle, clock: TokioClock) -> Feed {
        Feed {
            tx: handle.source_sender(),
            clock,
            next_key: 0,
        }
    }

    fn event(&mut self, key: u64, tokens: Tokens, last: bool) -> UsageEvent {
        UsageEvent {
            alt_key: None,
            key: Some(dedupe_key(&[format!("msg_{key}/req_{key}").as_bytes()])),
            rank: tokens.total() * 2 + u64::from(last),
            timestamp: self.clock.now(),
            model: MODEL.into(),
            tokens,
            tier: Tier::Standard,
            modifiers: Modifiers::default(),
            stop_reason: last.then_some(StopReason::Other),
            kind: EventKind::Request,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }
    }

    async fn send(&self, e: UsageEvent) {
        self.tx
            .send(SourceMsg::Events(vec![e]))
            .await
            .expect("aggregator alive");
    }

    /// One complete request costing `usd` (input tokens only, so the amount is exact).
    pub async fn spend(&mut self, usd: f64) {
        self.next_key += 1;
        let tokens = Tokens {
            input: (usd * INPUT_TOKENS_PER_USD).round() as u64,
            ..Tokens::default()
        };
        let e = self.event(self.next_key, tokens, true);
        self.send(e).await;
    }

    /// A placeholder chunk costing `usd` (all output), published, then its final chunk with
    /// one token more (so it replaces it) but all input: the spend rises, then falls back
    /// to about a fifth of `usd` above where it was.
    pub async fn spike_then_replace(&mut self, usd: f64) {
        self.next_key += 1;
        let output = (usd * OUTPUT_TOKENS_PER_USD).round() as u64;
        let early = Tokens {
            output,
            ..Tokens::default()
        };
        let e = self.event(self.next_key, early, false);
        self.send(e).await;
        self.settle().await;
        let last = Tokens {
            input: output + 1,
            ..Tokens::default()
        };
        let e = self.event(self.next_key, last, true);
        self.send(e).await;
        self.settle().await;
    }

    /// Lets the actor publish (two seconds of tokio time: instant when paused).
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// How the test webhook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// 200, and the body is handed to the test.
    Ok,
    /// 500 every time.
    Fail,
    /// Accepts the request and never answers.
    Hang,
}

struct Shared {
    mode: Hook,
    hits: AtomicUsize,
    bodies: mpsc::UnboundedSender<serde_json::Value>,
}

/// A webhook server on 127.0.0.1.
pub struct HookServer {
    /// Where to POST.
    pub url: String,
    /// Bodies received (`Hook::Ok` only).
    pub bodies: mpsc::UnboundedReceiver<serde_json::Value>,
    shared: Arc<Shared>,
}

impl HookServer {
    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> StatusCode {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    match shared.mode {
        Hook::Ok => {
            let _ = shared.bodies.send(body);
            StatusCode::OK
        }
        Hook::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        Hook::Hang => std::future::pending().await,
    }
}

/// Starts a webhook server answering as `mode`.
pub async fn hook_server(mode: Hook) -> HookServer {
    let (tx, bodies) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        mode,
        hits: AtomicUsize::new(0),
        bodies: tx,
    });
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(Arc::clone(&shared));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    HookServer {
        url: format!("http://{addr}/hook"),
        bodies,
        shared,
    }
}

/// Waits (real time, 5 s at most) until `path` holds exactly the lines `want`.
pub async fn read_lines_until(path: &Path, want: &[&str]) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        if lines == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline && lines.len() <= want.len(),
            "--on-alarm wrote {lines:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
