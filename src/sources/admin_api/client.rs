//! HTTP client for the Admin API: usage and cost reports, joined across pages.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::backoff::parse_retry_after;
use super::key::AdminKey;
use super::plan::BucketWidth;
use super::schema::{CostBucket, Page, UsageBucket};

const USAGE_PATH: &str = "/v1/organizations/usage_report/messages";
const COST_PATH: &str = "/v1/organizations/cost_report";
const API_VERSION: &str = "2023-06-01";
/// Every dimension that changes the price or the attribution of a bucket; `inference_geo`
/// is needed for the US-only surcharge (without it the API reports the geo as null).
const USAGE_GROUPS: [&str; 6] = [
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "workspace_id",
    "api_key_id",
];
/// The most pages one report may span before we suspect a pagination loop.
const MAX_PAGES: usize = 1000;
/// The cost report accepts at most this many daily buckets per page.
const COST_PAGE_LIMIT: u32 = 31;

/// Why an Admin API request failed. Messages never contain the key or a response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    /// 401 or 403: the key is wrong, revoked, or not an admin key.
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
    /// Any other unsuccessful status (a 4xx other than 401, 403, 429).
    #[error("unexpected HTTP {0}")]
    Status(u16),
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

/// A client for the Admin API's report endpoints, holding the key in its default headers.
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

    /// Every usage bucket in `[start, end)` at `width`, grouped by model, service tier,
    /// context window, inference geo, workspace and API key, with all pages joined.
    pub(crate) async fn usage_report(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        width: BucketWidth,
    ) -> Result<Vec<UsageBucket>, ApiError> {
        let mut query = vec![
            ("starting_at", stamp(start)),
            ("ending_at", stamp(end)),
            ("bucket_width", width.as_str().to_owned()),
        ];
        query.extend(USAGE_GROUPS.iter().map(|g| ("group_by[]", (*g).to_owned())));
        query.push(("limit", width.page_limit().to_string()));
        self.paginate(USAGE_PATH, query).await
    }

    /// Every daily cost bucket in `[start, end)`, grouped by description, all pages joined.
    pub(crate) async fn cost_report(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<CostBucket>, ApiError> {
        let query = vec![
            ("starting_at", stamp(start)),
            ("ending_at", stamp(end)),
            ("group_by[]", "description".to_owned()),
            ("limit", COST_PAGE_LIMIT.to_string()),
        ];
        self.paginate(COST_PATH, query).await
    }

    async fn paginate<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut request = self.http.get(format!("{}{path}", self.base)).query(&query);
            if let Some(token) = &page {
                request = request.query(&[("page", token)]);
            }
            let body: Page<T> = fetch_json(request).await?;
            out.extend(body.data);
            if !body.has_more {
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
        return Err(ApiError::Status(status.as_u16()));
    }
    let body = response.bytes().await.map_err(|e| classify(&e))?;
    serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))
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

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
