//! A mock of Anthropic's organisation APIs on 127.0.0.1, in the shapes Anthropic documents
//! (docs/organisation.md lists the endpoints): the Usage & Cost Analytics API
//! (beta header required, pages, `data_refreshed_at`), the legacy usage and cost reports
//! (speed grouping only with the fast-mode beta), names of keys and workspaces, spend limits
//! with `effective`, rate limits and Claude Code Analytics. Faults are queued per path; the
//! data can be revised while it runs.

pub mod data;
pub mod demo;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

pub use super::admin::Hit;
use data::MockData;

pub const ANALYTICS_USAGE: &str = "/v1/organizations/analytics/usage";
pub const ANALYTICS_COST: &str = "/v1/organizations/analytics/cost";
pub const LEGACY_USAGE: &str = "/v1/organizations/usage_report/messages";
pub const LEGACY_COST: &str = "/v1/organizations/cost_report";
pub const SPEND_LIMITS: &str = "/v1/organizations/spend_limits";
pub const EFFECTIVE: &str = "/v1/organizations/spend_limits/effective";
pub const RATE_LIMITS: &str = "/v1/organizations/rate_limits";
pub const CLAUDE_CODE: &str = "/v1/organizations/usage_report/claude_code";
pub const API_KEYS: &str = "/v1/organizations/api_keys";
pub const WORKSPACES: &str = "/v1/organizations/workspaces";
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";
pub const FAST_MODE_BETA: &str = "fast-mode-2026-02-01";

/// How the mock's Analytics API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analytics {
    /// As documented.
    Available,
    /// 404: not there (an older deployment, a proxy).
    NotFound,
    /// 403: the key lacks the scope.
    Forbidden,
    /// 400: the organisation may not use the beta.
    BetaRefused,
}

/// A fault served instead of the next answer on a path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with an error envelope.
    Status(u16),
    /// 429 with `retry-after: N` seconds, or without one.
    RateLimited(Option<u64>),
    /// A body that is not JSON.
    Garbage,
}

/// What the mock serves and how.
pub struct Mock {
    pub key: String,
    pub data: Mutex<MockData>,
    pub analytics: Mutex<Analytics>,
    /// The legacy API refuses `group_by[]=speed` even with the beta header.
    pub legacy_refuses_speed: Mutex<bool>,
    /// Rows per page at most (whatever `limit` asks).
    pub page_size: Mutex<usize>,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    hits: Mutex<Vec<Hit>>,
}

/// The running mock.
pub struct OrgApi {
    pub base: String,
    pub mock: Arc<Mock>,
}

