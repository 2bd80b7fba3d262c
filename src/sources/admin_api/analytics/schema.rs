//! Typed shapes of the Usage & Cost Analytics API rows, read with serde: flat rows of
//! `group` (the requested dimensions, null otherwise) and `usage` or `cost`.
//!
//! Token counts are required (a row without them is a schema mismatch and fails with serde's
//! message naming the field); every dimension is optional and read as text, so a value
//! costtop does not know is kept, never dropped. The actor is read leniently: its documented
//! variants by their fields, any other by what it carries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::sources::admin_api::figures::UsageMetrics;
use serde_json::Value;

/// One usage row: one bucket of one combination of the requested dimensions.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UsageItem {
    /// Start of the bucket (inclusive).
    pub(crate) starting_at: DateTime<Utc>,
    /// End of the bucket (exclusive); part of the row's shape (a row without it is refused).
    #[expect(dead_code, reason = "the payload's shape: a row without it is refused")]
    pub(crate) ending_at: DateTime<Utc>,
    /// The dimensions.
    #[serde(default)]
    pub(crate) group: Group,
    /// The figures.
    pub(crate) usage: UsageMetrics,
}

/// The dimensions of a row (only the requested ones are set).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Group {
    /// Who sent the requests (a tagged object).
    #[serde(default)]
    pub(crate) actor: Option<Value>,
    /// The API key.
    #[serde(default)]
    pub(crate) api_key_id: Option<String>,
    /// The workspace.
    #[serde(default)]
    pub(crate) workspace_id: Option<String>,
    /// The product (`claude_code`, …).
    #[serde(default)]
    pub(crate) product: Option<String>,
    /// The model.
    #[serde(default)]
    pub(crate) model: Option<String>,
    /// `standard`, `batch`, `priority`, …
    #[serde(default)]
    pub(crate) service_tier: Option<String>,
    /// `0-200k` or `200k-1M`.
    #[serde(default)]
    pub(crate) context_window: Option<String>,
    /// `global`, `us`, or null.
    #[serde(default)]
    pub(crate) inference_geo: Option<String>,
    /// `fast` or `standard`.
    #[serde(default)]
    pub(crate) speed: Option<String>,
}

/// One cost row: what one day of one model was billed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CostItem {
    /// Start of the bucket.
    pub(crate) starting_at: DateTime<Utc>,
    /// The dimensions.
    #[serde(default)]
    pub(crate) group: Group,
    /// The amounts.
    pub(crate) cost: CostMetrics,
}

/// Billed and list amounts, in cents (fractional) as decimal strings.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CostMetrics {
    /// After discounts, before credits.
    #[serde(deserialize_with = "decimal")]
    pub(crate) amount: String,
    /// At list price.
    #[serde(default, deserialize_with = "optional_decimal")]
    pub(crate) list_amount: Option<String>,
}

/// A decimal amount written as a string or (leniently) a number.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "amount is not a decimal: {other}"
        ))),
    }
}

fn optional_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "list_amount is not a decimal: {other}"
        ))),
    }
}

/// Who an actor is: a stable identity for the bucket's key, and how to show it (`None`:
/// an API key, to be named from the key list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActorName {
    /// The identity (`user_…`, `svac_…`, `apikey_…`, or the object's text).
    pub(crate) id: String,
    /// The readable name: an email, a name, an id.
    pub(crate) shown: String,
    /// Set for an API actor: the key's id, to be named from the key list.
    pub(crate) api_key_id: Option<String>,
}

/// Reads an actor object: users by email (else name, else id), service accounts and API
/// keys by id, any other kind by the first text it carries besides its type.
pub(crate) fn actor_name(actor: &Value) -> ActorName {
    let text = |k: &str| {
        actor
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let kind = text("type").unwrap_or("actor");
    let id_field = match kind {
        "user_actor" => "user_id",
        "service_account_actor" => "service_account_id",
        "api_actor" => "api_key_id",
        _ => "id",
    };
    let first_text = || {
        actor.as_object().and_then(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != "type")
                .find_map(|(_, v)| v.as_str().filter(|s| !s.is_empty()))
        })
    };
    let id = text(id_field)
        .or_else(first_text)
        .map_or_else(|| actor.to_string(), str::to_owned);
    let shown = text("email_address")
        .or_else(|| text("name"))
        .or_else(|| text(id_field))
        .or_else(first_text)
        .unwrap_or(kind)
        .to_owned();
    ActorName {
        api_key_id: (kind == "api_actor").then(|| id.clone()),
        id,
        shown,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actors_are_named_by_email_else_name_else_id() {
        let user = json!({"type":"user_actor","user_id":"user_1","email_address":"a@x.io",
            "name":"A","deleted":false});
        assert_eq!(actor_name(&user).shown, "a@x.io");
        assert_eq!(actor_name(&user).id, "user_1");
        let deleted = json!({"type":"user_actor","user_id":"user_2","email_address":null,
            "name":"Deleted User"});
        assert_eq!(actor_name(&deleted).shown, "Deleted User");
        let key = json!({"type":"api_actor","api_key_id":"apikey_9"});
        assert_eq!(actor_name(&key).api_key_id.as_deref(), Some("apikey_9"));
        let svac = json!({"type":"service_account_actor","service_account_id":"svac_3"});
        assert_eq!(actor_name(&svac).shown, "svac_3");
        let federated = json!({"type":"federated_actor","provider_subject":"okta|42"});
        assert_eq!(actor_name(&federated).shown, "okta|42");
        let bare = json!({"type":"robot_actor"});
        assert_eq!(actor_name(&bare).shown, "robot_actor");
    }

    #[test]
    fn cost_amounts_read_as_strings_or_numbers() {
        let row: CostItem = serde_json::from_value(json!({
            "starting_at":"2026-12-01T00:00:00Z","ending_at":"2026-12-02T00:00:00Z",
            "group":{"model":"claude-sonnet-4-5"},
            "cost":{"amount":123.45,"currency":"USD","list_amount":"150.00","requests":null}}))
        .unwrap();
        assert_eq!(row.cost.amount, "123.45");
        assert_eq!(row.cost.list_amount.as_deref(), Some("150.00"));
        let err = serde_json::from_value::<UsageItem>(json!({
            "starting_at":"2026-12-01T00:00:00Z","ending_at":"2026-12-01T00:01:00Z",
            "group":{},"usage":{"uncached_input_tokens":1,"cache_read_input_tokens":0}}))
        .unwrap_err();
        assert!(err.to_string().contains("output_tokens"), "{err}");
    }
}
