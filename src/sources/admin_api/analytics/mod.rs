//! The Usage & Cost Analytics API (beta): `/v1/organizations/analytics/usage` grouped by
//! every dimension that changes a price or says who spent, and `/analytics/cost` by day and
//! model with billed and list amounts. Every request carries the beta header.

mod events;
mod schema;

use chrono::{DateTime, Duration, TimeZone, Utc};

pub(crate) use events::{billed_costs, usage_events};
pub(crate) use schema::{CostItem, UsageItem, actor_name};

use super::client::{AdminClient, ApiError, Listing, Query, stamp};
use super::plan::BucketWidth;

const USAGE_PATH: &str = "/v1/organizations/analytics/usage";
const COST_PATH: &str = "/v1/organizations/analytics/cost";
/// The beta every Analytics request must name.
pub(crate) const BETA: &str = "analytics-usage-cost-2026-08-24";
/// The dimensions usage is grouped by: who (actor, key, workspace, product) and everything
/// that changes the price.
const USAGE_GROUPS: [&str; 9] = [
    "actor",
    "api_key_id",
    "workspace_id",
    "product",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
];
/// Rows per page asked for (the SDK pages through the rest).
const PAGE_LIMIT: u32 = 1000;
/// The longest range one request may cover.
pub(crate) const MAX_RANGE_DAYS: i64 = 31;
/// The API serves nothing older than this many days…
const MAX_AGE_DAYS: i64 = 365;

/// …and nothing before 2026-01-01.
fn earliest(now: DateTime<Utc>) -> DateTime<Utc> {
    let floor = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    BucketWidth::Day
        .ceil(now - Duration::days(MAX_AGE_DAYS))
        .max(floor)
}

/// Every usage row of `[start, end)` in buckets of `width`, all pages joined (empty for a
/// range the API does not serve).
pub(crate) async fn usage(
    client: &AdminClient,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    width: BucketWidth,
) -> Result<Listing<UsageItem>, ApiError> {
    let start = start.max(earliest(Utc::now()));
    if start >= end {
        return Ok(Listing {
            items: Vec::new(),
            refreshed_at: None,
        });
    }
    let mut query: Query = vec![
        ("starting_at", stamp(start)),
        ("ending_at", stamp(end)),
        ("time_bucket_width", width.as_str().to_owned()),
    ];
    query.extend(USAGE_GROUPS.iter().map(|g| ("group_by[]", (*g).to_owned())));
    query.push(("limit", PAGE_LIMIT.to_string()));
    client.paginate(USAGE_PATH, query, Some(BETA)).await
}

/// Every daily cost row of `[start, end)` grouped by model, all pages joined, in ranges of
/// at most [`MAX_RANGE_DAYS`].
pub(crate) async fn cost(
    client: &AdminClient,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<CostItem>, ApiError> {
    let mut out = Vec::new();
    let mut from = start.max(earliest(Utc::now()));
    while from < end {
        let to = (from + Duration::days(MAX_RANGE_DAYS)).min(end);
        let query = vec![
            ("starting_at", stamp(from)),
            ("ending_at", stamp(to)),
            ("time_bucket_width", BucketWidth::Day.as_str().to_owned()),
            ("group_by[]", "model".to_owned()),
            ("limit", PAGE_LIMIT.to_string()),
        ];
        out.extend(client.paginate(COST_PATH, query, Some(BETA)).await?.items);
        from = to;
    }
    Ok(out)
}
