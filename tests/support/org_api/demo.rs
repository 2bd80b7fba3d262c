//! Data sets for the mock: a small organisation with hand-checked figures for the tests, and
//! a busy one (a few hours of every minute) to look at by hand.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use costtop::usage::Tokens;
use serde_json::{Value, json};

use super::data::{CostRow, MockData, UsageRow};

pub fn alice() -> Value {
    json!({"type": "user_actor", "user_id": "user_alice", "email_address": "alice@example.com",
           "name": "Alice", "deleted": false})
}

pub fn ci_service() -> Value {
    json!({"type": "service_account_actor", "service_account_id": "svac_ci"})
}

pub fn ci_key_actor() -> Value {
    json!({"type": "api_actor", "api_key_id": "apikey_ci"})
}

/// The start of the minute `ago` minutes back.
pub fn minute(ago: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::minutes(ago))
        .duration_trunc(Duration::minutes(1))
        .unwrap()
}

/// Four rows three minutes ago, priced by hand (Opus 4.6 $5/$25 per MTok, fast ×6; Sonnet
/// 4.5 $3/$15, batch ½; Haiku 4.5 $1/$5):
///
/// | actor | key | workspace | product | model, how | cost |
/// |---|---|---|---|---|---|
/// | alice@example.com | alice-laptop | Engineering | claude_code | Opus 4.6 fast, 1000 in 200 out | $0.06 |
/// | alice@example.com | alice-laptop | Engineering | claude_code | Opus 4.6, 2000 in 400 out | $0.02 |
/// | svac_ci | ci-bot | Engineering | api | Sonnet 4.5 batch, 10000 in 1000 out | $0.0225 |
/// | ci-bot (the key itself) | ci-bot | wrkspc_ops (no name) | — | Haiku 4.5, 5000 in 500 out | $0.0075 |
pub fn small_org() -> MockData {
    let at = minute(3);
    let row = |actor: Value, key: &str, ws: &str, product: Option<&str>, model: &str, i, o| {
        let mut r = UsageRow::new(at, actor, model, i, o);
        r.api_key_id = Some(key.into());
        r.workspace_id = Some(ws.into());
        r.product = product.map(Into::into);
        r
    };
    let mut fast = row(
        alice(),
        "apikey_alice",
        "wrkspc_eng",
        Some("claude_code"),
        "claude-opus-4-6",
        1000,
        200,
    );
    fast.speed = "fast".into();
    let standard = row(
        alice(),
        "apikey_alice",
        "wrkspc_eng",
        Some("claude_code"),
        "claude-opus-4-6",
        2000,
        400,
    );
    let mut batch = row(
        ci_service(),
        "apikey_ci",
        "wrkspc_eng",
        Some("api"),
        "claude-sonnet-4-5",
        10_000,
        1000,
    );
    batch.service_tier = "batch".into();
    let key_itself = row(
        ci_key_actor(),
        "apikey_ci",
        "wrkspc_ops",
        None,
        "claude-haiku-4-5",
        5000,
        500,
    );
    let today = Utc::now().date_naive();
    MockData {
        usage: vec![fast, standard, batch, key_itself],
        cost: vec![CostRow {
            day: today - chrono::Days::new(1),
            model: "claude-opus-4-6".into(),
            amount: "425.00".into(),
            list_amount: "500.00".into(),
        }],
        api_keys: vec![
            json!({"type": "api_key", "id": "apikey_alice", "name": "alice-laptop",
                   "workspace_id": "wrkspc_eng", "status": "active"}),
            json!({"type": "api_key", "id": "apikey_ci", "name": "ci-bot",
                   "workspace_id": "wrkspc_eng", "status": "active"}),
        ],
        workspaces: vec![json!({"type": "workspace", "id": "wrkspc_eng", "name": "Engineering"})],
        spend_limits: vec![
            json!({"type": "spend_limit", "id": "spl_org", "amount": "50000", "currency": "USD",
                   "is_enabled": true, "period": "monthly", "scope": {"type": "organization"}}),
            json!({"type": "spend_limit", "id": "spl_tier", "amount": "500000", "currency": "USD",
                   "is_enabled": true, "period": "monthly", "scope": {"type": "usage_tier"}}),
        ],
        effective: vec![effective_alice("7000")],
        rate_limits: vec![json!({
            "type": "rate_limit", "id": "rl_opus",
            "group": {"type": "model_group", "id": "rlg_opus", "display_name": "Claude Opus 4.x"},
            "group_type": "model_group", "models": ["claude-opus-4-6", "claude-opus-4-7"],
            "limits": [{"type": "input_tokens_per_minute", "value": 4000},
                       {"type": "output_tokens_per_minute", "value": 1000},
                       {"type": "requests_per_minute", "value": 50}]})],
        claude_code: [(
            today,
            vec![
                claude_code_day("alice@example.com", 1025),
                json!({
                "date": format!("{today}T00:00:00Z"),
                "actor": {"type": "api_actor", "api_key_name": "ci-bot"},
                "core_metrics": {"num_sessions": 1, "lines_of_code": {"added": 3, "removed": 1},
                                 "commits_by_claude_code": 0, "pull_requests_by_claude_code": 0},
                "model_breakdown": [{"model": "claude-haiku-4-5", "tokens": {"input": 1,
                    "output": 1, "cache_read": 0, "cache_creation": 0},
                    "estimated_cost": {"currency": "USD", "amount": 1}}]}),
            ],
        )]
        .into_iter()
        .collect(),
        refreshed_at: Some(minute(2)),
    }
}

