//! One connection, HTTP/1.1 or HTTP/2 (prior knowledge), under a watchdog that needs no help
//! from hyper's own timers, so it holds before hyper knows the protocol too:
//!
//! - idle (no request in flight): closed when no byte comes within `first_byte` of the accept
//!   or `keep_alive` of the last response, or when the request that has begun is not complete
//!   (headers read) within `headers` of its first byte;
//! - a request in flight is the handler's business (bodies have their own rate floor), and a
//!   response as long as the client asked for (a stream) is never cut while data flows: the
//!   connection is closed only when the client stops reading for `write_stall`;
//! - asked to close (evicted to make room, or the listener stops): closed at once when idle,
//!   else gracefully, requests in flight getting `grace` to finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use hyper::body::{Frame, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tower_service::Service as _;

use super::limits::{Limits, Peer};
use super::watched::{ConnState, InFlight, Watched};

/// How often the watchdog looks at a connection with a request in flight.
const TICK: Duration = Duration::from_secs(1);

/// A response body that keeps its request in flight until it has been sent or dropped.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// What the watchdog decided.
enum Verdict {
    /// Nothing to do before this many milliseconds have passed.
    Wait(u64),
    /// Close now.
    Close(&'static str),
    /// Close gracefully (asked to, with requests in flight).
    Graceful,
}

fn judge(s: &ConnState, limits: &Limits, served: bool) -> Verdict {
    let now = s.now();
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let Some(idle_since) = s.idle_since() else {
        if s.is_evicted() {
            return Verdict::Graceful;
        }
        return match s.write_blocked() {
            Some(t) if now.saturating_sub(t) >= ms(limits.write_stall) => {
                Verdict::Close("the client stopped reading")
            }
            _ => Verdict::Wait(ms(TICK)),
        };
    };
    if s.is_evicted() {
        return Verdict::Close("evicted");
    }
    let (deadline, why) = match s.first_byte() {
        Some(t) => (t + ms(limits.headers), "request headers too slow"),
        None if served => (idle_since + ms(limits.keep_alive), "idle"),
        None => (idle_since + ms(limits.first_byte), "silent"),
    };
    if now >= deadline {
        Verdict::Close(why)
    } else {
        // A first byte can move the deadline earlier: look again within a tick.
        Verdict::Wait((deadline - now).min(ms(TICK)))
    }
}

/// Serves one accepted connection until it ends or the watchdog closes it.
pub(super) async fn serve(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    state: Arc<ConnState>,
    limits: Limits,
) {
    let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let service = {
        let (state, served) = (Arc::clone(&state), Arc::clone(&served));
        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            let in_flight = state.begin();
            served.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut router = router.clone();
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(Peer(peer));
            async move {
                let response = match router.call(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                Ok::<_, Infallible>(response.map(|body| Tracked {
                    body,
                    _in_flight: in_flight,
                }))
            }
        })
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers);
    builder.http2().timer(TokioTimer::new());
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&state)));
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut graceful_until: Option<tokio::time::Instant> = None;
    loop {
        let verdict = judge(
            &state,
            &limits,
            served.load(std::sync::atomic::Ordering::Relaxed),
        );
        let wait = match verdict {
            Verdict::Close(why) => {
                tracing::debug!(%peer, why, "connection closed");
                return;
            }
            Verdict::Graceful => {
                let until = *graceful_until.get_or_insert_with(|| {
                    conn.as_mut().graceful_shutdown();
                    tokio::time::Instant::now() + limits.grace
                });
                if tokio::time::Instant::now() >= until {
                    return; // In-flight requests had their grace period.
                }
                TICK
            }
            Verdict::Wait(ms) => Duration::from_millis(ms),
        };
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep(wait) => {}
            () = state.wake.notified() => {}
        }
    }
}
