//! Bytes of heap each further record costs the aggregator in `--window all`, measured as the
//! growth of resident memory (Linux): records of one session per 50, with cache reads and
//! writes, counted into a fresh `State`. `no-key` or `no-session` after the count leaves the
//! dedupe key or the session out, so the difference shows what each holds per record (one
//! variant a process: memory freed by one would be reused by the next).
//!
//! ```sh
//! cargo run --release --example held_bytes -- 1000000 [no-key|no-session]
//! ```

use std::sync::Arc;

use chrono::{DateTime, Duration};
use costtop::aggregate::{Settings, State};
use costtop::time::Window;
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, request_key,
};

/// The process's resident memory in bytes (Linux; 0 elsewhere).
fn resident() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// The `n`th record: a second apart, one session per 50.
fn event(n: u64, keyed: bool, sessions: bool) -> UsageEvent {
    let start = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .expect("time")
        .to_utc();
    UsageEvent {
        alt_key: None,
        key: keyed.then(|| request_key(&format!("req_011CHeld{n:012}"))),
        rank: 100,
        timestamp: start + Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX)),
        model: Arc::from("claude-opus-4-6"),
        tokens: Tokens {
            input: 1200,
            output: 40 + n % 3000,
            cache_read: 15_000 + (n % 50) * 500,
            cache_write_5m: 3_000,
            ..Tokens::default()
        },
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            session: sessions.then(|| Arc::from(format!("session-{:08}", n / 50))),
            ..Attribution::default()
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

/// Heap bytes per record between `n / 2` and `n` records counted.
fn per_record(n: u64, keyed: bool, sessions: bool) -> f64 {
    let mut state = State::new(Settings {
        window: Window::All,
        ..Settings::default()
    });
    let mut half = 0;
    for i in 0..n {
        if i == n / 2 {
            half = resident();
        }
        state.ingest(&event(i, keyed, sessions));
    }
    let full = resident();
    assert_eq!(state.stats.counted, n);
    (full as f64 - half as f64) / (n - n / 2) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let variant = args.get(2).map_or("all", String::as_str);
    let bytes = per_record(n, variant != "no-key", variant != "no-session");
    println!("{{\"records\":{n},\"variant\":\"{variant}\",\"bytes_per_record\":{bytes:.1}}}");
}
