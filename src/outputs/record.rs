//! `--record FILE`: appends every usage record the sources deliver to FILE as JSON lines in the
//! application usage-log format, so a live session can be replayed exactly later.
//!
//! The recorder sits between the sources and the aggregator (a tee on the bounded channel), so
//! it sees exactly the records the aggregator counts, in the same order.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::aggregate::SOURCE_CHANNEL_CAPACITY;
use crate::sources::SourceMsg;
use crate::usage::{EventKind, StopReason, UsageEvent};

/// One record as an application usage-log line (without the newline).
pub fn record_line(e: &UsageEvent) -> String {
    let t = &e.tokens;
    let mut usage = json!({
        "input_tokens": t.input,
        "output_tokens": t.output,
        "cache_creation_input_tokens": t.cache_write_5m + t.cache_write_1h,
        "cache_read_input_tokens": t.cache_read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": t.cache_write_5m,
            "ephemeral_1h_input_tokens": t.cache_write_1h,
        },
        "service_tier": e.tier.as_str(),
    });
    if t.web_search_requests > 0 {
        usage["server_tool_use"] = json!({ "web_search_requests": t.web_search_requests });
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
        "timestamp": e.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "model": &*e.model,
        "usage": usage,
    });
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
    }
    if e.modifiers.long_context {
        line["context_window"] = json!("200k-1M");
    }
    if !tags.is_empty() {
        line["tags"] = Value::Object(tags);
    }
    line.to_string()
}

/// Opens FILE for appending and returns the sender sources should use; every message is
/// written (events only) and then passed on to `downstream`.
pub fn spawn_recorder(
    path: &Path,
    downstream: mpsc::Sender<SourceMsg>,
) -> std::io::Result<mpsc::Sender<SourceMsg>> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut out = BufWriter::new(file);
    let (tx, mut rx) = mpsc::channel::<SourceMsg>(SOURCE_CHANNEL_CAPACITY);
    let name = path.display().to_string();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if let SourceMsg::Events(events) = &msg {
                let written = events
                    .iter()
                    .try_for_each(|e| writeln!(out, "{}", record_line(e)))
                    .and_then(|()| out.flush());
                if let Err(e) = written {
                    tracing::error!("--record {name}: {e}");
                }
            }
            if downstream.send(msg).await.is_err() {
                break;
            }
        }
    });
    Ok(tx)
}
