//! The HTTP listener (`--listen`, `costtop serve`): one socket on the process's tokio runtime
//! serving the Prometheus exposition and the JSON snapshot (outputs: they read snapshots) and
//! the OTLP/HTTP receiver (a source: it feeds the aggregator like any other).
//!
//! Loopback by default; any other address needs a bearer token unless `--insecure-listen`
//! says otherwise. Connections are served by [`serve::serve`] (the serving function every
//! costtop listener shares): silent, slow and idle clients are cut off and the one idle the
//! longest makes room past the cap, so no client can starve the others; bodies are read
//! under a rate floor before a decoding slot is taken.

mod auth;
pub(crate) mod body;
mod routes;
pub(crate) mod serve;
mod stream;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

pub(crate) use auth::Token;

use crate::aggregate::AggregatorHandle;
use crate::sources::otlp::Receiver;
use crate::usage::SourceMsg;
use routes::App;

/// The default address: loopback, port 9871 (`costtop statusline` looks there first).
pub(crate) const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9871);

/// How to listen.
#[derive(Debug, Clone)]
pub(crate) struct ListenOptions {
    /// Address to bind (`--listen`).
    pub(crate) addr: SocketAddr,
    /// File holding the bearer token (`--listen-token-file`).
    pub(crate) token_file: Option<PathBuf>,
    /// Allow a non-loopback address without a token (`--insecure-listen`).
    pub(crate) insecure: bool,
}

/// Why the listener did not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ListenError {
    /// A non-loopback address without a token.
    #[error(
        "--listen {0}: a non-loopback address needs --listen-token-file (or --insecure-listen to serve anyone who can reach it)"
    )]
    NeedsToken(SocketAddr),
    /// The token file could not be used.
    #[error("{0}")]
    Token(String),
    /// The address could not be bound.
    #[error("--listen {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running listener.
#[derive(Debug)]
pub(crate) struct Listening {
    /// The bound address (the real port when `:0` was asked for).
    pub(crate) addr: SocketAddr,
    /// Whether requests need the bearer token.
    pub(crate) authenticated: bool,
    /// The accept loop; it ends after `stop` resolves and open connections finish.
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Binds the listener and starts serving on the current runtime. OTLP records go to `tx`
/// (usually the aggregator's source sender); snapshots come from `handle`. It serves until
/// `stop` resolves.
pub(crate) async fn start(
    opts: &ListenOptions,
    handle: &AggregatorHandle,
    tx: tokio::sync::mpsc::Sender<SourceMsg>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Listening, ListenError> {
    let token = match &opts.token_file {
        Some(path) => Some(Token::load(path).map_err(ListenError::Token)?),
        None if !opts.addr.ip().is_loopback() && !opts.insecure => {
            return Err(ListenError::NeedsToken(opts.addr));
        }
        None => None,
    };
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ListenError::Bind {
            addr: opts.addr,
            source,
        })?;
    let addr = listener.local_addr().unwrap_or(opts.addr);
    let receiver = Receiver::new(tx);
    // The receiver is listed in the sources pane from the start.
    let _ = receiver.announce().await;
    let app = Arc::new(App {
        handle: handle.clone(),
        snapshots: handle.snapshots(),
        receiver,
        ingest: Semaphore::new(routes::INGEST_PERMITS),
        buffered: Arc::new(Semaphore::new(body::MAX_BUFFERED_BYTES)),
    });
    let authenticated = token.is_some();
    // Set when the listener stops: open streams end at once instead of waiting out the grace
    // period.
    let (closing_tx, closing) = watch::channel(false);
    let router = auth::require(routes::router(app, closing), token);
    let stop = async move {
        stop.await;
        let _ = closing_tx.send(true);
    };
    let task = tokio::spawn(serve::serve(
        listener,
        router,
        serve::Limits::default(),
        stop,
    ));
    tracing::info!(%addr, authenticated, "listening");
    Ok(Listening {
        addr,
        authenticated,
        task,
    })
}
