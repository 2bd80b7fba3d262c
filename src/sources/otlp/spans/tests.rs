//! What each real instrumentation emits (captured from `anthropic` 2.10.0's own spans,
//! OpenLLMetry 0.62.4 and OpenInference 3.1.0 against a mock Messages API that served, per
//! request, 12 uncached input tokens, 100 5-minute and 200 1-hour cache writes, 4,000 cache
//! reads and 55 output tokens, stopping at `max_tokens`; one plain and one streamed request,
//! tagged `feature=search`), mapped to the same two records.

use super::*;
use crate::sources::otlp::decode::{Export, Signal};
use crate::sources::otlp::testing::decoded;
use crate::usage::{StopReason, Tokens, message_key, request_key};

fn mapped(fixture: &str) -> Mapped {
    let path = format!(
        "{}/tests/fixtures/otlp/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let json = std::fs::read_to_string(path).expect("fixture");
    let Export::Traces(req) = decoded(Signal::Traces, &json) else {
        panic!("a traces export")
    };
    let now = DateTime::parse_from_rfc3339("2026-12-08T00:00:00Z")
        .expect("time")
        .to_utc();
    let mut out = Mapped::default();
    let tags: Vec<String> = DEFAULT_SPAN_TAGS.iter().map(|s| (*s).to_owned()).collect();
    map(&req, now, &tags, &mut out);
    out
}

/// What the mock served for each request.
fn served(split: bool) -> Tokens {
    Tokens {
        input: 12,
        cache_write_5m: if split { 100 } else { 300 },
        cache_write_1h: if split { 200 } else { 0 },
        cache_read: 4000,
        output: 55,
        web_search_requests: 0,
    }
}

fn check(m: &Mapped, split: bool) {
    assert_eq!((m.records, m.rejected, m.llm_unreadable), (2, 0, 0));
    assert_eq!(m.ttl_assumed, if split { 0 } else { 2 });
    for e in &m.events {
        assert_eq!(e.tokens, served(split), "{e:?}");
        assert_eq!(&*e.model, "claude-sonnet-4-6");
        assert_eq!(e.stop_reason, Some(StopReason::MaxTokens));
        assert_eq!(e.attribution.tag("feature"), Some("search"));
        assert_eq!(e.attribution.tag("service.name"), Some("support-bot"));
    }
}

#[test]
fn the_sdks_own_spans_give_both_ids_the_ttl_split_and_the_stop_reason() {
    let m = mapped("anthropic-sdk-spans.json");
    check(&m, true);
    let e = &m.events[0];
    assert_eq!(e.key, Some(request_key("req_01EXPLORE")));
    assert_eq!(e.alt_key, Some(message_key("msg_01EXPLORE")));
    assert_eq!(e.rank, served(true).total() * 2 + 1);
}

#[test]
fn openllmetry_spans_lack_the_split_and_its_streamed_extra_token_is_taken_back() {
    let m = mapped("openllmetry-spans.json");
    // The streamed span says 56 output tokens (`message_start`'s 1 added to the final 55)
    // and `gen_ai.is_streaming`: the mapping gives 55, as served.
    check(&m, false);
    let e = &m.events[1];
    assert_eq!(e.key, Some(message_key("msg_01EXPLORE")));
    assert_eq!(e.alt_key, None);
    // Ranked below any whole copy: the SDK's span of the same request wins.
    assert_eq!(e.rank, served(false).total());
}

#[test]
fn openinference_spans_are_read_from_the_recorded_response_with_its_split_and_id() {
    let m = mapped("openinference-spans.json");
    check(&m, true);
    assert_eq!(m.events[0].key, Some(message_key("msg_01EXPLORE")));
    assert_eq!(m.events[0].attribution.tag("metadata"), None);
}

#[test]
fn openinference_token_counts_alone_are_read_too() {
    let path = format!(
        "{}/tests/fixtures/otlp/openinference-spans.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json = std::fs::read_to_string(path)
        .expect("fixture")
        .replace("\"output.value\"", "\"output.hidden\"");
    let Export::Traces(req) = decoded(Signal::Traces, &json) else {
        panic!()
    };
    let now = DateTime::parse_from_rfc3339("2026-12-08T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut m = Mapped::default();
    map(&req, now, &[], &mut m);
    assert_eq!((m.records, m.ttl_assumed), (2, 2));
    assert_eq!(m.events[0].tokens, served(false));
    // Tagged from OpenInference's `metadata` (the configured keys are empty here).
    assert_eq!(m.events[0].attribution.tag("feature"), Some("search"));
}

#[test]
fn an_anthropic_llm_span_without_token_counts_is_counted_as_unreadable() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"llm",
         "startTimeUnixNano":"1796162179000000000","endTimeUnixNano":"1796162179873000000",
         "attributes":[{"key":"llm.provider","value":{"stringValue":"anthropic"}},
           {"key":"llm.model_name","value":{"stringValue":"claude-sonnet-4-6"}}]}]}]}]}"#;
    let Export::Traces(req) = decoded(Signal::Traces, json) else {
        panic!()
    };
    let mut m = Mapped::default();
    map(&req, crate::sources::otlp::testing::now(), &[], &mut m);
    assert_eq!((m.records, m.rejected, m.llm_unreadable), (1, 1, 1));
    assert!(m.first_rejection.unwrap().contains("no token counts"));
}

#[test]
fn span_tags_come_from_configured_keys_prefixes_metadata_and_tag_lists() {
    let json = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"team","value":{"stringValue":"from-resource"}}]},
      "scopeSpans":[{"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat",
         "startTimeUnixNano":"1796162179000000000","endTimeUnixNano":"1796162179873000000",
         "attributes":[{"key":"gen_ai.provider.name","value":{"stringValue":"anthropic"}},
           {"key":"gen_ai.request.model","value":{"stringValue":"claude-sonnet-4-6"}},
           {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},
           {"key":"gen_ai.usage.output_tokens","value":{"intValue":"5"}},
           {"key":"team","value":{"stringValue":"care"}},
           {"key":"costtop.tag.cost_center","value":{"stringValue":"cc-7"}},
           {"key":"traceloop.association.properties.tenant","value":{"stringValue":"acme"}},
           {"key":"metadata","value":{"stringValue":"{\"user\":\"u-1\",\"n\":3,\"deep\":{}}"}},
           {"key":"tag.tags","value":{"arrayValue":{"values":[{"stringValue":"env=prod"},{"stringValue":"beta"}]}}}]}]}]}]}"#;
    let Export::Traces(req) = decoded(Signal::Traces, json) else {
        panic!()
    };
    let mut m = Mapped::default();
    let keys = vec!["team".to_owned()];
    map(&req, crate::sources::otlp::testing::now(), &keys, &mut m);
    let a = &m.events[0].attribution;
    // The span's own attribute wins over the resource's.
    assert_eq!(a.tag("team"), Some("care"));
    assert_eq!(a.tag("cost_center"), Some("cc-7"));
    assert_eq!(a.tag("tenant"), Some("acme"));
    assert_eq!(a.tag("user"), Some("u-1"));
    assert_eq!(a.tag("n"), Some("3"));
    assert_eq!(a.tag("deep"), None);
    assert_eq!(a.tag("env"), Some("prod"));
    assert_eq!(a.tag("tags"), Some("beta"));
}
