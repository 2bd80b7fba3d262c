//! Analytics rows → replaceable bucket events (by actor, API key, workspace, product, model,
//! service tier, context window, inference geo and speed), and cost rows → billed amounts
//! beside their list price.

use std::collections::BTreeMap;

use chrono::{NaiveDate, SecondsFormat};

use super::schema::{CostItem, UsageItem, actor_name};
use crate::money::Money;
use crate::sources::admin_api::bucket::{BucketRow, bucket_event, key_part};
use crate::sources::admin_api::client::ApiError;
use crate::sources::admin_api::org::Names;
use crate::sources::admin_api::plan::BucketWidth;
use crate::usage::{BilledCost, OrgDimension, UsageEvent, dedupe_key};

/// One event per row, all with rank `rank`; keys and workspaces by name where `names` knows
/// them. The key is the row's identity: width, bucket start and every dimension's raw value.
pub(crate) fn usage_events(
    items: &[UsageItem],
    width: BucketWidth,
    rank: u64,
    names: &Names,
) -> Vec<UsageEvent> {
    items
        .iter()
        .map(|item| row_event(item, width, rank, names))
        .collect()
}

fn row_event(item: &UsageItem, width: BucketWidth, rank: u64, names: &Names) -> UsageEvent {
    let g = &item.group;
    let actor = g.actor.as_ref().filter(|a| !a.is_null()).map(actor_name);
    let stamp = item.starting_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let key = dedupe_key(&[
        b"analytics",
        width.as_str().as_bytes(),
        stamp.as_bytes(),
        key_part(actor.as_ref().map(|a| a.id.as_str())),
        key_part(g.api_key_id.as_deref()),
        key_part(g.workspace_id.as_deref()),
        key_part(g.product.as_deref()),
        key_part(g.model.as_deref()),
        key_part(g.service_tier.as_deref()),
        key_part(g.context_window.as_deref()),
        key_part(g.inference_geo.as_deref()),
        key_part(g.speed.as_deref()),
    ]);
    let mut dims = Vec::new();
    if let Some(a) = &actor {
        let shown = match &a.api_key_id {
            Some(id) => names.api_key(id),
            None => a.shown.clone(),
        };
        dims.push((OrgDimension::Actor, shown));
    }
    if let Some(id) = &g.api_key_id {
        dims.push((OrgDimension::ApiKey, names.api_key(id)));
    }
    if let Some(id) = &g.workspace_id {
        dims.push((OrgDimension::Workspace, names.workspace(id)));
    }
    if let Some(product) = &g.product {
        dims.push((OrgDimension::Product, product.clone()));
    }
    let u = &item.usage;
    let row = BucketRow {
        start: item.starting_at,
        tokens: u.tokens(),
        model: g.model.as_deref(),
        service_tier: g.service_tier.as_deref(),
        context_window: g.context_window.as_deref(),
        inference_geo: g.inference_geo.as_deref(),
        speed: g.speed.as_deref(),
        dims,
    };
    bucket_event(&row, key, rank)
}

/// Billed and list amounts per (UTC day, model), summed over rows that differ only in
/// dimensions not kept; a malformed amount is a schema error.
pub(crate) fn billed_costs(items: &[CostItem]) -> Result<Vec<BilledCost>, ApiError> {
    let cents = |s: &str| {
        Money::from_cents_str(s).ok_or_else(|| {
            ApiError::Malformed("cost amount is not a decimal number of cents".into())
        })
    };
    let mut sums: BTreeMap<(NaiveDate, Option<String>), (Money, Option<Money>)> = BTreeMap::new();
    for item in items {
        let amount = cents(&item.cost.amount)?;
        let list = item.cost.list_amount.as_deref().map(cents).transpose()?;
        let key = (item.starting_at.date_naive(), item.group.model.clone());
        let sum = sums.entry(key).or_default();
        sum.0 += amount;
        if let Some(list) = list {
            *sum.1.get_or_insert(Money::ZERO) += list;
        }
    }
    Ok(sums
        .into_iter()
        .map(|((day, model), (amount, list_amount))| BilledCost {
            day,
            model,
            description: None,
            amount,
            list_amount,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::usage::Tier;

    fn item(group: &serde_json::Value, output: u64) -> UsageItem {
        serde_json::from_value(json!({
            "starting_at":"2026-12-07T10:00:00Z","ending_at":"2026-12-07T10:01:00Z",
            "group": group,
            "usage":{"uncached_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":5,
                "ephemeral_1h_input_tokens":1},"cache_read_input_tokens":7,"output_tokens":output,
                "server_tool_use":{"web_search_requests":2},"requests":3,"total_tokens":113}}))
        .unwrap()
    }

    #[test]
    fn rows_carry_the_org_dimensions_by_name() {
        let names = Names::from_pairs(&[("apikey_9", "ci-bot")], &[("wrkspc_1", "Production")]);
        let rows = [
            item(
                &json!({"actor":{"type":"user_actor","user_id":"user_1",
                    "email_address":"dev@x.io"},"api_key_id":"apikey_9","workspace_id":"wrkspc_1",
                    "product":"claude_code","model":"claude-opus-4-6","speed":"fast",
                    "service_tier":"batch"}),
                10,
            ),
            item(
                &json!({"actor":{"type":"api_actor","api_key_id":"apikey_9"},"model":null}),
                20,
            ),
        ];
        let events = usage_events(&rows, BucketWidth::Minute, 4, &names);
        let a = &events[0].attribution;
        assert_eq!(a.tag("actor"), Some("dev@x.io"));
        assert_eq!(a.tag("api_key"), Some("ci-bot"));
        assert_eq!(a.tag("workspace"), Some("Production"));
        assert_eq!(a.tag("product"), Some("claude_code"));
        assert!(events[0].modifiers.fast);
        assert_eq!(events[0].tier, Tier::Batch);
        assert_eq!(events[0].tokens.cache_write_1h, 1);
        assert_eq!(events[1].attribution.tag("actor"), Some("ci-bot"));
        assert_ne!(events[0].key, events[1].key);
        let hourly = usage_events(&rows, BucketWidth::Hour, 4, &names);
        assert_ne!(hourly[0].key, events[0].key);
    }

    #[test]
    fn billed_beside_list_per_day_and_model() {
        let rows: Vec<CostItem> = serde_json::from_value(json!([
            {"starting_at":"2026-12-06T00:00:00Z","group":{"model":"claude-opus-4-6"},
             "cost":{"amount":"123.45","list_amount":"150.00"}},
            {"starting_at":"2026-12-06T00:00:00Z","group":{"model":"claude-opus-4-6"},
             "cost":{"amount":"0.55","list_amount":"0.55"}}
        ]))
        .unwrap();
        let billed = billed_costs(&rows).unwrap();
        assert_eq!(billed.len(), 1);
        assert_eq!(Some(billed[0].amount), Money::from_cents_str("124"));
        assert_eq!(billed[0].list_amount, Money::from_cents_str("150.55"));
        let mut bad = rows;
        bad[0].cost.amount = "1,2".into();
        assert!(billed_costs(&bad).is_err());
    }
}
