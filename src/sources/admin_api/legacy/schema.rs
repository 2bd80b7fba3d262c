//! Typed shapes of the legacy Admin API reports (usage report and cost report), read with
//! serde.
//!
//! Token counts are required: a response without them is a schema mismatch and fails with
//! serde's message naming the field. Grouping fields are optional (null when not grouped).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::sources::admin_api::figures::UsageMetrics;

/// One time bucket of the messages usage report.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UsageBucket {
    /// Start of the bucket (inclusive).
    pub(crate) starting_at: DateTime<Utc>,
    /// End of the bucket (exclusive); part of the report's shape, read by the tests only.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the payload's shape; the tests read it")
    )]
    pub(crate) ending_at: DateTime<Utc>,
    /// One row per combination of the grouping fields.
    pub(crate) results: Vec<UsageRow>,
}

/// Token usage of one group within a bucket.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UsageRow {
    /// The token figures.
    #[serde(flatten)]
    pub(crate) usage: UsageMetrics,
    /// API key the usage is attributed to, when grouped by it.
    #[serde(default)]
    pub(crate) api_key_id: Option<String>,
    /// Workspace the usage is attributed to, when grouped by it.
    #[serde(default)]
    pub(crate) workspace_id: Option<String>,
    /// Model id, when grouped by model.
    #[serde(default)]
    pub(crate) model: Option<String>,
    /// `standard`, `batch`, `priority`…, when grouped by service tier.
    #[serde(default)]
    pub(crate) service_tier: Option<String>,
    /// `0-200k` or `200k-1M`, when grouped by context window.
    #[serde(default)]
    pub(crate) context_window: Option<String>,
    /// `us` for US-only inference; null or `global` otherwise.
    #[serde(default)]
    pub(crate) inference_geo: Option<String>,
    /// `fast` or `standard`, when grouped by speed (needs the fast-mode beta header).
    #[serde(default)]
    pub(crate) speed: Option<String>,
}

/// One daily bucket of the cost report.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CostBucket {
    /// Start of the day (UTC).
    pub(crate) starting_at: DateTime<Utc>,
    /// End of the day; part of the report's shape.
    #[expect(
        dead_code,
        reason = "the payload's shape: a bucket without it is refused"
    )]
    pub(crate) ending_at: DateTime<Utc>,
    /// One row per description (and model).
    pub(crate) results: Vec<CostRow>,
}

/// One billed line of the cost report.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CostRow {
    /// Amount in cents, as a decimal string (`"123.45"` is $1.2345).
    pub(crate) amount: String,
    /// Currency; always `USD` today.
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "the payload's shape, kept for when a second currency comes"
    )]
    pub(crate) currency: Option<String>,
    /// What was billed, e.g. `Claude Sonnet 4.5 Usage - Input Tokens`.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Model id, for token costs.
    #[serde(default)]
    pub(crate) model: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::admin_api::client::Page;

    #[test]
    fn fixtures_parse() {
        let usage: Page<UsageBucket> = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/admin/usage-report-messages.json"
        ))
        .unwrap();
        assert_eq!(usage.has_more, Some(true));
        assert_eq!(
            usage.data[0].results[0]
                .usage
                .cache_creation
                .ephemeral_1h_input_tokens,
            1000
        );
        assert_eq!(
            usage.data[0].results[0]
                .usage
                .server_tool_use
                .web_search_requests,
            10
        );
        let cost: Page<CostBucket> = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/admin/cost-report.json"
        ))
        .unwrap();
        assert_eq!(cost.data[0].results[0].amount, "123.45");
    }

    #[test]
    fn missing_token_field_is_named() {
        let text = r#"{"data":[{"starting_at":"2026-11-20T14:00:00Z","ending_at":"2026-11-20T14:01:00Z",
            "results":[{"uncached_input_tokens":1,"cache_creation":{"ephemeral_1h_input_tokens":0,
            "ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0}]}],"has_more":false}"#;
        let err = serde_json::from_str::<Page<UsageBucket>>(text).unwrap_err();
        assert!(err.to_string().contains("output_tokens"), "{err}");
    }
}
