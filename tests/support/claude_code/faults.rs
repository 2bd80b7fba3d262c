//! What the mock Messages API does wrong when a request asks it to (a `mock-fault` header,
//! which any proxy passes on unchanged): an error status with `retry-after`, a hang, a
//! stream reset or cut short, garbage, a stream that pauses until the test resumes it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tokio::sync::Semaphore;

/// What the tests steer faults with: paused streams wait for permits; streams whose client
/// went away are counted.
#[derive(Debug)]
pub struct FaultControl {
    /// Paused streams wait here ([`super::MockApi::resume`]).
    pub pause: Semaphore,
    /// Paused streams whose connection closed before they were resumed (the request was
    /// cancelled downstream).
    pub aborted: AtomicU32,
}

impl Default for FaultControl {
    fn default() -> Self {
        FaultControl {
            pause: Semaphore::new(0),
            aborted: AtomicU32::new(0),
        }
    }
}

/// The header a request names its fault in.
pub const FAULT_HEADER: &str = "mock-fault";

/// A fault a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `status=NNN`: answer that status with the API's error envelope and `retry-after: 7`.
    Status(u16),
    /// `hang`: never answer.
    Hang,
    /// `reset`: start the stream, then drop the connection mid-stream.
    Reset,
    /// `truncate`: start the stream, then end it cleanly before `message_delta`.
    Truncate,
    /// `garbage`: a 200 whose body is not JSON.
    Garbage,
    /// `pause`: send `message_start`, then wait for [`super::MockApi::resume`].
    Pause,
}

impl Fault {
    /// The fault a request's headers ask for, if any.
    pub fn of(headers: &HeaderMap) -> Option<Fault> {
        let value = headers.get(FAULT_HEADER)?.to_str().ok()?.trim();
        match value {
            "hang" => Some(Fault::Hang),
            "reset" => Some(Fault::Reset),
            "truncate" => Some(Fault::Truncate),
            "garbage" => Some(Fault::Garbage),
            "pause" => Some(Fault::Pause),
            _ => value
                .strip_prefix("status=")
                .and_then(|s| s.parse().ok())
                .map(Fault::Status),
        }
    }

    /// The answer this fault gives instead of (or to) `sse`, the stream the request would
    /// have had; `None`: answer normally.
    pub async fn answer(
        &self,
        sse: &str,
        request_id: &str,
        control: &Arc<FaultControl>,
    ) -> Option<Response> {
        let events: Vec<String> = sse.split_inclusive("\n\n").map(str::to_owned).collect();
        let stream = |head: usize, then: Tail| {
            let (first, rest) = events.split_at(head.min(events.len()));
            let first = first.concat();
            let rest = rest.concat();
            let body = async_stream(first, rest, then, Arc::clone(control));
            Response::builder()
                .header("content-type", "text/event-stream")
                .header("request-id", request_id)
                .body(Body::new(body))
                .unwrap_or_default()
        };
        Some(match self {
            Fault::Status(code) => {
                let status =
                    StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let body = serde_json::json!({"type": "error", "error": {
                    "type": if *code == 429 { "rate_limit_error" } else { "api_error" },
                    "message": format!("mock fault {code}"),
                }});
                Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .header("retry-after", "7")
                    .header("request-id", request_id)
                    .body(Body::from(body.to_string()))
                    .unwrap_or_default()
            }
            Fault::Hang => std::future::pending().await,
            Fault::Garbage => Response::builder()
                .header("content-type", "application/json")
                .header("request-id", request_id)
                .body(Body::from("<html>upstream garbage"))
                .unwrap_or_default(),
            Fault::Reset => stream(2, Tail::Reset),
            Fault::Truncate => stream(4, Tail::End),
            Fault::Pause => stream(1, Tail::AfterResume),
        })
    }
}

/// How a faulty stream goes on after its first events.
#[derive(Debug, Clone, Copy)]
enum Tail {
    Reset,
    End,
    AfterResume,
}

/// The body of a faulty stream: `first`, then the tail, sent by a task of its own.
fn async_stream(first: String, rest: String, tail: Tail, control: Arc<FaultControl>) -> Channel {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        if tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        match tail {
            Tail::Reset => {
                // Let the first events reach the client before the connection drops.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                let _ = tx.send(Err(std::io::Error::other("mock reset"))).await;
            }
            Tail::End => {}
            Tail::AfterResume => {
                tokio::select! {
                    permit = control.pause.acquire() => {
                        if let Ok(p) = permit {
                            p.forget();
                        }
                        let _ = tx.send(Ok(Bytes::from(rest))).await;
                    }
                    () = tx.closed() => {
                        control.aborted.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }
    });
    Channel(rx)
}

/// A body fed by a channel: each item a frame; an error aborts the response.
struct Channel(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl hyper::body::Body for Channel {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|item| item.map(|r| r.map(hyper::body::Frame::data)))
    }
}
