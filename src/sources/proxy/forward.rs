//! One request through the proxy: refused when it would make the proxy an open one or lacks
//! the token; otherwise forwarded with its method, path, headers and body unchanged (minus
//! hop-by-hop and `costtop-*` headers), and the upstream's answer streamed back unchanged,
//! with a copy read for usage on the way. The upstream's errors and `retry-after` reach the
//! client as they are; when the upstream cannot be reached the client gets a 502 in the API's
//! error envelope.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use chrono::Utc;
use http_body_util::{Either, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Version};
use tokio::sync::oneshot;

use super::account::Exchange;
use super::attribution::Caller;
use super::batch_object::BatchObject;
use super::batches::Batches;
use super::body::{Inbound, Outbound, RequestTap, TooLarge};
use super::errors::Refusal;
use super::headers;
use super::health::Health;
use super::tap::{Reader, Tap};
use super::upstream::{Upstream, UpstreamClient};
use crate::listener::Token;
use crate::parse::api::{
    BatchRequestReader, BatchResultsReader, MessageReader, RequestReader, StreamReader,
};

/// Largest Messages request body forwarded (the API takes 32 MB).
const MESSAGES_LIMIT: u64 = 64 << 20;
/// Largest batch create body forwarded (the API takes 256 MB).
const BATCH_LIMIT: u64 = 512 << 20;
/// Largest body of any other request (file uploads).
const OTHER_LIMIT: u64 = 2 << 30;
/// The header carrying the proxy's token when it has one.
pub(super) const TOKEN_HEADER: &str = "costtop-token";

/// What every request handler shares.
#[derive(Debug)]
pub(super) struct Proxy {
    pub(super) upstream: Upstream,
    pub(super) client: UpstreamClient,
    pub(super) token: Option<Token>,
    /// How long the upstream may stay silent (before answering, or mid-body).
    pub(super) idle: Duration,
    pub(super) health: Arc<Health>,
    pub(super) batches: Arc<Batches>,
    /// The proxy's own address (its origin when a request names none).
    pub(super) listen: std::net::SocketAddr,
}

/// Every response body: the proxy's own answers and rewritten batch objects whole, the
/// upstream's streamed.
pub(super) type ProxyBody = Either<Full<Bytes>, Inbound>;

/// The API endpoints the proxy reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    /// `POST /v1/messages`.
    Messages,
    /// `POST /v1/messages/batches`.
    BatchCreate,
    /// Batch objects: retrieve, list, cancel.
    BatchObject,
    /// `GET /v1/messages/batches/{id}/results`.
    BatchResults(String),
    /// Everything else (`count_tokens` included: it costs nothing), passed untouched.
    Other,
}

impl Endpoint {
    fn of(method: &Method, path: &str) -> Endpoint {
        let path = path.trim_end_matches('/');
        match (method, path) {
            (&Method::POST, "/v1/messages") => return Endpoint::Messages,
            (&Method::POST, "/v1/messages/batches") => return Endpoint::BatchCreate,
            (&Method::GET, "/v1/messages/batches") => return Endpoint::BatchObject,
            _ => {}
        }
        let Some(rest) = path.strip_prefix("/v1/messages/batches/") else {
            return Endpoint::Other;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match (method, parts.as_slice()) {
            (&Method::GET, [_]) | (&Method::POST, [_, "cancel"]) => Endpoint::BatchObject,
            (&Method::GET, [id, "results"]) if !id.is_empty() => {
                Endpoint::BatchResults((*id).to_owned())
            }
            _ => Endpoint::Other,
        }
    }

    fn request_tap(&self) -> (RequestTap, u64) {
        match self {
            Endpoint::Messages => (RequestTap::Message(RequestReader::new()), MESSAGES_LIMIT),
            Endpoint::BatchCreate => (RequestTap::Batch(BatchRequestReader::new()), BATCH_LIMIT),
            _ => (RequestTap::None, OTHER_LIMIT),
        }
    }
}

/// Counts a client that went away while its request was in the proxy's hands.
struct CancelGuard<'a>(Option<&'a Health>);

