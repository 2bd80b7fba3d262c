//! `--proxy`: a transparent HTTP proxy for the Anthropic API, as a source. Applications set
//! `ANTHROPIC_BASE_URL` to it and change nothing else; it forwards every request to its
//! upstream unchanged and streams the answer back as it arrives, reading usage from what
//! passes — Messages responses as JSON or server-sent events, Message Batches results — into
//! records keyed like every other source's copy of the same request, attributed by
//! `costtop-tag-*` headers, `metadata.user_id`, a fingerprint of the API key and the client.
//!
//! It never breaks an application: what it cannot account for still passes, and is counted
//! on its source line. It listens on loopback unless given a token (or told to be insecure),
//! and forwards only to its upstream.
//!
//! Its own folder by concern: [`forward`] (one request), [`body`] (the streamed bodies),
//! [`tap`] and [`account`] (the accounting copy and its records), [`attribution`],
//! [`batches`] and [`batch_object`], [`headers`], [`health`], [`upstream`], [`errors`].

mod account;
mod attribution;
mod batch_object;
mod batches;
mod body;
mod errors;
mod forward;
mod headers;
mod health;
mod tap;
mod upstream;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc::Sender;

use crate::listener::Token;
use crate::listener::serve;
use crate::usage::SourceMsg;
use forward::Proxy;
pub(crate) use upstream::{DEFAULT_UPSTREAM, Upstream};

/// How long the upstream may stay silent — before it answers, or in the middle of a body —
/// before the proxy gives up on it (a live stream is never cut sooner).
pub(crate) const DEFAULT_IDLE: Duration = Duration::from_secs(600);

/// How to proxy.
#[derive(Debug, Clone)]
pub(crate) struct ProxyOptions {
    /// Address to listen on (`--proxy`).
    pub(crate) addr: SocketAddr,
    /// Where to forward (`--upstream`).
    pub(crate) upstream: Upstream,
    /// The token clients send in `costtop-token` (`--listen-token-file`).
    pub(crate) token: Option<Token>,
    /// Allow a non-loopback address without a token (`--insecure-listen`).
    pub(crate) insecure: bool,
    /// How long the upstream may stay silent ([`DEFAULT_IDLE`]).
    pub(crate) idle: Duration,
}

/// Why the proxy did not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProxyError {
    /// A non-loopback address without a token.
    #[error(
        "--proxy {0}: a non-loopback address needs --listen-token-file (clients then send it in the costtop-token header) or --insecure-listen"
    )]
    NeedsToken(SocketAddr),
    /// The address could not be bound.
    #[error("--proxy {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running proxy.
#[derive(Debug)]
pub(crate) struct Proxying {
    /// The bound address (the real port when `:0` was asked for).
    pub(crate) addr: SocketAddr,
    /// The upstream as shown (`api.anthropic.com`).
    pub(crate) upstream: String,
    /// The accept loop; it ends after `stop` resolves and open exchanges finish.
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Binds the proxy and starts serving on the current runtime; records and health go to `tx`
/// (the aggregator's source sender, through the recorder with `--record`). It serves until
/// `stop` resolves.
pub(crate) async fn start(
    opts: ProxyOptions,
    tx: Sender<SourceMsg>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Proxying, ProxyError> {
    if !opts.addr.ip().is_loopback() && opts.token.is_none() && !opts.insecure {
        return Err(ProxyError::NeedsToken(opts.addr));
    }
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ProxyError::Bind {
            addr: opts.addr,
            source,
        })?;
    let addr = listener.local_addr().unwrap_or(opts.addr);
    let shown = opts.upstream.display();
    let (records, queued) = health::queue();
    let health = Arc::new(health::Health::new(
        addr.to_string(),
        shown.clone(),
        records,
    ));
    // Listed in the sources pane from the start (the reporter's first tick is immediate).
    tokio::spawn(health::report(Arc::downgrade(&health), queued, tx));
    let proxy = Arc::new(Proxy {
        upstream: opts.upstream,
        client: upstream::client(),
        token: opts.token,
        idle: opts.idle,
        health,
        batches: Arc::default(),
        listen: addr,
    });
    // Every method and path is forwarded: the router is one fallback, served by the function
    // every costtop listener shares (its limits on silent, slow and idle clients hold here too;
    // a stream is never cut while it flows).
    let router = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let proxy = Arc::clone(&proxy);
        async move { forward::handle(proxy, req).await.map(axum::body::Body::new) }
    });
    let task = tokio::spawn(serve::serve(
        listener,
        router,
        serve::Limits::default(),
        stop,
    ));
    tracing::info!(%addr, upstream = %shown, "proxying");
    Ok(Proxying {
        addr,
        upstream: shown,
        task,
    })
}
