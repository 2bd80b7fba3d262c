//! The listener's routes: `GET /metrics`, `GET /api/v1/snapshot[?by=…]`, `GET /api/v1/stream`
//! (in `stream.rs`), and the OTLP/HTTP receiver's `POST /v1/logs`, `/v1/metrics`, `/v1/traces`,
//! answering as the OTLP/HTTP spec says (200 with partial-success counts; 400, 413, 415 with a
//! `google.rpc.Status`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use tokio::sync::{Semaphore, watch};

use super::body::{self, BodyError, Received};
use super::serve::Peer;
use crate::aggregate::AggregatorHandle;
use crate::outputs::metrics::{Exposition, render};
use crate::snapshot::{GroupBy, Snapshot};
use crate::sources::otlp::{
    self, Encoding, Mapped, Receiver, Signal, rpc_code, status_body, success_body,
};

/// Payloads decoded at once: bounds the memory that inflating and decoding take (bodies are
/// read before, under their own budget, so a slow sender never holds a slot).
pub(super) const INGEST_PERMITS: usize = 2;
/// Time a payload may wait for a decoding slot or the aggregator before a 503.
const INGEST_WAIT: Duration = Duration::from_secs(30);
/// Bodies above this are decoded off the async workers.
const BLOCKING_DECODE_BYTES: usize = 256 << 10;

/// What every route reads.
pub(super) struct App {
    pub(crate) handle: AggregatorHandle,
    pub(crate) snapshots: watch::Receiver<Arc<Snapshot>>,
    pub(crate) receiver: Receiver,
    pub(crate) ingest: Semaphore,
    /// Bytes of bodies being read or held (see `body.rs`).
    pub(crate) buffered: Arc<Semaphore>,
}

/// The router over the shared state; `closing` turns true when the listener stops.
pub(super) fn router(app: Arc<App>, closing: watch::Receiver<bool>) -> Router {
    let readers = super::stream::Readers {
        handle: app.handle.clone(),
        closing,
    };
    Router::new()
        .route("/metrics", get(metrics))
        .route("/api/v1/snapshot", get(snapshot))
        .route(
            super::stream::PATH,
            get(super::stream::stream).with_state(readers),
        )
        .route("/v1/logs", post(logs))
        .route("/v1/metrics", post(otlp_metrics))
        .route("/v1/traces", post(traces))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .with_state(app)
}

async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let format = Exposition::from_accept(headers.get(ACCEPT).and_then(|v| v.to_str().ok()));
    // The published snapshot: the aggregator is not asked for anything.
    let snap = app.snapshots.borrow().clone();
    let text = render(&snap, format);
    ([(CONTENT_TYPE, format.content_type())], text).into_response()
}

#[derive(serde::Deserialize)]
struct SnapshotQuery {
    by: Option<String>,
}

async fn snapshot(State(app): State<Arc<App>>, Query(q): Query<SnapshotQuery>) -> Response {
    let by = match q.by.as_deref().map(str::parse::<GroupBy>).transpose() {
        Ok(by) => by,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("by: {e}\n")).into_response(),
    };
    let asked = tokio::time::timeout(INGEST_WAIT, app.handle.snapshot_now(by)).await;
    match asked {
        Ok(Some(snap)) => (
            [(CONTENT_TYPE, "application/json")],
            format!("{}\n", crate::outputs::watch::json_line(&snap)),
        )
            .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the aggregator is busy or stopped\n",
        )
            .into_response(),
    }
}

async fn logs(
    State(app): State<Arc<App>>,
    peer: Option<axum::Extension<Peer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(&app, Signal::Logs, peer, &headers, body).await
}

async fn otlp_metrics(
    State(app): State<Arc<App>>,
    peer: Option<axum::Extension<Peer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(&app, Signal::Metrics, peer, &headers, body).await
}

async fn traces(
    State(app): State<Arc<App>>,
    peer: Option<axum::Extension<Peer>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(&app, Signal::Traces, peer, &headers, body).await
}

/// An OTLP response: `status`, the body in the request's encoding.
fn answer(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    r
}

