//! The mock organisation's data: usage rows per minute (who, which model, how), billed cost
//! per day and model, and the documented JSON of limits, names and Claude Code days. The
//! report endpoints aggregate the rows as the request asks (bucket width, group_by, range).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, NaiveDate, SecondsFormat, Utc};
use costtop::usage::Tokens;
use serde_json::{Map, Value, json};

/// One minute of one combination of dimensions.
#[derive(Debug, Clone)]
pub struct UsageRow {
    pub minute: DateTime<Utc>,
    /// The actor object as the Analytics API writes it.
    pub actor: Value,
    pub api_key_id: Option<String>,
    pub workspace_id: Option<String>,
    pub product: Option<String>,
    pub model: String,
    pub service_tier: String,
    pub context_window: String,
    pub inference_geo: Option<String>,
    pub speed: String,
    pub tokens: Tokens,
    pub requests: u64,
}

impl UsageRow {
    /// A standard-tier, standard-speed row of `model` at `minute`.
    pub fn new(
        minute: DateTime<Utc>,
        actor: Value,
        model: &str,
        input: u64,
        output: u64,
    ) -> UsageRow {
        UsageRow {
            minute,
            actor,
            api_key_id: None,
            workspace_id: None,
            product: None,
            model: model.to_owned(),
            service_tier: "standard".into(),
            context_window: "0-200k".into(),
            inference_geo: None,
            speed: "standard".into(),
            tokens: Tokens {
                input,
                output,
                ..Tokens::default()
            },
            requests: 1,
        }
    }

    /// The value of an Analytics `group_by` dimension (`None`: null).
    fn dimension(&self, name: &str) -> Value {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        match name {
            "actor" => self.actor.clone(),
            "actor_type" => self.actor.get("type").cloned().unwrap_or(Value::Null),
            "api_key_id" => text(&self.api_key_id),
            "workspace_id" => text(&self.workspace_id),
            "product" => text(&self.product),
            "model" => Value::String(self.model.clone()),
            "service_tier" => Value::String(self.service_tier.clone()),
            "context_window" => Value::String(self.context_window.clone()),
            "inference_geo" => text(&self.inference_geo),
            "speed" => Value::String(self.speed.clone()),
            _ => Value::Null,
        }
    }
}

/// A billed line: one day of one model.
#[derive(Debug, Clone)]
pub struct CostRow {
    pub day: NaiveDate,
    pub model: String,
    /// Cents, as the API writes them.
    pub amount: String,
    pub list_amount: String,
}

/// Everything the mock serves.
#[derive(Debug, Clone, Default)]
pub struct MockData {
    pub usage: Vec<UsageRow>,
    pub cost: Vec<CostRow>,
    pub api_keys: Vec<Value>,
    pub workspaces: Vec<Value>,
    pub spend_limits: Vec<Value>,
    pub effective: Vec<Value>,
    pub rate_limits: Vec<Value>,
    /// Claude Code records by UTC day.
    pub claude_code: BTreeMap<NaiveDate, Vec<Value>>,
    pub refreshed_at: Option<DateTime<Utc>>,
}

/// Every group key of the Analytics usage group object.
const GROUP_KEYS: [&str; 20] = [
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
];