impl OrgApi {
    /// Serves `data` on 127.0.0.1:`port` (0: any) for requests carrying `key`.
    pub async fn start_on(port: u16, key: &str, data: MockData) -> OrgApi {
        let mock = Arc::new(Mock {
            key: key.to_owned(),
            data: Mutex::new(data),
            analytics: Mutex::new(Analytics::Available),
            legacy_refuses_speed: Mutex::new(false),
            page_size: Mutex::new(1000),
            faults: Mutex::new(HashMap::new()),
            hits: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(answer).with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        OrgApi { base, mock }
    }

    /// Serves `data` on a free port.
    pub async fn start(key: &str, data: MockData) -> OrgApi {
        OrgApi::start_on(0, key, data).await
    }

    /// Queues `fault` for the next request on `path`.
    pub fn fault(&self, path: &str, fault: Fault) {
        let mut faults = self.mock.faults.lock().unwrap();
        faults.entry(path.to_owned()).or_default().push_back(fault);
    }

    pub fn set_analytics(&self, a: Analytics) {
        *self.mock.analytics.lock().unwrap() = a;
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.mock.hits.lock().unwrap();
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }

    /// Changes the data (a revision).
    pub fn revise(&self, change: impl FnOnce(&mut MockData)) {
        change(&mut self.mock.data.lock().unwrap());
    }
}

fn error(status: u16, kind: &str, message: &str) -> (u16, Value) {
    let body = json!({"type": "error", "error": {"type": kind, "message": message},
                      "request_id": "req_mock"});
    (status, body)
}

async fn answer(State(mock): State<Arc<Mock>>, uri: Uri, headers: HeaderMap) -> Response {
    let hit = Hit::of(&uri, &headers);
    mock.hits.lock().unwrap().push(hit.clone());
    let fault = {
        let mut faults = mock.faults.lock().unwrap();
        faults.get_mut(&hit.path).and_then(VecDeque::pop_front)
    };
    let (status, body, retry_after) = match fault {
        Some(Fault::Status(s)) => {
            let (s, b) = error(s, "api_error", "injected fault");
            (s, b.to_string(), None)
        }
        Some(Fault::RateLimited(after)) => {
            let (s, b) = error(429, "rate_limit_error", "slow down");
            (s, b.to_string(), after)
        }
        Some(Fault::Garbage) => (200, "{\"data\": [tru".to_owned(), None),
        None => {
            let (s, b) = route(&mock, &hit);
            (s, b.to_string(), None)
        }
    };
    let mut response = (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body,
    )
        .into_response();
    if let Some(after) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", after.to_string().parse().unwrap());
    }
    response
}

fn route(mock: &Mock, hit: &Hit) -> (u16, Value) {
    if hit.api_key.as_deref() != Some(mock.key.as_str()) {
        return error(401, "authentication_error", "invalid x-api-key");
    }
    let beta = hit.beta.as_deref().unwrap_or("");
    let data = mock.data.lock().unwrap().clone();
    let page_size = *mock.page_size.lock().unwrap();
    let time = |name: &str| {
        hit.param(name)
            .and_then(|v| v.parse::<DateTime<Utc>>().ok())
    };
    match hit.path.as_str() {
        ANALYTICS_USAGE | ANALYTICS_COST => {
            match *mock.analytics.lock().unwrap() {
                Analytics::NotFound => return error(404, "not_found_error", "Not found"),
                Analytics::Forbidden => {
                    return error(403, "permission_error", "this key lacks read:analytics");
                }
                Analytics::BetaRefused => {
                    return error(
                        400,
                        "invalid_request_error",
                        "beta not enabled for this organization",
                    );
                }
                Analytics::Available => {}
            }
            if !beta.contains(ANALYTICS_BETA) {
                let m = format!("the anthropic-beta header must include {ANALYTICS_BETA}");
                return error(400, "invalid_request_error", &m);
            }
            let Some(start) = time("starting_at") else {
                return error(400, "invalid_request_error", "starting_at is required");
            };
            let end = time("ending_at").unwrap_or_else(Utc::now);
            if end - start > chrono::Duration::days(31) {
                return error(400, "invalid_request_error", "range longer than 31 days");
            }
            let rows = if hit.path == ANALYTICS_USAGE {
                let groups: Vec<String> = hit
                    .params("group_by[]")
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                data.analytics_usage(start, end, hit.param("time_bucket_width"), &groups)
            } else {
                data.analytics_cost(start, end)
            };
            let mut page = paged(hit, &rows, page_size, true);
            page["data_refreshed_at"] = json!(data.refreshed_at);
            (200, page)
        }
        LEGACY_USAGE => {
            let groups: Vec<String> = hit
                .params("group_by[]")
                .into_iter()
                .map(str::to_owned)
                .collect();
            if groups.iter().any(|g| g == "speed")
                && (!beta.contains(FAST_MODE_BETA) || *mock.legacy_refuses_speed.lock().unwrap())
            {
                return error(
                    400,
                    "invalid_request_error",
                    "group_by speed requires the fast-mode beta",
                );
            }
            let (Some(start), width) = (
                time("starting_at"),
                hit.param("bucket_width").unwrap_or("1d"),
            ) else {
                return error(400, "invalid_request_error", "starting_at is required");
            };
            let end = time("ending_at").unwrap_or_else(Utc::now);
            (
                200,
                paged(
                    hit,
                    &data.legacy_usage(start, end, width, &groups),
                    page_size,
                    true,
                ),
            )
        }
        LEGACY_COST => {
            let start = time("starting_at").unwrap_or_else(Utc::now);
            let end = time("ending_at").unwrap_or_else(Utc::now);
            (
                200,
                paged(hit, &data.legacy_cost(start, end), page_size, true),
            )
        }
        SPEND_LIMITS => (200, paged(hit, &data.spend_limits, page_size, false)),
        EFFECTIVE => (200, paged(hit, &data.effective, page_size, false)),
        RATE_LIMITS => (200, json!({"data": data.rate_limits, "next_page": null})),
        CLAUDE_CODE => {
            let day = hit
                .param("starting_at")
                .and_then(|d| d.parse::<NaiveDate>().ok());
            let Some(day) = day else {
                return error(
                    400,
                    "invalid_request_error",
                    "starting_at must be YYYY-MM-DD",
                );
            };
            let rows = data.claude_code.get(&day).cloned().unwrap_or_default();
            (200, paged(hit, &rows, page_size, true))
        }
        API_KEYS | WORKSPACES => {
            let items = if hit.path == API_KEYS {
                data.api_keys
            } else {
                data.workspaces
            };
            let last = items.last().and_then(|i| i.get("id")).cloned();
            (
                200,
                json!({"data": items, "has_more": false, "first_id": null, "last_id": last}),
            )
        }
        _ => error(404, "not_found_error", "Not found"),
    }
}

/// The page of `rows` the request's `page` token (an offset) and `limit` ask for, at most
/// `page_size` rows; `has_more` only when `with_has_more` (spend-limit pages have none).
fn paged(hit: &Hit, rows: &[Value], page_size: usize, with_has_more: bool) -> Value {
    let offset: usize = hit
        .param("page")
        .and_then(|p| p.strip_prefix("offset:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let limit = hit
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, page_size.max(1));
    let end = (offset + limit).min(rows.len());
    let more = end < rows.len();
    let data: Vec<Value> = rows
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let next = more.then(|| format!("offset:{end}"));
    let mut page = json!({"data": data, "next_page": next});
    if with_has_more {
        page["has_more"] = json!(more);
    }
    page
}

/// Waits (polling the mock's hits) until `path` was asked `n` times; panics after 10 s.
pub async fn wait_for_hits(api: &OrgApi, path: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while api.hits(path).len() < n {
        assert!(
            Instant::now() < deadline,
            "{path} was asked {} times",
            api.hits(path).len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
