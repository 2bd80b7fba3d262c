//! The Claude Code Analytics API (`GET /v1/organizations/usage_report/claude_code`): one
//! record per developer per UTC day, with Claude Code's estimated cost (in cents) per model.
//! Daily only, and about an hour behind.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use crate::money::Money;
use crate::sources::admin_api::client::{AdminClient, ApiError};
use crate::usage::{ClaudeCodeDay, Tokens};

const PATH: &str = "/v1/organizations/usage_report/claude_code";
/// Records per page (the documented maximum).
const PAGE_LIMIT: u32 = 1000;

/// One developer's day as the API writes it (only what costtop shows is read).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Record {
    #[serde(default)]
    actor: Value,
    #[serde(default)]
    core_metrics: CoreMetrics,
    #[serde(default)]
    model_breakdown: Vec<ModelBreakdown>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct CoreMetrics {
    #[serde(default)]
    num_sessions: u64,
    #[serde(default)]
    lines_of_code: Lines,
    #[serde(default)]
    commits_by_claude_code: u64,
    #[serde(default)]
    pull_requests_by_claude_code: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Lines {
    #[serde(default)]
    added: u64,
    #[serde(default)]
    removed: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct ModelBreakdown {
    #[serde(default)]
    tokens: ModelTokens,
    #[serde(default)]
    estimated_cost: Option<EstimatedCost>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ModelTokens {
    #[serde(default)]
    input: u64,
    #[serde(default)]
    output: u64,
    #[serde(default)]
    cache_read: u64,
    #[serde(default)]
    cache_creation: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct EstimatedCost {
    /// Cents, as a number (documented) or a string (seen elsewhere).
    #[serde(default)]
    amount: Value,
}

/// The records of one UTC day, as rows.
pub(crate) async fn fetch_day(
    client: &AdminClient,
    day: NaiveDate,
) -> Result<Vec<ClaudeCodeDay>, ApiError> {
    let query = vec![
        ("starting_at", day.format("%Y-%m-%d").to_string()),
        ("limit", PAGE_LIMIT.to_string()),
    ];
    let listing = client.paginate::<Record>(PATH, query, None).await?;
    listing.items.iter().map(|r| row(day, r)).collect()
}

/// A record as a row: the actor by email (or key name), costs and tokens summed over models.
pub(crate) fn row(day: NaiveDate, r: &Record) -> Result<ClaudeCodeDay, ApiError> {
    let text = |k: &str| {
        r.actor
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let actor = text("email_address")
        .or_else(|| text("api_key_name"))
        .or_else(|| text("name"))
        .unwrap_or("(unknown)")
        .to_owned();
    let mut estimated_cost = Money::ZERO;
    let mut tokens = Tokens::default();
    for m in &r.model_breakdown {
        if let Some(cost) = &m.estimated_cost {
            estimated_cost += cents(&cost.amount).ok_or_else(|| {
                ApiError::Malformed("Claude Code estimated_cost.amount is not a number".into())
            })?;
        }
        tokens.input += m.tokens.input;
        tokens.output += m.tokens.output;
        tokens.cache_read += m.tokens.cache_read;
        tokens.cache_write_5m += m.tokens.cache_creation;
    }
    let c = &r.core_metrics;
    Ok(ClaudeCodeDay {
        day,
        actor,
        sessions: c.num_sessions,
        lines: (c.lines_of_code.added, c.lines_of_code.removed),
        commits: c.commits_by_claude_code,
        pull_requests: c.pull_requests_by_claude_code,
        estimated_cost,
        tokens,
    })
}

fn cents(v: &Value) -> Option<Money> {
    match v {
        Value::Number(n) => Money::from_cents_str(&n.to_string()),
        Value::String(s) => Money::from_cents_str(s),
        Value::Null => Some(Money::ZERO),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_documented_record_reads_in_cents() {
        let r: Record = serde_json::from_value(json!({"date":"2025-09-01T00:00:00Z",
            "actor":{"type":"user_actor","email_address":"developer@company.com"},
            "organization_id":"dc9f6c26","customer_type":"api","terminal_type":"vscode",
            "core_metrics":{"num_sessions":5,"lines_of_code":{"added":1543,"removed":892},
                "commits_by_claude_code":12,"pull_requests_by_claude_code":2},
            "tool_actions":{"edit_tool":{"accepted":45,"rejected":5}},
            "model_breakdown":[{"model":"claude-sonnet-4-5-20250929",
                "tokens":{"input":100_000,"output":35_000,"cache_read":10_000,"cache_creation":5_000},
                "estimated_cost":{"currency":"USD","amount":1025}}]}))
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        let row = row(day, &r).unwrap();
        assert_eq!(row.actor, "developer@company.com");
        assert_eq!(Some(row.estimated_cost), Money::from_cents_str("1025"));
        assert_eq!((row.sessions, row.lines, row.commits), (5, (1543, 892), 12));
        assert_eq!(row.tokens.cache_write_5m, 5000);
        let key: Record = serde_json::from_value(json!({
            "actor":{"type":"api_actor","api_key_name":"ci-bot"},
            "model_breakdown":[{"estimated_cost":{"amount":"12.5"}}]}))
        .unwrap();
        let row = super::row(day, &key).unwrap();
        assert_eq!(row.actor, "ci-bot");
        assert_eq!(Some(row.estimated_cost), Money::from_cents_str("12.5"));
    }
}
