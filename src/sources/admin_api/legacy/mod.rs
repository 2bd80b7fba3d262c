//! The legacy Usage & Cost API (`/v1/organizations/usage_report/messages` and
//! `/cost_report`), read when the Analytics API cannot be: usage by model, tier, context
//! window, inference geo, workspace, API key and — with the fast-mode beta header — speed.
//! It knows no actor or product, and no list price.

mod events;
mod schema;

use chrono::{DateTime, Utc};

pub(crate) use events::{billed_costs, bucket_events};
pub(crate) use schema::{CostBucket, UsageBucket};

use super::client::{AdminClient, ApiError, Listing, Query, stamp};
use super::plan::BucketWidth;

const USAGE_PATH: &str = "/v1/organizations/usage_report/messages";
const COST_PATH: &str = "/v1/organizations/cost_report";
/// Grouping by `speed` needs this beta header.
const FAST_MODE_BETA: &str = "fast-mode-2026-02-01";
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
/// The cost report accepts at most this many daily buckets per page.
const COST_PAGE_LIMIT: u32 = 31;

/// What the legacy path cannot know, said beside the reason it is used.
pub(crate) const LIMITS_NOTE: &str =
    "no actor or product, no list prices or discounts (the Analytics API has them)";

/// Every usage bucket in `[start, end)` at `width`, grouped by model, service tier, context
/// window, inference geo, workspace, API key and (when `speed`) speed, all pages joined.
pub(crate) async fn usage_report(
    client: &AdminClient,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    width: BucketWidth,
    speed: bool,
) -> Result<Listing<UsageBucket>, ApiError> {
    let mut query: Query = vec![
        ("starting_at", stamp(start)),
        ("ending_at", stamp(end)),
        ("bucket_width", width.as_str().to_owned()),
    ];
    query.extend(USAGE_GROUPS.iter().map(|g| ("group_by[]", (*g).to_owned())));
    if speed {
        query.push(("group_by[]", "speed".to_owned()));
    }
    query.push(("limit", width.page_limit().to_string()));
    let beta = speed.then_some(FAST_MODE_BETA);
    client.paginate(USAGE_PATH, query, beta).await
}

/// Every daily cost bucket in `[start, end)`, grouped by description, all pages joined.
pub(crate) async fn cost_report(
    client: &AdminClient,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<CostBucket>, ApiError> {
    let query = vec![
        ("starting_at", stamp(start)),
        ("ending_at", stamp(end)),
        ("group_by[]", "description".to_owned()),
        ("limit", COST_PAGE_LIMIT.to_string()),
    ];
    Ok(client.paginate(COST_PATH, query, None).await?.items)
}
