//! `costtop serve` and `watch --listen` as OTLP senders and scrapers meet them: Claude Code's
//! `api_request` event counted once over protobuf and JSON, the transcript of the same request
//! winning whichever arrives first, counters that never go down while a streamed response
//! arrives line by line, the JSON snapshot as `watch` prints it, and a clean SIGTERM.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::files::append;
use crate::support::serve::{
    self, FIXTURE, Server, counter_samples, fixture_protobuf, sample, transcript_line, transcripts,
};

fn totals(snap: &Value) -> (u64, u64, u64, u64) {
    let t = &snap["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or(u64::MAX);
    (
        n("requests"),
        n("cache_write_5m_tokens"),
        n("cache_write_1h_tokens"),
        n("output_tokens"),
    )
}

#[test]
fn the_fixture_event_over_json_and_protobuf_is_counted_once() {
    let server = Server::serve(&[]);
    let json = server.post_json_logs(FIXTURE);
    assert_eq!((json.status, json.text().as_str()), (200, "{}"));
    let proto = server.post(
        "/v1/logs",
        &[("Content-Type", "application/x-protobuf")],
        &fixture_protobuf(),
    );
    assert_eq!(proto.status, 200, "{}", proto.text());
    assert_eq!(proto.header("content-type"), Some("application/x-protobuf"));
    let snap = server.snapshot();
    // One request; its 3,000 cache writes priced as 5-minute writes (no split in events).
    assert_eq!(totals(&snap), (1, 3000, 0, 43));
    assert_eq!(snap["totals"]["input_tokens"], 1201);
    assert_eq!(snap["totals"]["cache_read_tokens"], 15000);
    let receiver = server.receiver();
    assert_eq!(receiver["lines"], 2);
    assert_eq!(receiver["receiver"]["senders"], 1);
    assert_eq!(receiver["receiver"]["cache_ttl_assumed"], 2);
    let metrics = server.wait_metrics("both copies read", |t| {
        sample(t, "costtop_source_records_total{source=\"otlp\"}") == Some(2.0)
    });
    assert_eq!(
        sample(&metrics, "costtop_requests_total{model=\"claude-opus-4-8\""),
        Some(1.0)
    );
    let status = server.terminate();
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
}

#[test]
fn the_transcript_wins_whichever_arrives_first() {
    // Transcript first: the event that follows is a less complete copy.
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &transcript_line(43, true, 0));
    let server = Server::serve(&[dir.to_str().expect("utf-8")]);
    server.wait_snapshot("the transcript line", |s| totals(s).0 == 1);
    assert_eq!(server.post_json_logs(FIXTURE).status, 200);
    let snap = server.wait_snapshot("the event read", |s| {
        s["sources"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x["name"] == "otlp" && x["lines"] == 1))
    });
    assert_eq!(totals(&snap), (1, 0, 3000, 43));
    drop(server);

    // Event first: the transcript line that follows replaces it, with its 1-hour writes.
    let (_tmp, dir) = transcripts();
    let file = dir.join("session.jsonl");
    append(&file, "");
    let server = Server::serve(&[dir.to_str().expect("utf-8")]);
    assert_eq!(server.post_json_logs(FIXTURE).status, 200);
    assert_eq!(totals(&server.snapshot()), (1, 3000, 0, 43));
    append(&file, &transcript_line(43, true, 0));
    server.wait_snapshot("the transcript replacing the event", |s| {
        totals(s) == (1, 0, 3000, 43)
    });
}

/// Scrapes `/metrics` in a loop until stopped, keeping every exposition.
fn scrape_continuously(
    server: &Server,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<String>> {
    let addr = server.addr;
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let r = serve::request(addr, "GET", "/metrics", &[], serve::Body::Fixed(vec![]));
            if r.status == 200 {
                seen.push(r.text());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        seen
    })
}

