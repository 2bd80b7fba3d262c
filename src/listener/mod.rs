//! The HTTP listener (`--listen`, `costtop serve`): one socket on the process's tokio runtime
//! serving the Prometheus exposition and the JSON snapshot (outputs: they read snapshots) and
//! the OTLP/HTTP receiver (a source: it feeds the aggregator like any other).
//!
//! Loopback by default; any other address needs a bearer token unless `--insecure-listen`
//! says otherwise. A connection gets 10 s for its request headers, 30 s for a body, and lives
//! at most 5 minutes (then it is closed gracefully and the client reconnects), so a sender or
//! scraper that hangs holds a slot for a bounded time and never stalls the others.

mod auth;
pub(crate) mod body;
mod routes;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower_service::Service as _;

pub(crate) use auth::Token;

use crate::aggregate::AggregatorHandle;
use crate::sources::otlp::Receiver;
use crate::usage::SourceMsg;
use routes::{App, Peer};

/// The default address: loopback, port 9871 (`costtop statusline` looks there first).
pub(crate) const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9871);

/// Connections served at once; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 256;
/// Time a client gets to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest life of one connection before it is closed gracefully.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);
/// Time in-flight requests get to finish when a connection (or the listener) closes.
const GRACE: Duration = Duration::from_secs(5);

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
    });
    let authenticated = token.is_some();
    let router = routes::router(app);
    let policy = ConnectionPolicy {
        lifetime: Some(CONNECTION_LIFETIME),
    };
    let make = move |peer| listener_service(router.clone(), token.clone(), peer);
    let task = tokio::spawn(accept_loop(listener, policy, make, stop));
    tracing::info!(%addr, authenticated, "listening");
    Ok(Listening {
        addr,
        authenticated,
        task,
    })
}

/// How the connections of one socket live: the listener's end after
/// [`CONNECTION_LIFETIME`]; the proxy's stay open for as long as their streams run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionPolicy {
    /// Longest life of one connection before it is closed gracefully (`None`: no limit).
    pub(crate) lifetime: Option<Duration>,
}

/// Accepts connections until `stop` resolves (at most [`MAX_CONNECTIONS`] served at once),
/// serving each with the service `make` gives for its peer, over HTTP/1.1 or HTTP/2; then
/// lets open connections finish their requests (bounded by a grace period). Every socket
/// costtop serves (the listener, the proxy) is served by this one function.
pub(crate) async fn accept_loop<S, B>(
    listener: TcpListener,
    policy: ConnectionPolicy,
    make: impl Fn(SocketAddr) -> S,
    stop: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (closing_tx, closing) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = Arc::clone(&slots).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
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
        // Headers and a streamed body go out in separate writes: without this, Nagle's
        // algorithm holds the body until the client's delayed ACK (~40 ms a response).
        let _ = stream.set_nodelay(true);
        let service = make(peer);
        let closing = closing.clone();
        tokio::spawn(async move {
            serve_connection(stream, service, policy, closing).await;
            drop(permit);
        });
    }
    let _ = closing_tx.send(true);
    // Wait for open connections to finish their requests (bounded by their grace period).
    let _ = tokio::time::timeout(GRACE * 2, slots.acquire_many(MAX_CONNECTIONS as u32)).await;
}

/// The listener's service for one connection: the bearer token, then the routes.
fn listener_service(
    router: axum::Router,
    token: Option<Token>,
    peer: SocketAddr,
) -> impl Service<
    Request<Incoming>,
    Response = Response<Body>,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<Response<Body>, std::convert::Infallible>> + Send,
> + Send
+ 'static {
    hyper::service::service_fn(move |req: Request<Incoming>| {
        let mut router = router.clone();
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(Peer(peer));
        let allowed = token
            .as_ref()
            .is_none_or(|t| t.accepts(req.headers().get(header::AUTHORIZATION)));
        async move {
            if allowed {
                router.call(req).await
            } else {
                Ok(unauthorized())
            }
        }
    })
}

/// Serves one connection until it ends, its lifetime is over, or the socket closes.
async fn serve_connection<S, B>(
    stream: tokio::net::TcpStream,
    service: S,
    policy: ConnectionPolicy,
    mut closing: watch::Receiver<bool>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let lifetime = policy.lifetime;
    let deadline = tokio::time::sleep(lifetime.unwrap_or(Duration::MAX / 4));
    tokio::pin!(deadline);
    let mut graceful = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            () = &mut deadline, if graceful || lifetime.is_some() => {
                if graceful {
                    return; // In-flight requests had their grace period.
                }
                conn.as_mut().graceful_shutdown();
                graceful = true;
                deadline.as_mut().reset(tokio::time::Instant::now() + GRACE);
            }
            changed = closing.changed(), if !graceful => {
                if changed.is_err() || *closing.borrow() {
                    conn.as_mut().graceful_shutdown();
                    graceful = true;
                    deadline.as_mut().reset(tokio::time::Instant::now() + GRACE);
                }
            }
        }
    }
}

fn unauthorized() -> Response<Body> {
    let mut r = Response::new(Body::from("a bearer token is required\n"));
    *r.status_mut() = StatusCode::UNAUTHORIZED;
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}
