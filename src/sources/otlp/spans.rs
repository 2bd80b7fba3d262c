//! OTel GenAI spans of Anthropic calls → usage records. Instrumented applications describe
//! each model call with `gen_ai.*` attributes; for Anthropic `gen_ai.usage.input_tokens`
//! *includes* the cache reads and writes, so uncached input is what remains after taking
//! them out. Spans of other providers, and spans that are no model call, are passed over.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::{Span, status::StatusCode};

use super::attrs::{self, Attrs};
use super::mapped::Mapped;
use crate::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, dedupe_key,
};

/// Providers whose spans are Claude calls: Anthropic's API, or a cloud's when the model is
/// a Claude model.
const ANTHROPIC: &str = "anthropic";
const CLOUDS: [&str; 3] = ["aws.bedrock", "gcp.vertex_ai", "azure.ai.inference"];

/// Span attributes kept as tags.
const SPAN_TAGS: [&str; 2] = ["gen_ai.agent.name", "gen_ai.operation.name"];

/// Maps every span of the request.
pub(super) fn map(req: &ExportTraceServiceRequest, now: DateTime<Utc>, out: &mut Mapped) {
    for resource_spans in &req.resource_spans {
        let resource = attrs::resource(resource_spans.resource.as_ref());
        let resource_tags = attrs::resource_tags(resource);
        let mut sent = false;
        for span in resource_spans.scope_spans.iter().flat_map(|s| &s.spans) {
            let a = Attrs(&span.attributes);
            if !is_claude_call(a) {
                continue;
            }
            let failed = span
                .status
                .as_ref()
                .is_some_and(|s| s.code == StatusCode::Error as i32);
            if failed && a.get("gen_ai.usage.input_tokens").is_none() {
                continue; // An errored call that reports no usage bills nothing.
            }
            sent = true;
            match usage(span, &resource_tags, now) {
                Ok((event, assumed)) => {
                    out.ttl_assumed += u64::from(assumed);
                    out.accept(event);
                }
                Err(reason) => out.reject(|| format!("GenAI span {:?}: {reason}", span.name)),
            }
        }
        if sent {
            out.sender(attrs::sender_identity(resource));
        }
    }
}

fn is_claude_call(a: Attrs<'_>) -> bool {
    let provider = a
        .text("gen_ai.provider.name")
        .or_else(|| a.text("gen_ai.system"));
    match provider {
        Some(ANTHROPIC) => true,
        Some(p) if CLOUDS.contains(&p) => model(a).is_some_and(|m| m.contains("claude")),
        _ => false,
    }
}

fn model(a: Attrs<'_>) -> Option<&str> {
    a.text("gen_ai.response.model")
        .or_else(|| a.text("gen_ai.request.model"))
}

