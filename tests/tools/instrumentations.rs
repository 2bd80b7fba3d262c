//! The real instrumentation libraries of the field, from PyPI (pinned in `.ci/run`):
//! `anthropic` 2.10.0's own spans, OpenLLMetry (`opentelemetry-instrumentation-anthropic`
//! 0.62.4), OpenInference (`openinference-instrumentation-anthropic` 3.1.0), and the SDK with
//! OpenLLMetry together. Each drives the tests' mock Messages API (which records what it
//! served: the truth) with cached, 1-hour, streamed and `max_tokens` requests over three
//! features and exports OTLP/HTTP to a real `costtop serve`, whose totals and per-feature rows
//! must equal what the mock served, exactly. Then the same requests through an application
//! log, the raw responses and the SDK's spans at once: each counted once.

use std::process::Command;

use serde_json::Value;

use crate::support::claude_code::{MockApi, MockOptions, Served, expected_cost, expected_totals};
use crate::support::serve::Server;
use crate::support::tools;

/// Requests per run: plain and streamed, cut off at `max_tokens` every fifth.
const REQUESTS: usize = 12;
const FEATURES: [&str; 3] = ["search", "chat", "summaries"];

/// Drives the SDK with one instrumentation (argv: mode, mock URL, costtop URL, requests, log).
const DRIVE: &str = r#"
import json, os, sys
mode, mock, otlp, n, log = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
if mode in ("openllmetry", "openinference"):
    os.environ["ANTHROPIC_OPEN_TELEMETRY"] = "false"   # the instrumentation alone
from contextlib import nullcontext
from datetime import datetime, timezone
from opentelemetry import baggage, context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.processor.baggage import BaggageSpanProcessor, ALLOW_ALL_BAGGAGE_KEYS
provider = TracerProvider(resource=Resource.create({"service.name": "support-bot"}))
provider.add_span_processor(BaggageSpanProcessor(ALLOW_ALL_BAGGAGE_KEYS))
provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=otlp + "/v1/traces")))
trace.set_tracer_provider(provider)
metadata = lambda f: nullcontext()
if mode in ("openllmetry", "both"):
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument()
if mode == "openinference":
    from openinference.instrumentation import using_metadata
    from openinference.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument(tracer_provider=provider)
    metadata = lambda f: using_metadata({"feature": f})
import anthropic
client = anthropic.Anthropic(base_url=mock, api_key="sk-ant-api03-costtop-test", max_retries=0)
features = ["search", "chat", "summaries"]
out = open(log, "w") if log != "-" else None
for i in range(n):
    feature = features[i % 3]
    token = context.attach(baggage.set_baggage("feature", feature))
    ask = dict(model="claude-sonnet-4-6", max_tokens=16 if i % 5 == 4 else 1024,
               messages=[{"role": "user", "content": "question %d" % i}])
    with metadata(feature):
        if out is not None and i % 2:
            # The application-log snippet of docs/instrumentations.md for streams.
            with client.messages.stream(**ask) as stream:
                message = stream.get_final_message()
            request_id = stream.request_id
        elif i % 2:
            for _ in client.messages.create(stream=True, **ask):
                pass
        else:
            message = client.messages.create(**ask)
            request_id = message._request_id
    context.detach(token)
    if out is not None:
        # A naive UTC time, as `datetime.utcnow().isoformat(" ")` writes it.
        now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
        out.write(json.dumps({"timestamp": now, "id": message.id,
            "request_id": request_id, "model": message.model, "stop_reason": message.stop_reason,
            "usage": message.usage.model_dump(), "tags": {"feature": feature}}) + "\n")
        out.write(message.model_dump_json() + "\n")   # the raw response too
ok = provider.force_flush()
provider.shutdown()
sys.exit(0 if ok else 1)
"#;

/// The venv's Python with the three libraries, or `None` after the skip notice.
fn python() -> Option<String> {
    let python = std::env::var("COSTTOP_OTEL_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args([
            "-c",
            "import anthropic, opentelemetry.instrumentation.anthropic, \
             openinference.instrumentation.anthropic, opentelemetry.processor.baggage",
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        tools::missing(&format!(
            "{python} lacks anthropic, the OpenLLMetry or OpenInference instrumentation"
        ));
    }
    ok.then_some(python)
}

/// Runs one mode against a fresh mock and a fresh `costtop serve` (following `log` when
/// given); returns what the mock served and the served costtop.
fn run(mode: &str, log: Option<&std::path::Path>) -> Option<(Vec<Served>, Server)> {
    let python = python()?;
    let mock = MockApi::start(MockOptions::default());
    let log_arg = log.map_or_else(|| "-".to_owned(), |p| p.display().to_string());
    if let Some(log) = log {
        std::fs::write(log, "").expect("create the log");
    }
    let sources: Vec<&str> = log.iter().map(|_| log_arg.as_str()).collect();
    let costtop = Server::serve(&sources);
    let out = Command::new(python)
        .args(["-c", DRIVE, mode, mock.base_url()])
        .arg(format!("http://{}", costtop.addr))
        .arg(REQUESTS.to_string())
        .arg(&log_arg)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{mode}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let served = mock.served();
    assert_eq!(served.len(), REQUESTS, "{mode}: {served:#?}");
    assert!(served.iter().any(|s| s.stream) && served.iter().any(|s| s.max_tokens_stop));
    Some((served, costtop))
}

