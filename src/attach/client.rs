//! One connection to a running costtop's snapshot stream: open it, then read snapshots until
//! it ends, each one decoded into the same [`Snapshot`] the local aggregator would publish.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use tokio::sync::watch;

use super::sse::SseReader;
use super::target::Target;
use crate::net::describe;
use crate::snapshot::{Snapshot, StreamView};

/// Time to set up a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for the server to answer a request with its headers.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Silence after which a stream is taken for lost: the server sends a comment every 15 s.
pub(super) const SILENCE: Duration = Duration::from_secs(45);
/// Largest snapshot accepted.
const MAX_EVENT_BYTES: usize = 64 << 20;

/// Why a stream could not be opened or ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The server answered with a refusal that retrying will not change by itself (bad
    /// token, no stream route, a view it does not know).
    #[error("{0}")]
    Refused(String),
    /// The network, the server's state, or a stream that ended: worth another try.
    #[error("{0}")]
    Lost(String),
}

/// An HTTP client for one target.
#[derive(Debug, Clone)]
pub(super) struct Client {
    http: reqwest::Client,
}

impl Client {
    /// A client for `target` (no proxy for a loopback address).
    pub(super) fn new(target: &Target) -> Result<Client, Failure> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_keepalive(Duration::from_secs(30));
        if target.is_loopback() {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| Failure::Refused(format!("HTTP client: {}", e.without_url())))?;
        Ok(Client { http })
    }

    /// Opens the stream of `view`; its response, once the server said 200.
    pub(super) async fn open(
        &self,
        target: &Target,
        view: &StreamView,
    ) -> Result<reqwest::Response, Failure> {
        let mut request = self
            .http
            .get(target.stream_url(view))
            .header(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(token) = target.authorization() {
            request = request.header(AUTHORIZATION, token);
        }
        let sent = tokio::time::timeout(ANSWER_TIMEOUT, request.send()).await;
        let response = match sent {
            Err(_) => return Err(Failure::Lost("no answer in 30 s".into())),
            Ok(Err(e)) => return Err(Failure::Lost(describe(&e))),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = tokio::time::timeout(Duration::from_secs(5), response.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let said: String = body.trim().chars().take(200).collect();
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Failure::Refused(format!(
                "{status}: the server refused the token (--token-file or COSTTOP_TOKEN)"
            )),
            StatusCode::NOT_FOUND => Failure::Refused(format!(
                "{status}: no snapshot stream there (is it a costtop listener, and one new enough to stream?)"
            )),
            StatusCode::BAD_REQUEST => Failure::Refused(format!("{status}: {said}")),
            _ => Failure::Lost(format!("{status}: {said}")),
        })
    }
}

/// Reads snapshots from an open stream into `snapshots` until it ends; returns why it ended.
/// `on_snapshot` runs after each snapshot published.
pub(super) async fn read(
    mut response: reqwest::Response,
    snapshots: &watch::Sender<Arc<Snapshot>>,
    mut on_snapshot: impl FnMut(),
) -> Failure {
    let mut reader = SseReader::new(MAX_EVENT_BYTES);
    loop {
        let chunk = match tokio::time::timeout(SILENCE, response.chunk()).await {
            Err(_) => return Failure::Lost(format!("nothing heard for {} s", SILENCE.as_secs())),
            Ok(Err(e)) => return Failure::Lost(describe(&e)),
            Ok(Ok(None)) => return Failure::Lost("the server closed the stream".into()),
            Ok(Ok(Some(chunk))) => chunk,
        };
        let events = match reader.feed(&chunk) {
            Ok(events) => events,
            Err(e) => return Failure::Lost(e.to_string()),
        };
        // Only the newest snapshot of a burst is worth decoding.
        let Some(newest) = events.into_iter().rev().find(|e| e.name == "snapshot") else {
            continue;
        };
        match serde_json::from_str::<Snapshot>(&newest.data) {
            Ok(snap) => {
                snapshots.send_replace(Arc::new(snap));
                on_snapshot();
            }
            Err(e) => {
                return Failure::Refused(format!("the server's snapshot does not read: {e}"));
            }
        }
    }
}