#[test]
fn no_counter_decreases_while_a_streamed_response_arrives_line_by_line() {
    let (_tmp, dir) = transcripts();
    let file = dir.join("session.jsonl");
    append(&file, "");
    let server = Server::serve(&[dir.to_str().expect("utf-8")]);
    let stop = Arc::new(AtomicBool::new(false));
    let scraper = scrape_continuously(&server, Arc::clone(&stop));
    let output = |t: &str| {
        sample(
            t,
            "costtop_tokens_total{model=\"claude-opus-4-8\",tier=\"standard\",speed=\"standard\",type=\"output\"}",
        )
    };
    // 1. Claude Code's event: 43 output tokens, 3,000 writes taken as 5-minute writes.
    assert_eq!(server.post_json_logs(FIXTURE).status, 200);
    server.wait_metrics("the event", |t| output(t) == Some(43.0));
    // 2. The transcript's streamed placeholder (1 output token so far, the writes are 1-hour
    //    writes) ranks higher and replaces it: the truth drops to 1 output and 0 5m writes.
    append(&file, &transcript_line(1, false, 0));
    let snap = server.wait_snapshot("the placeholder", |s| totals(s) == (1, 0, 3000, 1));
    assert_eq!(totals(&snap), (1, 0, 3000, 1));
    server.wait_metrics("the placeholder", |t| {
        sample(t, "costtop_tokens_total{model=\"claude-opus-4-8\",tier=\"standard\",speed=\"standard\",type=\"cache_write_1h\"}") == Some(3000.0)
    });
    // 3. More chunks of the same response, then the final line.
    for out in [7, 20] {
        append(&file, &transcript_line(out, false, 0));
        server.wait_snapshot("a chunk", |s| totals(s).3 == out);
    }
    append(&file, &transcript_line(43, true, 0));
    let snap = server.wait_snapshot("the final line", |s| totals(s) == (1, 0, 3000, 43));
    let snap_cost = snap["totals"]["cost_usd"].as_f64().expect("cost");
    let cost = |t: &str| sample(t, "costtop_cost_usd_total{model=\"claude-opus-4-8\"");
    // The final line's cost (1-hour writes) is above every earlier copy's: the counter
    // follows the truth up to it.
    let last = server.wait_metrics("the final line", |t| {
        cost(t).is_some_and(|c| (c - snap_cost).abs() < 1e-9)
    });
    stop.store(true, Ordering::Relaxed);
    let mut texts = scraper.join().expect("scraper");
    texts.push(last.clone());
    assert!(
        texts.len() > 5,
        "the scraper saw the stream: {} scrapes",
        texts.len()
    );

    let mut high = std::collections::BTreeMap::<String, f64>::new();
    let decreases = Mutex::new(Vec::new());
    for text in &texts {
        for (series, value) in counter_samples(text) {
            let prev = high.entry(series.clone()).or_insert(value);
            if value < *prev {
                decreases
                    .lock()
                    .unwrap()
                    .push(format!("{series}: {prev} → {value}"));
            }
            *prev = prev.max(value);
        }
    }
    assert!(
        decreases.lock().unwrap().is_empty(),
        "{:?}",
        decreases.lock().unwrap()
    );
    // The 5-minute writes the event claimed are held at their high-water mark although the
    // transcript moved them to 1 hour: held, never lowered.
    assert_eq!(
        sample(
            &last,
            "costtop_tokens_total{model=\"claude-opus-4-8\",tier=\"standard\",speed=\"standard\",type=\"cache_write_5m\"}"
        ),
        Some(3000.0)
    );
    assert_eq!(
        sample(&last, "costtop_requests_total{model=\"claude-opus-4-8\""),
        Some(1.0)
    );
    assert_eq!(output(&last), Some(43.0));
}

#[test]
fn the_snapshot_api_answers_as_watch_prints_and_adds_rows_by_session() {
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &transcript_line(43, true, 0));
    let server = Server::start(&[
        "watch",
        dir.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
        "--interval",
        "200ms",
        "--window",
        "all",
        "--since",
        "2000-01-01",
    ])
    .expect("watch --listen starts");
    let api = server.wait_snapshot("the line read", |s| totals(s).0 == 1);
    let lines = server.stdout.as_ref().expect("stdout");
    let watched: Value = loop {
        let line = lines.recv_timeout(serve::DEADLINE).expect("a watch line");
        let v: Value = serde_json::from_str(&line).expect("JSON line");
        if totals(&v).0 == 1 {
            break v;
        }
    };
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&api), keys(&watched));
    assert_eq!(api["totals"], watched["totals"]);
    assert_eq!(api["by_model"], watched["by_model"]);
    assert!(api.get("rows").is_none(), "rows only with ?by=");

    let by_session = server.get("/api/v1/snapshot?by=session");
    assert_eq!(by_session.status, 200);
    let rows: Value = serde_json::from_slice(&by_session.body).expect("JSON");
    assert_eq!(
        rows["rows"][0]["key"],
        "239f9f22-6bef-46d5-b40e-e46900c78d1d"
    );
    assert_eq!(rows["rows"][0]["requests"], 1);
    assert_eq!(server.get("/api/v1/snapshot?by=colour").status, 400);
    assert_eq!(server.get("/nothing-here").status, 404);
}

