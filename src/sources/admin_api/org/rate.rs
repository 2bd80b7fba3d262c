//! The Rate Limits API: the org's configured limits per model group
//! (`GET /v1/organizations/rate_limits`), as [`RateLimitGroup`]s. There is no consumption
//! field: headroom is the aggregator's, against minute buckets.

use serde::Deserialize;
use serde_json::Value;

use crate::sources::admin_api::client::{AdminClient, ApiError};
use crate::usage::RateLimitGroup;

const PATH: &str = "/v1/organizations/rate_limits";

/// One rate-limit entry as the API writes it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RateLimit {
    #[serde(default)]
    group: Option<Value>,
    #[serde(default)]
    group_type: Option<String>,
    #[serde(default)]
    models: Option<Vec<String>>,
    #[serde(default)]
    limits: Vec<Limiter>,
}

/// One limiter: its type and value.
#[derive(Debug, Clone, Deserialize)]
struct Limiter {
    #[serde(rename = "type")]
    kind: String,
    value: u64,
}

/// Every configured limit (one page when no `limit` is asked for; later pages joined).
pub(crate) async fn fetch(client: &AdminClient) -> Result<Vec<RateLimitGroup>, ApiError> {
    let listing = client.paginate::<RateLimit>(PATH, Vec::new(), None).await?;
    Ok(listing.items.iter().map(group).collect())
}

/// An entry as a group: its display name (else id, else type), type, models and limits.
pub(crate) fn group(r: &RateLimit) -> RateLimitGroup {
    let field = |k: &str| {
        r.group
            .as_ref()
            .and_then(|g| g.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let group_type = field("type")
        .or_else(|| r.group_type.clone())
        .unwrap_or_else(|| "unknown".into());
    RateLimitGroup {
        name: field("display_name")
            .or_else(|| field("id"))
            .unwrap_or_else(|| group_type.clone()),
        group_type,
        models: r.models.clone().unwrap_or_default(),
        limits: r.limits.iter().map(|l| (l.kind.clone(), l.value)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entries_become_groups_with_their_limits() {
        let r: RateLimit = serde_json::from_value(json!({
            "type":"rate_limit","id":"rl_1",
            "group":{"type":"model_group","id":"rlg_01VPTCmyiu5ZLsWkcxYG2pY8",
                     "display_name":"Claude Sonnet 4.x"},
            "group_type":"model_group",
            "models":["claude-sonnet-4-5","claude-sonnet-4-5-20250929"],
            "limits":[{"type":"requests_per_minute","value":4000},
                      {"type":"input_tokens_per_minute","value":2_000_000}]}))
        .unwrap();
        let g = group(&r);
        assert_eq!(g.name, "Claude Sonnet 4.x");
        assert_eq!(g.group_type, "model_group");
        assert_eq!(g.models.len(), 2);
        assert_eq!(g.limits[1], ("input_tokens_per_minute".into(), 2_000_000));
        let files: RateLimit = serde_json::from_value(json!({
            "group":{"type":"files","id":"rlg_files"},"models":null,
            "limits":[{"type":"requests_per_minute","value":100}]}))
        .unwrap();
        assert_eq!(group(&files).name, "rlg_files");
        assert!(group(&files).models.is_empty());
    }
}