impl Drop for CancelGuard<'_> {
    fn drop(&mut self) {
        if let Some(h) = self.0 {
            h.cancelled();
        }
    }
}

/// Handles one request.
pub(super) async fn handle(proxy: Arc<Proxy>, req: Request<Body>) -> Response<ProxyBody> {
    let started = Instant::now();
    let at = Utc::now();
    let caller = Caller::read(req.headers());
    proxy.health.request(caller.identity());
    if caller.refused_tags > 0 {
        proxy.health.failure(format!(
            "{} costtop-tag-* headers ignored (over 16, empty, too long or not text)",
            caller.refused_tags
        ));
    }
    if let Some(refusal) = refuse(&proxy, &req) {
        return local(&proxy, &refusal, started);
    }
    let endpoint = Endpoint::of(req.method(), req.uri().path());
    let (tap, limit) = endpoint.request_tap();
    if declared_length(req.headers()).is_some_and(|n| n > limit) {
        let why = TooLarge(limit).to_string();
        let refusal = Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", why);
        return local(&proxy, &refusal, started);
    }
    let origin = origin(&req, proxy.listen);
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let Ok(uri) = proxy.upstream.uri(path) else {
        let why = "the request's path cannot be forwarded";
        let refusal = Refusal::new(StatusCode::BAD_REQUEST, "invalid_request_error", why);
        return local(&proxy, &refusal, started);
    };
    headers::strip_request(&mut parts.headers);
    parts.uri = uri;
    parts.version = Version::HTTP_11;
    let (facts_tx, facts_rx) = oneshot::channel();
    let request = Request::from_parts(parts, Outbound::new(body, tap, limit, facts_tx));
    let health = Arc::clone(&proxy.health);
    let mut exchange = Exchange::new(health, Arc::clone(&proxy.batches), at, caller, facts_rx);
    let before = started.elapsed();
    let mut guard = CancelGuard(Some(&proxy.health));
    let answer = tokio::time::timeout(proxy.idle, proxy.client.request(request)).await;
    let response = match answer {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            guard.0 = None;
            return local(&proxy, &unreachable(&proxy.upstream, &e), started);
        }
        Err(_) => {
            guard.0 = None;
            let why = format!(
                "the upstream {} did not answer within {} s",
                proxy.upstream.display(),
                proxy.idle.as_secs()
            );
            let refusal = Refusal::new(StatusCode::GATEWAY_TIMEOUT, "timeout_error", why);
            return local(&proxy, &refusal, started);
        }
    };
    let answered = Instant::now();
    let (mut parts, body) = response.into_parts();
    headers::strip_response(&mut parts.headers);
    exchange.set_request_id(
        parts
            .headers
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    );
    let status = parts.status;
    let body = if status.is_success()
        && matches!(endpoint, Endpoint::BatchCreate | Endpoint::BatchObject)
    {
        let object = BatchObject {
            batches: &proxy.batches,
            upstream: &proxy.upstream,
            origin: &origin,
            created: endpoint == Endpoint::BatchCreate,
        };
        match object
            .pass(&mut parts.headers, body, exchange, proxy.idle)
            .await
        {
            Ok(full) => Either::Left(full),
            Err(refusal) => {
                guard.0 = None;
                return local(&proxy, &refusal, started);
            }
        }
    } else {
        let tap = tap_for(&endpoint, status, &parts.headers, exchange);
        Either::Right(Inbound::new(body, tap, proxy.idle))
    };
    guard.0 = None;
    proxy
        .health
        .answered(status.as_u16(), false, before + answered.elapsed());
    Response::from_parts(parts, body)
}

