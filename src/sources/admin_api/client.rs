//! HTTP client for the Admin API: one GET with the key, version and beta headers, the
//! error classification every endpoint shares, and both pagination styles (`next_page`
//! cursors for reports and limits, `after_id` for lists of keys and workspaces).

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::backoff::parse_retry_after;
use super::key::AdminKey;

const API_VERSION: &str = "2023-06-01";
/// The most pages one listing may span before we suspect a pagination loop.
const MAX_PAGES: usize = 1000;
/// The most of an error body read for its message.
const ERROR_BODY_LIMIT: usize = 8 * 1024;
/// The most of a server's error message kept (it is shown on one status line).
const ERROR_MESSAGE_CHARS: usize = 160;

/// Query parameters of one request.
pub(crate) type Query = Vec<(&'static str, String)>;

/// Why an Admin API request failed. Messages never contain the key (reasons built from a
/// server's message are redacted by the poller before they are shown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    /// 401 or 403: the key is wrong, revoked, or not allowed to read this.
    #[error("admin key rejected (HTTP {0})")]
    Rejected(u16),
    /// 429, with the server's `Retry-After` when given.
    #[error("rate limited (HTTP 429)")]
    RateLimited {
        /// How long the server asked us to wait.
        retry_after: Option<Duration>,
    },
    /// A 5xx answer.
    #[error("server error (HTTP {0})")]
    Server(u16),
    /// Any other unsuccessful status (a 4xx other than 401, 403, 429), with the error
    /// envelope's message when there is one.
    #[error("unexpected HTTP {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// `error.message` of the body, shortened.
        message: Option<String>,
    },
    /// No complete answer within the total timeout.
    #[error("request timed out")]
    Timeout,
    /// The connection could not be made.
    #[error("connection failed: {0}")]
    Connect(String),
    /// Another transport failure.
    #[error("request failed: {0}")]
    Transport(String),
    /// The body is not JSON, or not the documented schema (serde's message names the field).
    #[error("unexpected response: {0}")]
    Malformed(String),
    /// The client could not be built (bad base URL, TLS setup).
    #[error("cannot set up the Admin API client: {0}")]
    Setup(String),
}

impl ApiError {
    /// The HTTP status of an answered request that failed, if that is what happened.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            ApiError::Rejected(s) | ApiError::Server(s) | ApiError::Status { status: s, .. } => {
                Some(*s)
            }
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// One page of a report or list paginated by `next_page` (`has_more` may be absent: the
/// spend-limit pages have none, and a `next_page` then means more).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Page<T> {
    /// The items on this page.
    pub(crate) data: Vec<T>,
    /// Whether another page follows.
    #[serde(default)]
    pub(crate) has_more: Option<bool>,
    /// The opaque token to pass as `page` for the next page.
    #[serde(default, rename = "next_page")]
    pub(crate) next: Option<String>,
    /// When the data was last refreshed (the Analytics API).
    #[serde(default)]
    pub(crate) data_refreshed_at: Option<DateTime<Utc>>,
}

/// One page of a list paginated by `after_id` (API keys, workspaces).
#[derive(Debug, Clone, Deserialize)]
struct IdPage<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    last_id: Option<String>,
}

/// Every item of a paginated listing, and the newest `data_refreshed_at` of its pages.
#[derive(Debug, Clone)]
pub(crate) struct Listing<T> {
    /// The items of every page, in order.
    pub(crate) items: Vec<T>,
    /// The latest refresh time any page gave.
    pub(crate) refreshed_at: Option<DateTime<Utc>>,
}

/// A client for the Admin API, holding the key in its default headers.
#[derive(Debug, Clone)]
pub(crate) struct AdminClient {
    http: reqwest::Client,
    base: String,
}