/// A bucket width's span (`None`: the whole range is one row).
pub fn width_span(width: Option<&str>) -> Option<Duration> {
    match width? {
        "1m" => Some(Duration::minutes(1)),
        "1h" => Some(Duration::hours(1)),
        _ => Some(Duration::days(1)),
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn usage_json(t: &Tokens, requests: u64) -> Value {
    json!({
        "uncached_input_tokens": t.input,
        "cache_creation": {"ephemeral_1h_input_tokens": t.cache_write_1h,
                           "ephemeral_5m_input_tokens": t.cache_write_5m},
        "cache_read_input_tokens": t.cache_read,
        "output_tokens": t.output,
        "server_tool_use": {"web_search_requests": t.web_search_requests},
        "requests": requests,
        "total_tokens": t.total(),
    })
}

/// A group's fields, its summed tokens and its request count.
type Summed = (Map<String, Value>, Tokens, u64);

/// One legacy bucket's rows by their group's text: the fields and the summed tokens.
type LegacyRows = BTreeMap<String, (Map<String, Value>, Tokens)>;

impl MockData {
    /// Analytics usage rows of `[start, end)`: one per bucket and combination of `groups`,
    /// every other group key null, buckets in order.
    pub fn analytics_usage(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        width: Option<&str>,
        groups: &[String],
    ) -> Vec<Value> {
        let span = width_span(width);
        let mut sums: BTreeMap<(DateTime<Utc>, String), Summed> = BTreeMap::new();
        for r in self
            .usage
            .iter()
            .filter(|r| r.minute >= start && r.minute < end)
        {
            let bucket = span.map_or(start, |s| r.minute.duration_trunc(s).unwrap());
            let mut group = Map::new();
            for key in GROUP_KEYS {
                let v = if groups.iter().any(|g| g == key) {
                    r.dimension(key)
                } else {
                    Value::Null
                };
                group.insert(key.to_owned(), v);
            }
            let id = Value::Object(group.clone()).to_string();
            let e = sums
                .entry((bucket, id))
                .or_insert((group, Tokens::default(), 0));
            e.1 += r.tokens;
            e.2 += r.requests;
        }
        sums.into_iter()
            .map(|((bucket, _), (group, tokens, requests))| {
                let bucket_end = span.map_or(end, |s| bucket + s);
                json!({"starting_at": stamp(bucket), "ending_at": stamp(bucket_end),
                       "group": group, "usage": usage_json(&tokens, requests)})
            })
            .collect()
    }

    /// Analytics cost rows of the days in `[start, end)`, grouped by model.
    pub fn analytics_cost(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Value> {
        self.cost_in(start, end)
            .map(|c| {
                let day = c.day.and_hms_opt(0, 0, 0).unwrap().and_utc();
                json!({"starting_at": stamp(day), "ending_at": stamp(day + Duration::days(1)),
                       "group": {"model": c.model, "cost_type": null, "token_type": null},
                       "cost": {"amount": c.amount, "currency": "USD",
                                "list_amount": c.list_amount, "requests": 1}})
            })
            .collect()
    }

    fn cost_in(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = &CostRow> {
        self.cost.iter().filter(move |c| {
            let day = c.day.and_hms_opt(0, 0, 0).unwrap().and_utc();
            day >= start.duration_trunc(Duration::days(1)).unwrap() && day < end
        })
    }

    /// Legacy usage buckets of `[start, end)` at `width`, rows grouped by the legacy fields
    /// in `groups` (the others null).
    pub fn legacy_usage(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        width: &str,
        groups: &[String],
    ) -> Vec<Value> {
        let span = width_span(Some(width)).unwrap();
        let fields = [
            "api_key_id",
            "workspace_id",
            "model",
            "service_tier",
            "context_window",
            "inference_geo",
            "speed",
        ];
        let mut buckets: BTreeMap<DateTime<Utc>, LegacyRows> = BTreeMap::new();
        for r in self
            .usage
            .iter()
            .filter(|r| r.minute >= start && r.minute < end)
        {
            let bucket = r.minute.duration_trunc(span).unwrap();
            let mut row = Map::new();
            for f in fields {
                let v = if groups.iter().any(|g| g == f) {
                    r.dimension(f)
                } else {
                    Value::Null
                };
                row.insert(f.to_owned(), v);
            }
            let id = Value::Object(row.clone()).to_string();
            let e = buckets
                .entry(bucket)
                .or_default()
                .entry(id)
                .or_insert((row, Tokens::default()));
            e.1 += r.tokens;
        }
        buckets
            .into_iter()
            .map(|(bucket, rows)| {
                let results: Vec<Value> = rows
                    .into_values()
                    .map(|(mut row, t)| {
                        if let Value::Object(u) = usage_json(&t, 0) {
                            for (k, v) in u {
                                if k != "requests" && k != "total_tokens" {
                                    row.insert(k, v);
                                }
                            }
                        }
                        Value::Object(row)
                    })
                    .collect();
                json!({"starting_at": stamp(bucket), "ending_at": stamp(bucket + span),
                       "results": results})
            })
            .collect()
    }

    /// Legacy cost buckets of the days in `[start, end)`: one result per model.
    pub fn legacy_cost(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Value> {
        let mut days: BTreeMap<NaiveDate, Vec<Value>> = BTreeMap::new();
        for c in self.cost_in(start, end) {
            days.entry(c.day).or_default().push(json!({
                "amount": c.amount, "currency": "USD", "model": c.model,
                "description": format!("{} Usage", c.model), "workspace_id": null}));
        }
        days.into_iter()
            .map(|(day, results)| {
                let t = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
                json!({"starting_at": stamp(t), "ending_at": stamp(t + Duration::days(1)),
                       "results": results})
            })
            .collect()
    }
}
