//! A fleet of OTLP senders against a real `costtop serve`: Claude Code `api_request` events
//! (one session every `--per-session` records, each with cache reads and writes) posted by
//! `--senders` concurrent clients, each on its own keep-alive connection, as fast as the
//! listener takes them. Event times advance `--rate` records per second of event time and
//! end now, so `--events 60480000 --rate 100` is a week of a fleet at 100 requests/s.
//!
//! Prints the ingest rate, POST latency percentiles, the server's resident memory (sampled
//! every `--sample` seconds, then its peak) and the memory each further record costs, as one
//! JSON object on the last line. Starts `costtop serve --window all` itself (the release
//! binary, or `--bin`), so it can read the process's memory:
//!
//! ```sh
//! cargo build --release && cargo run --release --example otlp_load -- --events 1000000
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;

#[derive(Parser, Debug)]
struct Args {
    /// Records to send.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Concurrent senders (one connection each).
    #[arg(long, default_value_t = 32)]
    senders: u64,
    /// Records per POST.
    #[arg(long, default_value_t = 100)]
    batch: u64,
    /// Records per session (a new `session.id` after each run of this many).
    #[arg(long, default_value_t = 50)]
    per_session: u64,
    /// Records per second of event time (the records end now).
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Send JSON instead of protobuf.
    #[arg(long)]
    json: bool,
    /// Leave cache writes out (every record still reads the cache).
    #[arg(long)]
    no_writes: bool,
    /// Cache reads that never grow: no write is ever read, so each waits out its TTL (the
    /// audit's worst case).
    #[arg(long)]
    unread: bool,
    /// Seconds between two memory samples.
    #[arg(long, default_value_t = 5)]
    sample: u64,
    /// The costtop binary.
    #[arg(long, default_value = "target/release/costtop")]
    bin: String,
    /// Send to a costtop already listening here instead (`--pid`: its process, for memory).
    #[arg(long)]
    addr: Option<String>,
    /// The process listening at `--addr`.
    #[arg(long, default_value_t = 0)]
    pid: u32,
}

fn text(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..KeyValue::default()
    }
}

fn int(key: &str, value: u64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(value as i64)),
        }),
        ..KeyValue::default()
    }
}

/// The `n`th record of the run: session `n / per_session`, `at` nanoseconds since the epoch.
fn record(n: u64, at: u64, args: &Args) -> LogRecord {
    let session = n / args.per_session;
    let step = n % args.per_session;
    let writes = if args.no_writes { 0 } else { 2_000 + n % 3_000 };
    LogRecord {
        time_unix_nano: at,
        observed_time_unix_nano: at,
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(
                "claude_code.api_request".into(),
            )),
        }),
        attributes: vec![
            text("user.id", format!("user-{:04}", session % 500)),
            text(
                "session.id",
                format!("{session:08x}-6bef-46d5-b40e-e46900c78d1d"),
            ),
            text("event.name", "api_request"),
            text(
                "model",
                ["claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5"]
                    [(session % 3) as usize],
            ),
            int("input_tokens", 3 + n % 500),
            int("output_tokens", 40 + n % 3_000),
            // The context grows through the session: each request reads what the last wrote.
            int(
                "cache_read_tokens",
                if args.unread {
                    15_000
                } else {
                    12_000 + step * 2_500
                },
            ),
            int("cache_creation_tokens", writes),
            KeyValue {
                key: "cost_usd".into(),
                value: Some(AnyValue {
                    value: Some(any_value::Value::DoubleValue(
                        0.01 + (n % 1_000) as f64 / 10_000.0,
                    )),
                }),
                ..KeyValue::default()
            },
            text("request_id", format!("req_011CLoad{n:014}")),
            int("duration_ms", 900 + n % 4_000),
        ],
        ..LogRecord::default()
    }
}

/// One POST's body: records `first..first + count`, from the resource of `sender`.
fn payload(first: u64, count: u64, sender: u64, start_ns: u64, args: &Args) -> Vec<u8> {
    let step_ns = 1_000_000_000 / args.rate.max(1);
    let records = (first..first + count)
        .map(|n| record(n, start_ns + n * step_ns, args))
        .collect();
    let req = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![
                    text("service.name", "claude-code"),
                    text("host.name", format!("laptop-{sender}")),
                ],
                ..Resource::default()
            }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope {
                    name: "com.anthropic.claude_code.events".into(),
                    ..InstrumentationScope::default()
                }),
                log_records: records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    };
    if args.json {
        serde_json::to_vec(&req).unwrap_or_default()
    } else {
        req.encode_to_vec()
    }
}

