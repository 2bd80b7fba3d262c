//! Speed of the listener's two hot paths, each beside a baseline measured in the same run:
//! OTLP ingest (decode, map, count 1,000 `claude_code.api_request` events) against parsing
//! the same JSON bytes into a `serde_json::Value`, and `/metrics` render with 2,000 series
//! against serialising the same snapshot as a `watch` JSON line; and counting 40,000 records
//! of one long session with cache writes (every real Claude Code session has them) against
//! the same records without writes and against 40,000 sessions of one record each: the three
//! should cost about the same (issue 23: the first used to be quadratic). Many senders over
//! HTTP: `cargo run --release --example otlp_load -- --senders 32`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use costtop::aggregate::{CounterOptions, Settings, State};
use costtop::outputs::metrics::{Exposition, render};
use costtop::sources::otlp::{Encoding, Signal, decode, map_export};
use costtop::time::Window;
use costtop::usage::{Attribution, EventKind, Modifiers, Tier, Tokens, UsageEvent};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;

const EVENTS: usize = 1_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T22:00:00Z")
        .expect("time")
        .to_utc()
}

/// One export request of `EVENTS` api_request records shaped like the shared fixture.
fn payload() -> (Vec<u8>, Vec<u8>) {
    let record = |n: usize| {
        format!(
            r#"{{"timeUnixNano":"{t}","observedTimeUnixNano":"{t}","body":{{"stringValue":"claude_code.api_request"}},"attributes":[
            {{"key":"user.id","value":{{"stringValue":"0f3c9a1e5b7d2468ace0f3c9a1e5b7d2468ace0f3c9a1e5b7d2468ace0f3c9a"}}}},
            {{"key":"session.id","value":{{"stringValue":"239f9f22-6bef-46d5-b40e-e46900c78d{s:02}"}}}},
            {{"key":"terminal.type","value":{{"stringValue":"xterm"}}}},
            {{"key":"event.name","value":{{"stringValue":"api_request"}}}},
            {{"key":"event.timestamp","value":{{"stringValue":"2026-12-01T21:56:19.873Z"}}}},
            {{"key":"event.sequence","value":{{"intValue":"{n}"}}}},
            {{"key":"model","value":{{"stringValue":"claude-opus-4-8"}}}},
            {{"key":"input_tokens","value":{{"intValue":"{i}"}}}},
            {{"key":"output_tokens","value":{{"intValue":"{o}"}}}},
            {{"key":"cache_read_tokens","value":{{"intValue":"15000"}}}},
            {{"key":"cache_creation_tokens","value":{{"intValue":"3000"}}}},
            {{"key":"cost_usd","value":{{"doubleValue":0.04083}}}},
            {{"key":"cost_usd_micros","value":{{"intValue":"40830"}}}},
            {{"key":"duration_ms","value":{{"intValue":"36"}}}},
            {{"key":"request_id","value":{{"stringValue":"req_011CBench{n:012}"}}}},
            {{"key":"speed","value":{{"stringValue":"normal"}}}},
            {{"key":"query_source","value":{{"stringValue":"repl_main_thread"}}}},
            {{"key":"effort","value":{{"stringValue":"high"}}}}]}}"#,
            t = 1_796_162_179_873_000_000_u64 + n as u64 * 1_000_000,
            s = n % 20,
            i = 1000 + n % 500,
            o = 40 + n % 3000,
        )
    };
    let records: Vec<String> = (0..EVENTS).map(record).collect();
    let json = format!(
        r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"claude-code"}}}},{{"key":"service.version","value":{{"stringValue":"2.1.197"}}}},{{"key":"host.name","value":{{"stringValue":"laptop-7"}}}}]}},"scopeLogs":[{{"scope":{{"name":"com.anthropic.claude_code.events","version":"2.1.197"}},"logRecords":[{}]}}]}}]}}"#,
        records.join(",")
    );
    let req: ExportLogsServiceRequest = serde_json::from_str(&json).expect("bench payload");
    (req.encode_to_vec(), json.into_bytes())
}

fn ingest(c: &mut Criterion) {
    let (protobuf, json) = payload();
    eprintln!(
        "otlp bench: {EVENTS} events, protobuf {} KB, JSON {} KB",
        protobuf.len() / 1000,
        json.len() / 1000
    );
    let settings = Settings {
        window: Window::All,
        counters: Some(CounterOptions::default()),
        ..Settings::default()
    };
    let mut group = c.benchmark_group("otlp_ingest");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(30);
    for (name, encoding, body) in [
        ("protobuf", Encoding::Protobuf, &protobuf),
        ("json", Encoding::Json, &json),
    ] {
        group.bench_function(format!("decode_map_{name}"), |b| {
            b.iter(|| {
                let export =
                    decode(Signal::Logs, encoding, std::hint::black_box(body)).expect("decodes");
                map_export(&export, now()).events.len()
            });
        });
        // Everything one core does for a payload: decode, map, and count into the state
        // (a fresh state each time, so every record is new).
        group.bench_function(format!("decode_map_count_{name}"), |b| {
            b.iter_batched(
                || State::new(settings.clone()),
                |mut state| {
                    let export = decode(Signal::Logs, encoding, body).expect("decodes");
                    for e in &map_export(&export, now()).events {
                        state.ingest(e);
                    }
                    state.stats.counted
                },
                criterion::BatchSize::LargeInput,
            );
        });
    }
    group.bench_function("baseline_json_value_parse", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&json))
                .map(|v| v.is_object())
        });
    });
    group.finish();
}