/// Why a request is not forwarded: a missing token, or a request that would use the proxy
/// as an open one (an absolute URL, `CONNECT`).
fn refuse(proxy: &Proxy, req: &Request<Body>) -> Option<Refusal> {
    if let Some(token) = &proxy.token
        && !token.matches(req.headers().get(TOKEN_HEADER))
    {
        return Some(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            format!("this proxy needs its token in the {TOKEN_HEADER} header"),
        ));
    }
    if req.method() == Method::CONNECT {
        return Some(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request_error",
            "CONNECT is refused: this is not an open proxy",
        ));
    }
    if req.version() < Version::HTTP_2 && req.uri().scheme().is_some() {
        return Some(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "absolute URLs are refused: this is not an open proxy (set the client's base URL to it instead)",
        ));
    }
    None
}

/// The body length a request declares.
fn declared_length(headers: &hyper::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// The proxy's own answer, counted.
fn local(proxy: &Proxy, refusal: &Refusal, started: Instant) -> Response<ProxyBody> {
    proxy
        .health
        .answered(refusal.status.as_u16(), true, started.elapsed());
    refusal.response().map(Either::Left)
}

/// The answer when the upstream could not be asked: 413 for a body over the limit, else 502.
fn unreachable(upstream: &Upstream, e: &hyper_util::client::legacy::Error) -> Refusal {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(too_large) = s.downcast_ref::<TooLarge>() {
            let why = too_large.to_string();
            return Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", why);
        }
        source = s.source();
    }
    let cause = std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string);
    Refusal::new(
        StatusCode::BAD_GATEWAY,
        "api_error",
        format!("cannot reach the upstream {}: {cause}", upstream.display()),
    )
}

/// The proxy's origin as the client reached it (`http://` and its `Host`), where rewritten
/// `results_url`s point.
fn origin(req: &Request<Body>, listen: std::net::SocketAddr) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| {
            req.uri()
                .authority()
                .map(hyper::http::uri::Authority::as_str)
        })
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{listen}"),
    }
}

/// The reader a response needs, if any: Messages responses (JSON or SSE) and results
/// downloads, when successful.
fn tap_for(
    endpoint: &Endpoint,
    status: StatusCode,
    headers: &hyper::HeaderMap,
    mut exchange: Exchange,
) -> Option<Tap> {
    if !status.is_success() {
        return None;
    }
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let reader = match endpoint {
        Endpoint::Messages => {
            let sse = text(header::CONTENT_TYPE)
                .is_some_and(|t| t.trim_start().starts_with("text/event-stream"));
            if sse {
                Reader::Stream(StreamReader::new())
            } else {
                Reader::Message(MessageReader::new())
            }
        }
        Endpoint::BatchResults(id) => {
            exchange.download(id);
            Reader::Results(
                BatchResultsReader::new(),
                exchange.results_time(),
                Vec::new(),
            )
        }
        _ => return None,
    };
    Some(Tap::new(reader, text(header::CONTENT_ENCODING), exchange))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_told_by_method_and_path() {
        let e = |m: Method, p: &str| Endpoint::of(&m, p);
        assert_eq!(e(Method::POST, "/v1/messages"), Endpoint::Messages);
        assert_eq!(
            e(Method::POST, "/v1/messages/count_tokens"),
            Endpoint::Other
        );
        assert_eq!(
            e(Method::POST, "/v1/messages/batches"),
            Endpoint::BatchCreate
        );
        assert_eq!(
            e(Method::GET, "/v1/messages/batches"),
            Endpoint::BatchObject
        );
        assert_eq!(
            e(Method::GET, "/v1/messages/batches/b1"),
            Endpoint::BatchObject
        );
        assert_eq!(
            e(Method::POST, "/v1/messages/batches/b1/cancel"),
            Endpoint::BatchObject
        );
        assert_eq!(
            e(Method::GET, "/v1/messages/batches/b1/results"),
            Endpoint::BatchResults("b1".into())
        );
        assert_eq!(
            e(Method::DELETE, "/v1/messages/batches/b1"),
            Endpoint::Other
        );
        assert_eq!(e(Method::GET, "/v1/models"), Endpoint::Other);
    }
}