/// Receives one OTLP payload: limits, decode, map, send; every refusal is counted.
async fn receive(
    app: &App,
    signal: Signal,
    peer: Option<axum::Extension<Peer>>,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(encoding) = Encoding::from_content_type(content_type) else {
        let reason = format!(
            "unsupported Content-Type {content_type:?} (send application/x-protobuf or application/json)"
        );
        let _ = app.receiver.refuse(&reason, 0).await;
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, reason).into_response();
    };
    let refuse = async |status: StatusCode, code: i32, reason: String, records: u64| {
        let _ = app.receiver.refuse(&reason, records).await;
        answer(status, encoding, status_body(encoding, code, &reason))
    };
    let received = match read(headers, body, &app.buffered).await {
        Ok(received) => received,
        Err(BodyError::Busy) => return busy(encoding, "busy: retry later"),
        Err(e) => {
            let Refusal {
                status,
                code,
                reason,
            } = e.into();
            return refuse(status, code, reason, 0).await;
        }
    };
    let Ok(Ok(_permit)) = tokio::time::timeout(INGEST_WAIT, app.ingest.acquire()).await else {
        return busy(encoding, "busy: retry later");
    };
    let decoded = match decode_and_map(signal, encoding, received).await {
        Ok(mapped) => mapped,
        Err(Refusal {
            status,
            code,
            reason,
        }) => return refuse(status, code, reason, 0).await,
    };
    if decoded.accepted() == 0 && decoded.rejected > 0 {
        let reason = decoded.first_rejection.clone().unwrap_or_default();
        let reason = format!(
            "nothing usable: {} {} refused; first: {reason}",
            decoded.rejected,
            signal.as_str()
        );
        return refuse(
            StatusCode::BAD_REQUEST,
            rpc_code::INVALID_ARGUMENT,
            reason,
            decoded.rejected,
        )
        .await;
    }
    let rejected = decoded.rejected;
    let message = decoded.first_rejection.clone().unwrap_or_default();
    let ip = peer.map_or(std::net::Ipv4Addr::LOCALHOST.into(), |p| p.0.0.ip());
    match tokio::time::timeout(INGEST_WAIT, app.receiver.ingest(decoded, ip)).await {
        Ok(Ok(())) => answer(
            StatusCode::OK,
            encoding,
            success_body(signal, encoding, rejected, &message),
        ),
        _ => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            encoding,
            status_body(
                encoding,
                rpc_code::UNAVAILABLE,
                "the aggregator is busy or stopped",
            ),
        ),
    }
}

/// 503 with `Retry-After`: the listener is busy, nothing was read or counted.
fn busy(encoding: Encoding, why: &str) -> Response {
    let mut r = answer(
        StatusCode::SERVICE_UNAVAILABLE,
        encoding,
        status_body(encoding, rpc_code::UNAVAILABLE, why),
    );
    r.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

/// A payload refused whole.
struct Refusal {
    status: StatusCode,
    code: i32,
    reason: String,
}

impl From<BodyError> for Refusal {
    fn from(e: BodyError) -> Refusal {
        let (status, code) = match e {
            BodyError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, rpc_code::RESOURCE_EXHAUSTED),
            BodyError::Encoding(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                rpc_code::INVALID_ARGUMENT,
            ),
            BodyError::Corrupt(_) | BodyError::Malformed(_) => {
                (StatusCode::BAD_REQUEST, rpc_code::INVALID_ARGUMENT)
            }
            BodyError::Incomplete(_) => (StatusCode::REQUEST_TIMEOUT, rpc_code::UNAVAILABLE),
            BodyError::Busy => (StatusCode::SERVICE_UNAVAILABLE, rpc_code::UNAVAILABLE),
        };
        Refusal {
            status,
            code,
            reason: e.to_string(),
        }
    }
}

/// Reads a body (its encoding checked first).
async fn read(
    headers: &HeaderMap,
    body: Body,
    budget: &Arc<Semaphore>,
) -> Result<(bool, Received), BodyError> {
    let gzipped = body::gzipped(headers)?;
    Ok((gzipped, body::read(headers, body, budget).await?))
}

/// Inflates, decodes and maps a body; large ones off the async workers.
async fn decode_and_map(
    signal: Signal,
    encoding: Encoding,
    (gzipped, received): (bool, Received),
) -> Result<Mapped, Refusal> {
    let large = gzipped || received.bytes.len() > BLOCKING_DECODE_BYTES;
    let work = move || -> Result<Mapped, Refusal> {
        let inflated;
        let raw: &[u8] = if gzipped {
            inflated = body::gunzip(&received.bytes)?;
            &inflated
        } else {
            &received.bytes
        };
        let decoded = otlp::decode_records(signal, encoding, raw).map_err(|e| Refusal {
            status: StatusCode::BAD_REQUEST,
            code: rpc_code::INVALID_ARGUMENT,
            reason: e.to_string(),
        })?;
        Ok(otlp::map_decoded(&decoded, Utc::now()))
    };
    if large {
        tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
            Err(Refusal {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: rpc_code::UNAVAILABLE,
                reason: "decoding failed".into(),
            })
        })
    } else {
        work()
    }
}