/// Alice's effective monthly limit of $100 with `spent` cents so far.
pub fn effective_alice(spent: &str) -> Value {
    json!({"actor": alice(), "amount": "10000", "currency": "USD", "period": "monthly",
           "period_to_date_spend": spent, "scope": {"type": "user", "user_id": "user_alice"},
           "source": {"type": "organization"}, "spend_limit_id": "spl_alice"})
}

/// A Claude Code record of `email` today estimating `cents`.
pub fn claude_code_day(email: &str, cents: u64) -> Value {
    json!({"date": format!("{}T00:00:00Z", Utc::now().date_naive()),
           "actor": {"type": "user_actor", "email_address": email},
           "organization_id": "org_mock", "customer_type": "api", "terminal_type": "vscode",
           "core_metrics": {"num_sessions": 5, "lines_of_code": {"added": 1543, "removed": 892},
                            "commits_by_claude_code": 12, "pull_requests_by_claude_code": 2},
           "tool_actions": {"edit_tool": {"accepted": 45, "rejected": 5}},
           "model_breakdown": [{"model": "claude-opus-4-6",
               "tokens": {"input": 100_000, "output": 35_000, "cache_read": 10_000,
                          "cache_creation": 5000},
               "estimated_cost": {"currency": "USD", "amount": cents}}]})
}

/// The small organisation plus six hours of every minute from eight people, two keys and
/// three products (deterministic), for looking at every pane by hand.
pub fn busy_org() -> MockData {
    let mut data = small_org();
    let people = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    let models = ["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5"];
    let products = ["claude_code", "api", "cowork"];
    for m in 4..360_i64 {
        for (i, person) in people.iter().enumerate() {
            let n = (m as u64 * 7 + i as u64 * 13) % 11;
            if n < 4 {
                continue;
            }
            let actor = json!({"type": "user_actor", "user_id": format!("user_{person}"),
                               "email_address": format!("{person}@example.com")});
            let model = models[(i + m as usize / 60) % models.len()];
            let mut r = UsageRow::new(minute(m), actor, model, 2000 * n, 300 * n);
            r.api_key_id = Some(
                if i % 3 == 0 {
                    "apikey_ci"
                } else {
                    "apikey_alice"
                }
                .into(),
            );
            r.workspace_id = Some(
                if i % 2 == 0 {
                    "wrkspc_eng"
                } else {
                    "wrkspc_ops"
                }
                .into(),
            );
            r.product = Some(products[i % products.len()].into());
            r.tokens = Tokens {
                cache_read: 10_000 * n,
                cache_write_5m: 500 * n,
                ..r.tokens
            };
            if i == 1 && m % 5 == 0 {
                r.speed = "fast".into();
            }
            data.usage.push(r);
        }
    }
    data.effective = vec![effective_alice("8200")];
    data.cost = billed_at_15_percent_off(&data.usage);
    data
}

/// Cost rows per UTC day and model of `usage`: the list price at standard rates (Opus 4.6
/// $5/$25, Sonnet 4.5 $3/$15, Haiku 4.5 $1/$5 per MTok; cache reads 0.1×, 5-minute writes
/// 1.25×, Opus fast ×6, batch ½) and 15% off it billed, so the dashboard's reconciliation line matches.
fn billed_at_15_percent_off(usage: &[UsageRow]) -> Vec<CostRow> {
    let mut list: BTreeMap<(NaiveDate, String), u128> = BTreeMap::new();
    for r in usage {
        let (input, output): (u128, u128) = match r.model.as_str() {
            "claude-opus-4-6" => (500, 2500),
            "claude-sonnet-4-5" => (300, 1500),
            _ => (100, 500),
        };
        let t = &r.tokens;
        // Cents per MTok × tokens × 40: a 5-minute write is 50 × input, a read 4 × input.
        let mut scaled = 40 * (u128::from(t.input) * input + u128::from(t.output) * output)
            + 50 * u128::from(t.cache_write_5m) * input
            + 4 * u128::from(t.cache_read) * input;
        if r.speed == "fast" && r.model == "claude-opus-4-6" {
            scaled *= 6;
        }
        if r.service_tier == "batch" {
            scaled /= 2;
        }
        *list
            .entry((r.minute.date_naive(), r.model.clone()))
            .or_default() += scaled;
    }
    // Cents with ten decimals, as exact as the API's strings may be.
    let cents = |scaled: u128| {
        format!(
            "{}.{:010}",
            scaled / 40_000_000,
            (scaled % 40_000_000) * 250
        )
    };
    list.into_iter()
        .map(|((day, model), scaled)| CostRow {
            day,
            model,
            amount: cents(scaled * 17 / 20),
            list_amount: cents(scaled),
        })
        .collect()
}
