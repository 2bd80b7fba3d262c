//! The recorded form of what sources deliver: each usage record as an application usage-log
//! line (billed iterations and the writing tool's estimate included), other tools' cost figures
//! as `kind: "estimate"` lines.

use serde_json::{Map, Value, json};

use crate::usage::{
    EstimateOrigin, EventKind, IterationKind, SourceMsg, StopReason, Tokens, ToolEstimate,
    UsageEvent,
};

/// Token counts as an API usage object.
fn usage_object(t: &Tokens) -> Value {
    let mut usage = json!({
        "input_tokens": t.input,
        "output_tokens": t.output,
        "cache_creation_input_tokens": t.cache_write_5m + t.cache_write_1h,
        "cache_read_input_tokens": t.cache_read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": t.cache_write_5m,
            "ephemeral_1h_input_tokens": t.cache_write_1h,
        },
    });
    if t.web_search_requests > 0 {
        usage["server_tool_use"] = json!({ "web_search_requests": t.web_search_requests });
    }
    usage
}

/// A time as the recorder writes it.
fn time(t: chrono::DateTime<chrono::Utc>) -> Value {
    json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// One record as an application usage-log line (without the newline).
pub fn record_line(e: &UsageEvent) -> String {
    let mut usage = usage_object(&e.tokens);
    usage["service_tier"] = json!(e.tier.as_str());
    if !e.iterations.is_empty() {
        let steps: Vec<Value> = e
            .iterations
            .iter()
            .map(|i| {
                let mut step = usage_object(&i.tokens);
                step["type"] = json!(match i.kind {
                    IterationKind::Compaction => "compaction",
                    IterationKind::Advisor => "advisor_message",
                    IterationKind::Other => "other",
                });
                step["model"] = json!(&*i.model);
                step
            })
            .collect();
        usage["iterations"] = Value::Array(steps);
    }
    if e.modifiers.fast {
        usage["speed"] = json!("fast");
    }
    if e.modifiers.us_only {
        usage["inference_geo"] = json!("us");
    }
    let mut tags = Map::new();
    for (k, v) in &e.attribution.tags {
        tags.insert(k.to_string(), Value::from(v.to_string()));
    }
    if let Some(p) = &e.attribution.project {
        tags.insert("project".into(), Value::from(p.to_string()));
    }
    if let Some(s) = &e.attribution.session {
        tags.insert("session".into(), Value::from(s.to_string()));
    }
    let mut line = json!({
        "timestamp": time(e.timestamp),
        "model": &*e.model,
        "usage": usage,
    });
    if let Some(estimate) = e.estimate {
        line["estimate_usd"] = json!(estimate.usd());
    }
    if let Some(key) = e.key {
        line["id"] = json!(format!("{key:016x}"));
        line["rank"] = json!(e.rank);
    }
    match e.stop_reason {
        Some(StopReason::MaxTokens) => line["stop_reason"] = json!("max_tokens"),
        Some(StopReason::Other) => line["stop_reason"] = json!("end_turn"),
        None => {}
    }
    match e.kind {
        EventKind::Request => {}
        EventKind::FailedRequest => line["kind"] = json!("failed_request"),
        EventKind::Bucket => line["kind"] = json!("bucket"),
        EventKind::Iteration => line["kind"] = json!("iteration"),
    }
    if e.modifiers.long_context {
        line["context_window"] = json!("200k-1M");
    }
    if !tags.is_empty() {
        line["tags"] = Value::Object(tags);
    }
    line.to_string()
}

/// Another tool's cost figure as a `kind: "estimate"` line (without the newline).
pub(crate) fn estimate_line(e: &ToolEstimate) -> String {
    let mut line = json!({
        "kind": "estimate",
        "origin": match e.origin {
            EstimateOrigin::CostState => "cost_state",
            EstimateOrigin::OtlpMetric => "otlp_metric",
        },
        "cumulative": e.cumulative,
        "timestamp": time(e.at),
        "estimate_usd": e.cost.usd(),
        "usage": usage_object(&e.tokens),
    });
    if let Some(model) = &e.model {
        line["model"] = json!(&**model);
    }
    if let Some(requests) = e.requests {
        line["requests"] = json!(requests);
    }
    let mut tags = Map::new();
    if let Some(session) = &e.session {
        tags.insert("session".into(), json!(&**session));
    }
    if let Some(user) = &e.user {
        tags.insert("user".into(), json!(&**user));
    }
    if !tags.is_empty() {
        line["tags"] = Value::Object(tags);
    }
    line.to_string()
}

/// The lines of a message's records (none for other messages).
pub(super) fn record_lines(msg: &SourceMsg) -> Vec<String> {
    match msg {
        SourceMsg::Events(events) => events.iter().map(record_line).collect(),
        SourceMsg::Estimates(estimates) => estimates.iter().map(estimate_line).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::parse::{LineContext, Parsed, parse_line};
    use crate::usage::{Attribution, BilledIteration, Modifiers, Tier, Tokens};
    use chrono::{TimeZone, Utc};

    fn event(kind: EventKind, model: &str) -> UsageEvent {
        UsageEvent {
            alt_key: None,
            key: Some(0xfeed),
            rank: 77,
            timestamp: Utc.with_ymd_and_hms(2026, 11, 20, 10, 4, 5).unwrap(),
            model: model.into(),
            tokens: Tokens {
                input: 10,
                cache_write_5m: 20,
                cache_write_1h: 30,
                cache_read: 40,
                output: 50,
                web_search_requests: 2,
            },
            tier: Tier::Batch,
            modifiers: Modifiers {
                fast: true,
                us_only: true,
                long_context: kind == EventKind::Bucket,
            },
            stop_reason: Some(StopReason::MaxTokens),
            kind,
            attribution: Attribution {
                project: Some("shop".into()),
                session: Some("s1".into()),
                tags: vec![("feature".into(), "chat".into())],
            },
            iterations: Vec::new(),
            estimate: None,
        }
    }

    /// A request with an advisor step and a compaction billed on top, and the writing
    /// tool's own figure.
    fn with_iterations() -> UsageEvent {
        let mut e = event(EventKind::Request, "claude-sonnet-5");
        let step = |kind, model: &str, input, output| BilledIteration {
            kind,
            model: model.into(),
            tokens: Tokens {
                input,
                output,
                cache_write_5m: 7,
                ..Tokens::default()
            },
        };
        e.iterations = vec![
            step(IterationKind::Advisor, "claude-opus-4-8", 2518, 22),
            step(IterationKind::Compaction, "claude-sonnet-5", 100, 131),
            step(IterationKind::Other, "claude-haiku-5-5", 1, 2),
        ];
        e.estimate = Some(Money::from_usd(0.0421));
        e
    }

    #[test]
    fn recorded_estimates_parse_back_to_the_same_figures() {
        let ctx = LineContext {
            fallback_time: Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
            path: "",
        };
        let original = ToolEstimate {
            origin: EstimateOrigin::OtlpMetric,
            session: Some("s1".into()),
            user: Some("u@example.com".into()),
            model: Some("claude-opus-5-5".into()),
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 4, 5).unwrap(),
            cost: Money::from_usd(1.8101),
            tokens: Tokens {
                input: 412,
                output: 6210,
                ..Tokens::default()
            },
            requests: Some(3),
            cumulative: false,
        };
        let whole_session = ToolEstimate {
            origin: EstimateOrigin::CostState,
            user: None,
            model: None,
            requests: None,
            cumulative: true,
            ..original.clone()
        };
        for original in [original, whole_session] {
            let line = estimate_line(&original);
            assert_eq!(
                parse_line(line.as_bytes(), &ctx),
                Parsed::Estimates(vec![original]),
                "{line}"
            );
        }
    }

    #[test]
    fn recorded_lines_parse_back_to_the_same_record() {
        let ctx = LineContext {
            fallback_time: Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
            path: "",
        };
        for original in [
            event(EventKind::Request, "claude-opus-4-6"),
            with_iterations(),
            event(EventKind::Bucket, "claude-sonnet-4-5"),
            event(EventKind::FailedRequest, ""),
        ] {
            let line = record_line(&original);
            let Parsed::Usage(back) = parse_line(line.as_bytes(), &ctx) else {
                panic!("not usage: {line}");
            };
            let mut expected = original.clone();
            expected.key = back.key;
            expected.attribution.tags = vec![
                ("feature".into(), "chat".into()),
                ("project".into(), "shop".into()),
                ("session".into(), "s1".into()),
            ];
            assert_eq!(back, expected, "{line}");
            assert!(back.key.is_some());
        }
    }
}