/// One span as a usage record; the flag says its cache TTL was assumed.
fn usage(
    span: &Span,
    resource_tags: &[(Arc<str>, Arc<str>)],
    now: DateTime<Utc>,
) -> Result<(UsageEvent, bool), String> {
    let a = Attrs(&span.attributes);
    let model = model(a).ok_or("gen_ai.response.model: missing")?;
    let input = a.required_count("gen_ai.usage.input_tokens")?;
    let read = a
        .count("gen_ai.usage.cache_read.input_tokens")?
        .unwrap_or(0);
    let writes = a
        .count("gen_ai.usage.cache_creation.input_tokens")?
        .unwrap_or(0);
    let tokens = Tokens {
        input: input.saturating_sub(read).saturating_sub(writes),
        output: a.required_count("gen_ai.usage.output_tokens")?,
        cache_read: read,
        cache_write_5m: writes,
        ..Tokens::default()
    };
    let timestamp = attrs::time(&[span.end_time_unix_nano, span.start_time_unix_nano], now)?;
    let key = match a.text("gen_ai.response.id") {
        Some(id) => Some(dedupe_key(&[b"gen_ai", id.as_bytes()])),
        None if !span.span_id.is_empty() => {
            Some(dedupe_key(&[b"span", &span.trace_id, &span.span_id]))
        }
        None => None,
    };
    let stop_reason = match a.get("gen_ai.response.finish_reasons") {
        Some(Value::ArrayValue(list)) => Some(
            if list.values.iter().any(|v| {
                matches!(&v.value, Some(Value::StringValue(s)) if s == "max_tokens" || s == "length")
            }) {
                StopReason::MaxTokens
            } else {
                StopReason::Other
            },
        ),
        _ => None,
    };
    let mut tags = Vec::with_capacity(SPAN_TAGS.len() + resource_tags.len());
    attrs::copy_tags(a, &SPAN_TAGS, &mut tags);
    tags.extend(resource_tags.iter().cloned());
    let session = a
        .text("session.id")
        .or_else(|| a.text("gen_ai.conversation.id"))
        .map(Arc::from);
    let event = UsageEvent {
        key,
        rank: tokens.total().saturating_mul(2).saturating_add(1),
        timestamp,
        model: Arc::from(model),
        tokens,
        tier: a
            .text("gen_ai.anthropic.service_tier")
            .or_else(|| a.text("gen_ai.response.service_tier"))
            .map_or(Tier::Standard, Tier::from_api),
        modifiers: Modifiers::default(),
        stop_reason,
        kind: EventKind::Request,
        attribution: Attribution {
            project: None,
            session,
            tags: attrs::finish_tags(tags),
        },
        iterations: Vec::new(),
        estimate: None,
    };
    Ok((event, writes > 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::otlp::decode::{Export, Signal};
    use crate::sources::otlp::testing::{decoded, now};

    fn span(provider: &str, extra: &str) -> String {
        format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"support-bot"}}}}]}},
            "scopeSpans":[{{"spans":[
              {{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat claude-sonnet-4-6",
               "startTimeUnixNano":"1796162179000000000","endTimeUnixNano":"1796162179873000000",
               "attributes":[{{"key":"gen_ai.provider.name","value":{{"stringValue":"{provider}"}}}},
                 {{"key":"gen_ai.response.model","value":{{"stringValue":"claude-sonnet-4-6"}}}},
                 {{"key":"gen_ai.response.id","value":{{"stringValue":"msg_01ABC"}}}},
                 {{"key":"gen_ai.usage.input_tokens","value":{{"intValue":"12000"}}}},
                 {{"key":"gen_ai.usage.output_tokens","value":{{"intValue":"350"}}}},
                 {{"key":"gen_ai.usage.cache_read.input_tokens","value":{{"intValue":"9000"}}}},
                 {{"key":"gen_ai.usage.cache_creation.input_tokens","value":{{"intValue":"2000"}}}}{extra}]}},
              {{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","name":"GET /health"}}
            ]}}]}}]}}"#
        )
    }

    fn mapped(json: &str) -> Mapped {
        let Export::Traces(req) = decoded(Signal::Traces, json) else {
            panic!("a traces export")
        };
        let mut out = Mapped::default();
        map(&req, now(), &mut out);
        out
    }

    #[test]
    fn an_anthropic_span_is_a_request_with_cache_tokens_taken_out_of_input() {
        let m = mapped(&span("anthropic", ""));
        assert_eq!((m.records, m.rejected, m.ttl_assumed), (1, 0, 1));
        let e = &m.events[0];
        assert_eq!(
            e.tokens,
            Tokens {
                input: 1000,
                output: 350,
                cache_read: 9000,
                cache_write_5m: 2000,
                ..Tokens::default()
            }
        );
        assert_eq!(e.key, Some(dedupe_key(&[b"gen_ai", b"msg_01ABC"])));
        assert_eq!(e.attribution.tag("service.name"), Some("support-bot"));
        assert_eq!(e.timestamp.to_rfc3339(), "2026-12-01T21:56:19.873+00:00");
    }

    #[test]
    fn other_providers_are_passed_over_and_bad_usage_refused() {
        assert_eq!(mapped(&span("openai", "")).records, 0);
        let bad = span("anthropic", "").replace(r#""intValue":"350""#, r#""intValue":"-3""#);
        let m = mapped(&bad);
        assert_eq!((m.records, m.rejected), (1, 1));
        assert!(
            m.first_rejection
                .unwrap()
                .contains("gen_ai.usage.output_tokens: negative")
        );
        // Cache counts larger than the input never make uncached input negative.
        let odd = span("anthropic", "").replace(r#""intValue":"12000""#, r#""intValue":"5""#);
        assert_eq!(mapped(&odd).events[0].tokens.input, 0);
    }

    #[test]
    fn finish_reasons_give_the_stop_reason() {
        let extra = r#",{"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[{"stringValue":"max_tokens"}]}}}"#;
        let m = mapped(&span("anthropic", extra));
        assert_eq!(m.events[0].stop_reason, Some(StopReason::MaxTokens));
    }
}