fn render_metrics(c: &mut Criterion) {
    // 100 models × 2 tiers × 10 feature values: 2,000 series per counter metric.
    let settings = Settings {
        window: Window::All,
        counters: Some(CounterOptions {
            labels: vec!["feature".into()],
            max_series: 5_000,
        }),
        ..Settings::default()
    };
    let mut state = State::new(settings);
    let feature: Arc<str> = Arc::from("feature");
    for n in 0..20_000_u64 {
        let model = if n % 100 < 4 {
            [
                "claude-opus-4-8",
                "claude-sonnet-4-6",
                "claude-haiku-4-5",
                "claude-opus-4-1",
            ][(n % 100) as usize]
                .to_string()
        } else {
            format!("claude-model-{}", n % 100)
        };
        state.ingest(&UsageEvent {
            alt_key: None,
            key: Some(n),
            rank: 1,
            timestamp: now() - chrono::Duration::seconds((n % 3600) as i64),
            model: Arc::from(model),
            tokens: Tokens {
                input: 100 + n % 900,
                output: 10 + n % 4000,
                cache_read: n % 7 * 1000,
                cache_write_5m: n % 3 * 500,
                cache_write_1h: n % 5 * 300,
                web_search_requests: 0,
            },
            tier: if (n / 100) % 2 == 0 {
                Tier::Standard
            } else {
                Tier::Batch
            },
            modifiers: Modifiers::default(),
            stop_reason: None,
            kind: EventKind::Request,
            attribution: Attribution {
                tags: vec![(
                    Arc::clone(&feature),
                    Arc::from(format!("f{}", (n / 200) % 10)),
                )],
                ..Attribution::default()
            },
            iterations: Vec::new(),
            estimate: None,
        });
    }
    let snap = Arc::new(state.snapshot(now(), None));
    let series = snap.counters.as_ref().map_or(0, |c| c.series.len());
    let text = render(&snap, Exposition::Text);
    eprintln!(
        "metrics bench: {series} series per counter, exposition {} KB in {} lines",
        text.len() / 1000,
        text.lines().count()
    );
    let mut group = c.benchmark_group("metrics_render");
    group.sample_size(30);
    group.bench_function("text_2000_series", |b| {
        b.iter(|| render(std::hint::black_box(&snap), Exposition::Text).len());
    });
    group.bench_function("openmetrics_2000_series", |b| {
        b.iter(|| render(std::hint::black_box(&snap), Exposition::OpenMetrics).len());
    });
    group.bench_function("baseline_watch_json_line", |b| {
        b.iter(|| costtop::outputs::watch::json_line(std::hint::black_box(&snap)).len());
    });
    group.finish();
}

const SESSION_EVENTS: u64 = 40_000;

/// The `n`th record of a session (`sessions` of them, records dealt round-robin), a
/// millisecond after the previous one, reading 15,000 cached tokens; with `writes`, writing
/// 3,000 more that nobody reads (each waits for its TTL).
fn session_event(n: u64, sessions: u64, writes: bool) -> UsageEvent {
    UsageEvent {
        alt_key: None,
        key: Some(costtop::usage::request_key(&format!("req_{n}"))),
        rank: 100,
        timestamp: now() + chrono::Duration::milliseconds(n as i64),
        model: Arc::from("claude-opus-4-6"),
        tokens: Tokens {
            input: 1200,
            output: 40 + n % 3000,
            cache_read: 15_000,
            cache_write_5m: if writes { 3_000 } else { 0 },
            ..Tokens::default()
        },
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: None,
        kind: EventKind::Request,
        attribution: Attribution {
            session: Some(Arc::from(format!("session-{}", n % sessions))),
            ..Attribution::default()
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

fn session_length(c: &mut Criterion) {
    let settings = Settings {
        window: Window::All,
        ..Settings::default()
    };
    let mut group = c.benchmark_group("session_length");
    group.throughput(Throughput::Elements(SESSION_EVENTS));
    group.sample_size(10);
    for (name, sessions, writes) in [
        ("one_session_no_writes", 1, false),
        ("one_session_cache_writes", 1, true),
        ("many_sessions_cache_writes", SESSION_EVENTS, true),
    ] {
        let events: Vec<UsageEvent> = (0..SESSION_EVENTS)
            .map(|n| session_event(n, sessions, writes))
            .collect();
        group.bench_function(name, |b| {
            b.iter_batched(
                || State::new(settings.clone()),
                |mut state| {
                    for e in &events {
                        state.ingest(e);
                    }
                    state.stats.counted
                },
                criterion::BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, ingest, render_metrics, session_length);
criterion_main!(benches);