#[test]
fn claude_code_metrics_are_its_estimate_never_spend() {
    let server = Server::serve(&[]);
    let cost_usage = r#"{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},
      "scopeMetrics":[{"scope":{"name":"com.anthropic.claude_code"},"metrics":[
        {"name":"claude_code.cost.usage","unit":"USD","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[
          {"attributes":[{"key":"session.id","value":{"stringValue":"s-1"}},{"key":"model","value":{"stringValue":"claude-opus-4-8"}}],
           "timeUnixNano":"1796162179873000000","asDouble":0.04083}]}},
        {"name":"claude_code.token.usage","unit":"tokens","sum":{"aggregationTemporality":1,"dataPoints":[
          {"attributes":[{"key":"type","value":{"stringValue":"output"}}],"timeUnixNano":"1796162179873000000","asInt":"43"}]}}]}]}]}"#;
    let r = server.post(
        "/v1/metrics",
        &[("Content-Type", "application/json")],
        cost_usage.as_bytes(),
    );
    assert_eq!((r.status, r.text().as_str()), (200, "{}"));
    let snap = server.snapshot();
    assert_eq!(snap["totals"]["requests"], 0);
    assert_eq!(snap["totals"]["cost_usd"], 0.0);
    assert_eq!(server.receiver()["lines"], 1);
}

#[test]
fn a_metrics_label_adds_a_tag_to_the_counters() {
    let (_tmp, dir) = transcripts();
    let line = |feature: &str, id: u32| {
        format!(
            "{{\"timestamp\":\"2026-12-01T21:00:00Z\",\"id\":\"r{id}\",\"model\":\"claude-sonnet-4-6\",\"usage\":{{\"input_tokens\":100,\"output_tokens\":10}},\"tags\":{{\"feature\":\"{feature}\"}}}}\n"
        )
    };
    let text: String = [line("search", 1), line("search", 2), line("summaries", 3)].concat();
    append(&dir.join("app.jsonl"), &text);
    let server = Server::serve(&[dir.to_str().expect("utf-8"), "--metrics-label", "feature"]);
    let metrics = server.wait_metrics("three requests", |t| {
        sample(t, "costtop_requests_total{model=\"claude-sonnet-4-6\",tier=\"standard\",speed=\"standard\",feature=\"search\"}") == Some(2.0)
    });
    assert_eq!(
        sample(
            &metrics,
            "costtop_requests_total{model=\"claude-sonnet-4-6\",tier=\"standard\",speed=\"standard\",feature=\"summaries\"}"
        ),
        Some(1.0)
    );
}

#[test]
fn the_contrib_dashboard_and_alerts_use_only_metrics_costtop_serves() {
    let (_tmp, dir) = transcripts();
    append(&dir.join("session.jsonl"), &transcript_line(43, true, 0));
    let unknown = transcript_line(43, true, 0)
        .replace("claude-opus-4-8", "claude-mystery-9")
        .replace("req_011CExampleTelemetry01", "req_mystery")
        .replace("msg_01ExampleTelemetry", "msg_mystery");
    append(&dir.join("other.jsonl"), &unknown);
    let server = Server::serve(&[dir.to_str().expect("utf-8"), "--budget", "day=0.01"]);
    // The receiver's own series appear once its first health report is in.
    let text = server.wait_metrics("budgets, alarms and the receiver", |t| {
        t.contains("costtop_alarms_active")
            && t.contains("costtop_source_lag_seconds")
            && t.contains("costtop_source_rejected_payloads_total")
    });
    let exposed: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "contrib/grafana/costtop.json",
        "contrib/prometheus/alerts.yml",
    ] {
        let content = std::fs::read_to_string(root.join(file)).expect("contrib file");
        if std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e == "json")
        {
            let _: Value = serde_json::from_str(&content).expect("the dashboard is JSON");
        }
        let mut used: Vec<&str> = content
            .match_indices("costtop_")
            .map(|(at, _)| {
                let rest = &content[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        assert!(used.len() > 5, "{file}: {used:?}");
        for name in used {
            assert!(
                exposed.contains(name),
                "{file} uses {name}, which /metrics lacks:\n{text}"
            );
        }
    }
}
