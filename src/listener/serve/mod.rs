//! The one serving function every costtop listener runs on (the OTLP/metrics listener, the
//! proxy, the attach stream): an accept loop with a cap on open connections (the one idle the
//! longest makes room), and per connection a watchdog for silent, slow and idle clients on
//! HTTP/1.1 and HTTP/2 alike (see `connection.rs`). What a route does with a request — its
//! body's limits, its token — is the router's business.

mod connection;
mod limits;
mod registry;
mod watched;

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

pub(crate) use limits::{Limits, Peer};
use registry::Registry;
use watched::{Clock, ConnState};

/// Serves `router` on `listener` under `limits` until `stop` resolves, then asks every
/// connection to close (requests in flight get the grace period) and returns once they have.
/// Every request carries its [`Peer`].
pub(crate) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let registry = Registry::new(limits.max_connections);
    let clock = Clock::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = registry.room() => {}
        }
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = std::sync::Arc::new(ConnState::new(clock));
        let slot = registry.join(std::sync::Arc::clone(&state));
        let router = router.clone();
        tokio::spawn(async move {
            connection::serve(stream, peer, router, state, limits).await;
            drop(slot);
        });
    }
    registry.evict_all();
    // Connections close at once when idle, within their grace period otherwise.
    let _ = tokio::time::timeout(limits.grace * 2, registry.drained()).await;
}