impl AdminClient {
    /// Builds a client for `api_base` (e.g. `https://api.anthropic.com`) with the given
    /// connect timeout and total per-request timeout.
    pub(crate) fn new(
        api_base: &str,
        key: &AdminKey,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<AdminClient, ApiError> {
        let base = api_base.trim_end_matches('/').to_owned();
        reqwest::Url::parse(&base)
            .map_err(|e| ApiError::Setup(format!("invalid API base URL: {e}")))?;
        let mut headers = HeaderMap::new();
        let secret = key
            .header_value()
            .map_err(|e| ApiError::Setup(e.to_string()))?;
        headers.insert("x-api-key", secret);
        headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(connect_timeout)
            .timeout(request_timeout)
            .user_agent(concat!("costtop/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Setup(innermost(&e)))?;
        Ok(AdminClient { http, base })
    }

    /// One GET of `path` with `query` (and the `anthropic-beta` header when given).
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        beta: Option<&'static str>,
    ) -> Result<T, ApiError> {
        let mut request = self.http.get(format!("{}{path}", self.base)).query(query);
        if let Some(beta) = beta {
            request = request.header("anthropic-beta", beta);
        }
        fetch_json(request).await
    }

    /// Every item of a listing paginated by `next_page`, all pages joined.
    pub(crate) async fn paginate<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Query,
        beta: Option<&'static str>,
    ) -> Result<Listing<T>, ApiError> {
        let mut out = Listing {
            items: Vec::new(),
            refreshed_at: None,
        };
        let mut page: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q = query.clone();
            if let Some(token) = &page {
                q.push(("page", token.clone()));
            }
            let body: Page<T> = self.get(path, &q, beta).await?;
            out.items.extend(body.data);
            out.refreshed_at = out.refreshed_at.max(body.data_refreshed_at);
            let more = body.has_more.unwrap_or(body.next.is_some());
            if !more {
                return Ok(out);
            }
            match body.next {
                Some(next) if page.as_ref() != Some(&next) => page = Some(next),
                _ => {
                    return Err(ApiError::Malformed(
                        "has_more is true but next_page is missing or repeated".into(),
                    ));
                }
            }
        }
        Err(ApiError::Malformed(format!("more than {MAX_PAGES} pages")))
    }

    /// Every item of a list paginated by `after_id` (the id of the last item of a page).
    pub(crate) async fn list_after_id<T: DeserializeOwned>(
        &self,
        path: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..max_pages {
            let mut q: Query = vec![("limit", "1000".to_owned())];
            if let Some(id) = &after {
                q.push(("after_id", id.clone()));
            }
            let body: IdPage<T> = self.get(path, &q, None).await?;
            out.extend(body.data);
            match (body.has_more, body.last_id) {
                (true, Some(last)) if after.as_ref() != Some(&last) => after = Some(last),
                (true, _) => {
                    return Err(ApiError::Malformed(
                        "has_more is true but last_id is missing or repeated".into(),
                    ));
                }
                (false, _) => return Ok(out),
            }
        }
        Ok(out)
    }
}

async fn fetch_json<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, ApiError> {
    let response = request.send().await.map_err(|e| classify(&e))?;
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(ApiError::Rejected(status.as_u16()));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        return Err(ApiError::RateLimited { retry_after });
    }
    if status.is_server_error() {
        return Err(ApiError::Server(status.as_u16()));
    }
    if !status.is_success() {
        let message = error_message(response).await;
        return Err(ApiError::Status {
            status: status.as_u16(),
            message,
        });
    }
    let body = response.bytes().await.map_err(|e| classify(&e))?;
    serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))
}

/// `error.message` of an error envelope (`{"type":"error","error":{"type":…,"message":…}}`),
/// read from at most [`ERROR_BODY_LIMIT`] bytes and cut to one short line.
async fn error_message(mut response: reqwest::Response) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        message: String,
    }
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= ERROR_BODY_LIMIT {
            return None;
        }
    }
    let envelope: Envelope = serde_json::from_slice(&body).ok()?;
    let line: String = envelope
        .error
        .message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(ERROR_MESSAGE_CHARS)
        .collect();
    (!line.trim().is_empty()).then(|| line.trim().to_owned())
}

/// Sorts a transport error; the message is the root cause only (no URL, no headers).
fn classify(e: &reqwest::Error) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout
    } else if e.is_connect() {
        ApiError::Connect(innermost(e))
    } else {
        ApiError::Transport(innermost(e))
    }
}

fn innermost(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// A time as the API takes it (RFC 3339, whole seconds, `Z`).
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