/// `costtop serve` on a free loopback port; its address.
fn serve(bin: &str) -> (Child, String) {
    let home = std::env::temp_dir().join(format!("costtop-load-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--window",
            "all",
            "--since",
            "2000-01-01",
        ])
        .env("HOME", &home)
        .env("CLAUDE_CONFIG_DIR", home.join("none"))
        .env("COSTTOP_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e} (cargo build --release first, or --bin)"));
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .and_then(Result::ok)
            .expect("costtop serve starts");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap_or("").to_string();
        }
    };
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn counted(client: &reqwest::Client, addr: &str) -> (u64, u64) {
    let Ok(r) = client
        .get(format!("http://{addr}/api/v1/snapshot"))
        .send()
        .await
    else {
        return (0, 0);
    };
    let v: serde_json::Value = r.json().await.unwrap_or_default();
    let lines = v["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "otlp"))
        .and_then(|s| s["lines"].as_u64())
        .unwrap_or(0);
    (v["totals"]["requests"].as_u64().unwrap_or(0), lines)
}

#[tokio::main]
async fn main() {
    let args = Arc::new(Args::parse());
    let (mut child, addr) = if let Some(addr) = &args.addr {
        (None, addr.clone())
    } else {
        let (child, addr) = serve(&args.bin);
        (Some(child), addr)
    };
    let pid = child.as_ref().map_or(args.pid, Child::id);
    let start_ns = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos() as u64;
        now - args.events * (1_000_000_000 / args.rate.max(1)) - 60_000_000_000
    };
    let rss_idle = status_kb(pid, "VmRSS:");
    let batches = args.events.div_ceil(args.batch);
    let next = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for sender in 0..args.senders {
        let (args, next, sent, addr) = (
            Arc::clone(&args),
            Arc::clone(&next),
            Arc::clone(&sent),
            addr.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(120))
                .build()
                .expect("client");
            let url = format!("http://{addr}/v1/logs");
            let content_type = if args.json {
                "application/json"
            } else {
                "application/x-protobuf"
            };
            let mut latencies = Vec::new();
            let mut failures = 0_u64;
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= batches {
                    break;
                }
                let first = b * args.batch;
                let count = args.batch.min(args.events - first);
                let body = payload(first, count, sender, start_ns, &args);
                let began = Instant::now();
                let ok = client
                    .post(&url)
                    .header("Content-Type", content_type)
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                latencies.push(began.elapsed());
                if ok {
                    sent.fetch_add(count, Ordering::Relaxed);
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    // Memory while the senders run.
    let sampler = {
        let (sent, sample) = (Arc::clone(&sent), args.sample);
        let events = args.events;
        tokio::spawn(async move {
            let mut tenth: Option<(u64, u64)> = None;
            loop {
                tokio::time::sleep(Duration::from_secs(sample)).await;
                let (n, rss) = (sent.load(Ordering::Relaxed), status_kb(pid, "VmRSS:"));
                eprintln!(
                    "{:>7.1} s  {n:>10} sent  RSS {:>8} KiB",
                    t0.elapsed().as_secs_f64(),
                    rss
                );
                if tenth.is_none() && n >= events / 10 {
                    tenth = Some((n, rss));
                }
                if n >= events {
                    return tenth;
                }
            }
        })
    };
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("sender");
        latencies.extend(l);
        failures += f;
    }
    let posted = t0.elapsed();
    let client = reqwest::Client::new();
    let sent = sent.load(Ordering::Relaxed);
    let (requests, lines) = loop {
        let (requests, lines) = counted(&client, &addr).await;
        if (requests >= sent && lines >= sent) || t0.elapsed() > posted + Duration::from_secs(120) {
            break (requests, lines);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let all_counted = t0.elapsed();
    let tenth = sampler.await.ok().flatten();
    let rss_end = status_kb(pid, "VmRSS:");
    let peak = status_kb(pid, "VmHWM:");
    if let Some(child) = &mut child {
        let _ = child.kill();
        let _ = child.wait();
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let growth = tenth.map(|(n, rss)| {
        (rss_end.saturating_sub(rss) * 1024) as f64 / (sent.saturating_sub(n)).max(1) as f64
    });
    let summary = serde_json::json!({
        "events": args.events,
        "senders": args.senders,
        "batch": args.batch,
        "encoding": if args.json { "json" } else { "protobuf" },
        "cache_writes": !args.no_writes,
        "sent": sent,
        "failed_posts": failures,
        "counted": requests,
        "receiver_lines": lines,
        "seconds_to_post": posted.as_secs_f64(),
        "seconds_to_count": all_counted.as_secs_f64(),
        "events_per_second": sent as f64 / all_counted.as_secs_f64(),
        "post_ms": { "p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0) },
        "rss_kib": { "idle": rss_idle, "end": rss_end, "peak": peak },
        "bytes_per_record_held": (rss_end.saturating_sub(rss_idle) * 1024) as f64 / sent.max(1) as f64,
        "bytes_per_further_record": growth,
    });
    println!("{summary}");
}