/// The feature request `seq` (1-based) was made for.
fn feature(s: &Served) -> &'static str {
    FEATURES[(s.seq as usize - 1) % FEATURES.len()]
}

/// A served request as a library without the TTL split reports it: every write 5-minute.
fn without_ttl_split(s: &Served) -> Served {
    let mut s = s.clone();
    s.usage.cache_write_5m += s.usage.cache_write_1h;
    s.usage.cache_write_1h = 0;
    s
}

/// Waits for every request, then checks totals (with the TTL split as served, or without),
/// per-feature rows, the `max_tokens` share, and how many received records had their TTL
/// assumed (flagged as estimated: a copy with the split replaces them when one arrives).
fn check(mode: &str, served: &[Served], costtop: &Server, ttl_split: bool, assumed: usize) {
    let as_reported: Vec<Served> = if ttl_split {
        served.to_vec()
    } else {
        served.iter().map(without_ttl_split).collect()
    };
    let expected = expected_totals(&as_reported);
    let snap = costtop.wait_snapshot(&format!("{mode}: {expected}"), |snap| {
        let totals = &snap["totals"];
        expected
            .as_object()
            .is_some_and(|e| e.iter().all(|(k, v)| &totals[k] == v))
    });
    assert_eq!(snap["totals"]["requests"], REQUESTS, "{mode}");
    let rows = snap["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["by"] == "tag:feature"))
        .unwrap_or_else(|| panic!("{mode}: no feature rows: {snap}"))["rows"]
        .clone();
    for name in FEATURES {
        let mine: Vec<Served> = as_reported
            .iter()
            .filter(|s| feature(s) == name)
            .cloned()
            .collect();
        let row = rows
            .as_array()
            .and_then(|r| r.iter().find(|r| r["key"] == name))
            .unwrap_or_else(|| panic!("{mode}: no row for {name}: {rows}"));
        assert_eq!(row["requests"], mine.len(), "{mode} {name}");
        assert_eq!(
            row["cost_usd"],
            serde_json::json!(expected_cost(&mine)),
            "{mode} {name}"
        );
    }
    let cut = served.iter().filter(|s| s.max_tokens_stop).count() as f64 / REQUESTS as f64;
    let share = snap["output_tokens"]["max_tokens_share"]
        .as_f64()
        .unwrap_or(-1.0);
    assert!(
        (share - cut).abs() < 1e-9,
        "{mode}: max_tokens share {share} vs {cut}"
    );
    let receiver = costtop.receiver();
    assert_eq!(
        receiver["receiver"]["cache_ttl_assumed"], assumed,
        "{mode}: {receiver}"
    );
    assert_eq!(receiver["parse_errors"], 0, "{mode}: {receiver}");
}

#[test]
fn the_anthropic_sdks_own_spans_are_exact_with_their_ttl_split() {
    let Some((served, costtop)) = run("sdk", None) else {
        return;
    };
    check("sdk", &served, &costtop, true, 0);
}

#[test]
fn openllmetry_alone_is_exact_but_for_the_ttl_split_it_does_not_give() {
    let Some((served, costtop)) = run("openllmetry", None) else {
        return;
    };
    // No TTL split: every 1-hour write is flagged as estimated (priced as 5-minute).
    check("openllmetry", &served, &costtop, false, REQUESTS);
}

#[test]
fn openinference_is_exact_from_the_response_it_records() {
    let Some((served, costtop)) = run("openinference", None) else {
        return;
    };
    check("openinference", &served, &costtop, true, 0);
}

#[test]
fn the_sdk_with_openllmetry_counts_each_request_once_at_the_sdks_figures() {
    let Some((served, costtop)) = run("both", None) else {
        return;
    };
    // OpenLLMetry's copies (no split) are flagged, and the SDK's spans of the same requests
    // replace them: the totals carry the split.
    check("both", &served, &costtop, true, REQUESTS);
}

#[test]
fn an_application_log_raw_responses_and_spans_of_the_same_requests_count_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = tmp.path().join("requests.jsonl");
    let Some((served, costtop)) = run("sdk", Some(&log)) else {
        return;
    };
    let text = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        text.lines().count(),
        2 * REQUESTS,
        "a log line and a raw response each"
    );
    check("log + responses + spans", &served, &costtop, true, 0);
    // The spans may complete the totals before the tail has read the whole log.
    let lines = 2 * REQUESTS as u64;
    let snap = costtop.wait_snapshot("the whole log read", |s| {
        s["sources"].as_array().is_some_and(|list| {
            list.iter()
                .any(|f| f["name"] != "otlp" && f["lines"].as_u64() == Some(lines))
        })
    });
    let sources: Value = snap["sources"].clone();
    let file = sources
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] != "otlp"))
        .unwrap_or_else(|| panic!("{sources}"));
    // The log's times name no zone: read as UTC and counted as assumed.
    assert_eq!(file["naive_times"], REQUESTS, "{file}");
}
