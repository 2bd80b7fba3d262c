//! LLM spans of Anthropic calls → usage records, whichever instrumentation wrote them: the
//! `anthropic` SDK's own spans (`gen_ai.*` with the TTL split under `anthropic.usage.*`, the
//! request id under `anthropic.request.id`), OpenLLMetry's (`gen_ai.*`, no TTL split),
//! OpenInference's (`llm.*`, the response itself in `output.value`), and hand-written GenAI
//! spans. Spans of other providers, and spans that are no model call, are passed over; an
//! Anthropic LLM span that names no token counts is counted as unreadable, never dropped
//! silently.

mod counts;
mod tags;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::{Span, status::StatusCode};

pub use tags::DEFAULT_SPAN_TAGS;

use super::attrs::{self, Attrs};
use super::mapped::Mapped;
use crate::usage::{Attribution, EventKind, Modifiers, Tier, UsageEvent, dedupe_key, request_keys};

/// Providers whose spans are Claude calls: Anthropic's API, or a cloud's when the model is
/// a Claude model.
const ANTHROPIC: &str = "anthropic";
const CLOUDS: [&str; 3] = ["aws.bedrock", "gcp.vertex_ai", "azure.ai.inference"];

/// Maps every span of the request; `span_tags` are the span attributes copied to tags.
pub(super) fn map(
    req: &ExportTraceServiceRequest,
    now: DateTime<Utc>,
    span_tags: &[String],
    out: &mut Mapped,
) {
    for resource_spans in &req.resource_spans {
        let resource = attrs::resource(resource_spans.resource.as_ref());
        let resource_tags = attrs::resource_tags(resource);
        let mut sent = false;
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans.scope.as_ref().map_or("", |s| s.name.as_str());
            for span in &scope_spans.spans {
                let a = Attrs(&span.attributes);
                if !is_claude_call(a) {
                    continue;
                }
                let failed = span
                    .status
                    .as_ref()
                    .is_some_and(|s| s.code == StatusCode::Error as i32);
                let context = Context {
                    scope,
                    span_tags,
                    resource_tags: &resource_tags,
                    now,
                };
                match usage(span, &context) {
                    Ok(Some((event, assumed))) => {
                        sent = true;
                        out.ttl_assumed += u64::from(assumed);
                        out.accept(event);
                    }
                    // An errored call that reports no usage bills nothing.
                    Ok(None) if failed => {}
                    Ok(None) => {
                        sent = true;
                        out.unreadable_llm_span(|| {
                            format!("LLM span {:?}: no token counts", span.name)
                        });
                    }
                    Err(reason) => {
                        sent = true;
                        out.reject(|| format!("LLM span {:?}: {reason}", span.name));
                    }
                }
            }
        }
        if sent {
            out.sender(attrs::sender_identity(resource));
        }
    }
}

/// What a span's mapping needs beside the span.
struct Context<'c> {
    scope: &'c str,
    span_tags: &'c [String],
    resource_tags: &'c [(Arc<str>, Arc<str>)],
    now: DateTime<Utc>,
}

fn is_claude_call(a: Attrs<'_>) -> bool {
    let provider = a
        .text("gen_ai.provider.name")
        .or_else(|| a.text("gen_ai.system"))
        .or_else(|| a.text("llm.provider"))
        .or_else(|| a.text("llm.system"));
    match provider {
        Some(ANTHROPIC) => true,
        Some(p) if CLOUDS.contains(&p) => model(a).is_some_and(|m| m.contains("claude")),
        _ => false,
    }
}

fn model(a: Attrs<'_>) -> Option<&str> {
    a.text("gen_ai.response.model")
        .or_else(|| a.text("gen_ai.request.model"))
        .or_else(|| a.text("llm.response.model_name"))
        .or_else(|| a.text("llm.model_name"))
        .or_else(|| a.text("llm.request.model_name"))
}

/// One span as a usage record and whether its cache TTL was assumed; `None` when the span
/// names no token counts.
fn usage(span: &Span, cx: &Context<'_>) -> Result<Option<(UsageEvent, bool)>, String> {
    let a = Attrs(&span.attributes);
    let Some(counts) = counts::read(a, cx.scope)? else {
        return Ok(None);
    };
    let model = model(a).ok_or("gen_ai.response.model: missing")?;
    let timestamp = attrs::time(
        &[span.end_time_unix_nano, span.start_time_unix_nano],
        cx.now,
    )?;
    let (key, alt_key) =
        match request_keys(counts.request_id.as_deref(), counts.message_id.as_deref()) {
            (None, _) if !span.span_id.is_empty() => (
                Some(dedupe_key(&[b"span", &span.trace_id, &span.span_id])),
                None,
            ),
            keys => keys,
        };
    let mut tags = Vec::new();
    tags::span_tags(a, cx.span_tags, &mut tags);
    tags.extend(cx.resource_tags.iter().cloned());
    let session = a
        .text("session.id")
        .or_else(|| a.text("gen_ai.conversation.id"))
        .map(Arc::from);
    let total = counts.tokens.total();
    // Like a transcript line when the counts are whole (token total × 2, plus one when
    // final); a copy without the TTL split, or known to be approximate, ranks below any
    // whole copy of the same request, so that one wins whichever arrives first.
    let rank = if counts.ttl_known && !counts.approximate {
        total
            .saturating_mul(2)
            .saturating_add(u64::from(counts.stop_reason.is_some()))
    } else {
        total
    };
    let event = UsageEvent {
        key,
        alt_key,
        rank,
        timestamp,
        model: Arc::from(model),
        tokens: counts.tokens,
        tier: counts.tier.unwrap_or(Tier::Standard),
        modifiers: Modifiers::default(),
        stop_reason: counts.stop_reason,
        kind: EventKind::Request,
        attribution: Attribution {
            project: None,
            session,
            tags: attrs::finish_tags(tags),
        },
        iterations: Vec::new(),
        estimate: None,
    };
    Ok(Some((event, !counts.ttl_known)))
}

#[cfg(test)]
mod basic {
    use super::*;
    use crate::sources::otlp::decode::{Export, Signal};
    use crate::sources::otlp::testing::{decoded, now};
    use crate::usage::{StopReason, Tokens};

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

    fn default_tags() -> Vec<String> {
        DEFAULT_SPAN_TAGS.iter().map(|s| (*s).to_owned()).collect()
    }

    fn mapped(json: &str) -> Mapped {
        let Export::Traces(req) = decoded(Signal::Traces, json) else {
            panic!("a traces export")
        };
        let mut out = Mapped::default();
        map(&req, now(), &default_tags(), &mut out);
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
        assert_eq!(e.key, Some(crate::usage::message_key("msg_01ABC")));
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
