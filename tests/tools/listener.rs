//! The listener with the real tools of the field: a real Prometheus (Debian's 2.42, started
//! here on a free loopback port with a generated config) scrapes costtop with its bearer
//! token and sums `costtop_cost_usd_total` to exactly costtop's own total; `promtool` passes
//! the exposition and `contrib/prometheus/alerts.yml`; and the OpenTelemetry Python SDK's
//! OTLP/HTTP exporter sends GenAI spans that costtop counts.
//!
//! The tools are installed by `.ci/run`. Without them these tests print a notice and pass,
//! unless `COSTTOP_REQUIRE_TOOLS=1` (set by `.ci/run`) makes them fail.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::files::append;
use crate::support::lines;
use crate::support::serve::{Body, DEADLINE, Server, free_port, request, transcripts};
use crate::support::tools::{self, tool};

/// Rounded as costtop's JSON rounds dollars (10 decimal places).
fn round_usd(usd: f64) -> f64 {
    (usd * 1e10).round() / 1e10
}

#[test]
fn prometheus_scrapes_costtop_and_sums_its_cost_exactly() {
    if !tool("prometheus") {
        return;
    }
    let (tmp, dir) = transcripts();
    // Four models, batch and standard tiers, both cache TTLs, and one unpriced model.
    append(&dir.join("session.jsonl"), &lines::records(0..60));
    let unknown = lines::records(79..80).replace("claude-opus-4-1-20250805", "claude-mystery-9");
    append(&dir.join("other.jsonl"), &unknown);
    let token = tmp.path().join("token");
    std::fs::write(&token, "prom-scrape-token\n").expect("token");
    let server = Server::serve(&[
        dir.to_str().expect("utf-8"),
        "--listen-token-file",
        token.to_str().expect("utf-8"),
    ]);
    let auth = [("Authorization", "Bearer prom-scrape-token")];
    let snapshot = || -> Value {
        let r = request(
            server.addr,
            "GET",
            "/api/v1/snapshot",
            &auth,
            Body::Fixed(vec![]),
        );
        serde_json::from_slice(&r.body).expect("snapshot")
    };
    let deadline = Instant::now() + DEADLINE;
    while snapshot()["totals"]["requests"] != 61 {
        assert!(
            Instant::now() < deadline,
            "costtop did not read the records"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let own_total = snapshot()["totals"]["cost_usd"].as_f64().expect("cost");
    assert!(own_total > 0.0);

    let port = free_port();
    let config = tmp.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {rules}\n\
             scrape_configs:\n  - job_name: costtop\n    authorization:\n      type: Bearer\n      credentials_file: {token}\n    \
             static_configs:\n      - targets: ['{addr}']\n",
            rules = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("contrib/prometheus/alerts.yml")
                .display(),
            token = token.display(),
            addr = server.addr,
        ),
    )
    .expect("config");
    let mut prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            tmp.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start prometheus");
    let api: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let query = |q: &str| -> Value {
        let path = format!("/api/v1/query?query={}", encode(q));
        let r = request(api, "GET", &path, &[], Body::Fixed(vec![]));
        serde_json::from_slice(&r.body).unwrap_or(Value::Null)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let summed = loop {
        let v = query("sum(costtop_cost_usd_total)");
        if let Some(value) = v["data"]["result"][0]["value"][1].as_str() {
            break value.parse::<f64>().expect("a number");
        }
        if let Ok(Some(status)) = prometheus.try_wait() {
            panic!("prometheus exited: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "prometheus never scraped costtop: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let up = query("up{job=\"costtop\"}");
    let unpriced = query("sum(costtop_unpriced_requests_total)");
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
    // Exactly equal at the JSON's precision (10 decimal places) is the claim.
    #[allow(clippy::float_cmp)]
    {
        assert_eq!(
            round_usd(summed),
            own_total,
            "Prometheus' sum vs costtop's total"
        );
    }
    assert_eq!(unpriced["data"]["result"][0]["value"][1], "1", "{unpriced}");
}

/// Percent-encodes a PromQL query for a URL.
fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn promtool_passes_the_exposition_and_the_alert_rules() {
    if !tool("promtool") {
        return;
    }
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &lines::records(0..20));
    let server = Server::serve(&[dir.to_str().expect("utf-8"), "--budget", "day=5"]);
    let text = server.wait_metrics("the records", |t| t.contains("costtop_budget_state"));
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool");
    std::io::Write::write_all(&mut check.stdin.take().expect("stdin"), text.as_bytes())
        .expect("feed promtool");
    let out = check.wait_with_output().expect("promtool");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/alerts.yml");
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/alerts_test.yml");
    let out = Command::new("promtool")
        .args(["test", "rules"])
        .arg(&tests)
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python interpreter with the OpenTelemetry SDK: `COSTTOP_OTEL_PYTHON` (`.ci/run` sets
/// it to its venv), else `python3`; `None` (after the skip notice) when the SDK is missing.
fn otel_python() -> Option<String> {
    let python = std::env::var("COSTTOP_OTEL_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args([
            "-c",
            "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        tools::missing(&format!("{python} lacks the OpenTelemetry SDK"));
    }
    ok.then_some(python)
}

const SEND_SPANS: &str = r#"
import sys
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

provider = TracerProvider(resource=Resource.create({"service.name": "support-bot", "team": "care"}))
exporter = OTLPSpanExporter(endpoint=sys.argv[1] + "/v1/traces", compression=Compression.Gzip)
provider.add_span_processor(SimpleSpanProcessor(exporter))
tracer = provider.get_tracer("genai-test")
calls = [(12000, 350, 9000, 2000), (800, 40, 0, 0), (5000, 1200, 4096, 0)]
for i, (inp, out, read, write) in enumerate(calls):
    with tracer.start_as_current_span("chat claude-sonnet-4-6") as span:
        span.set_attribute("gen_ai.provider.name", "anthropic")
        span.set_attribute("gen_ai.operation.name", "chat")
        span.set_attribute("gen_ai.request.model", "claude-sonnet-4-6")
        span.set_attribute("gen_ai.response.model", "claude-sonnet-4-6")
        span.set_attribute("gen_ai.response.id", "msg_%04d" % i)
        span.set_attribute("gen_ai.usage.input_tokens", inp)
        span.set_attribute("gen_ai.usage.output_tokens", out)
        span.set_attribute("gen_ai.usage.cache_read.input_tokens", read)
        span.set_attribute("gen_ai.usage.cache_creation.input_tokens", write)
        span.set_attribute("gen_ai.response.finish_reasons", ["end_turn"])
with tracer.start_as_current_span("GET /health"):
    pass
ok = provider.force_flush()
provider.shutdown()
sys.exit(0 if ok else 1)
"#;

#[test]
fn the_opentelemetry_python_exporter_sends_genai_spans_that_are_counted() {
    let Some(python) = otel_python() else {
        return;
    };
    let server = Server::serve(&[]);
    let out = Command::new(python)
        .args(["-c", SEND_SPANS, &format!("http://{}", server.addr)])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap = server.wait_snapshot("three spans", |s| s["totals"]["requests"] == 3);
    let t = &snap["totals"];
    // Input includes cache tokens for Anthropic: 1,000 + 800 + 904 uncached.
    assert_eq!(t["input_tokens"], 2704);
    assert_eq!(t["output_tokens"], 1590);
    assert_eq!(t["cache_read_tokens"], 13096);
    assert_eq!(t["cache_write_5m_tokens"], 2000);
    assert_eq!(snap["by_model"][0]["model"], "claude-sonnet-4-6");
    let receiver = server.receiver();
    assert_eq!(
        receiver["lines"], 3,
        "the health-check span is no model call"
    );
    assert_eq!(receiver["parse_errors"], 0);
    let team = snap["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["by"] == "tag:team"))
        .expect("resource attributes are tags");
    assert_eq!(team["rows"][0]["key"], "care");
}
