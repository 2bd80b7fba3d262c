//! Counting stays linear in the number of records: a long session with cache writes (as every
//! real Claude Code session has) costs about what the same records without writes cost, not a
//! time that grows with the session's length. The ratio is measured in one run; the bound is
//! generous (the bench `otlp` reports the figure: see `benches/otlp.rs`).

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use costtop::aggregate::{Settings, State};
use costtop::time::Window;
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, request_key,
};

const EVENTS: u64 = 40_000;

/// The `n`th request of one session, a millisecond after the previous one, reading the same
/// 15,000 cached tokens; with `writes`, each writes 3,000 more (read by nobody: the session's
/// reads never grow, so every write waits for its TTL).
fn event(n: u64, session: &Arc<str>, model: &Arc<str>, writes: bool) -> UsageEvent {
    let start = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .expect("time")
        .to_utc();
    UsageEvent {
        alt_key: None,
        key: Some(request_key(&format!("req_{n}"))),
        rank: 100,
        timestamp: start + Duration::milliseconds(n as i64),
        model: Arc::clone(model),
        tokens: Tokens {
            input: 1200,
            output: 40 + n % 3000,
            cache_read: 15_000,
            cache_write_5m: if writes { 3_000 } else { 0 },
            ..Tokens::default()
        },
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            project: None,
            session: Some(Arc::clone(session)),
            tags: Vec::new(),
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

/// Seconds to count `EVENTS` records into a fresh state (window: all): of one session, or
/// each of a session of its own (`many`: 40,000 sessions in 40 s, so in one minute).
fn count(writes: bool, many: bool) -> f64 {
    let session: Arc<str> = "239f9f22-6bef-46d5-b40e-e46900c78d1d".into();
    let model: Arc<str> = "claude-opus-4-6".into();
    let events: Vec<UsageEvent> = (0..EVENTS)
        .map(|n| {
            let own: Arc<str> = format!("session-{n}").into();
            event(n, if many { &own } else { &session }, &model, writes)
        })
        .collect();
    let mut state = State::new(Settings {
        window: Window::All,
        ..Settings::default()
    });
    let started = Instant::now();
    for e in &events {
        state.ingest(e);
    }
    let took = started.elapsed().as_secs_f64();
    assert_eq!(state.stats.counted, EVENTS);
    let snap = state.snapshot(Utc::now(), None);
    assert_eq!(snap.totals.requests, EVENTS);
    took
}

#[test]
fn a_long_session_with_cache_writes_counts_about_as_fast_as_one_without() {
    // Warm up allocations and price lookups once.
    let _ = count(false, false);
    let without = count(false, false);
    let with = count(true, false);
    let ratio = with / without;
    eprintln!(
        "{EVENTS} events of one session: {without:.3} s without cache writes, {with:.3} s with ({ratio:.2}×)"
    );
    assert!(
        ratio < 4.0,
        "cache writes made counting {ratio:.1}× slower ({with:.2} s against {without:.2} s): something grows with the session"
    );
}

#[test]
fn many_sessions_in_one_minute_count_about_as_fast_as_one() {
    let _ = count(false, false);
    let one = count(false, false);
    let many = count(true, true);
    let ratio = many / one;
    eprintln!(
        "{EVENTS} events: {one:.3} s in one session without writes, {many:.3} s in {EVENTS} sessions with writes ({ratio:.2}×)"
    );
    // A scan of the minute's audit cells per record made this 26× in a debug build (56× in
    // the release bench: quadratic in the sessions of one minute); indexed, about 2×.
    assert!(
        ratio < 15.0,
        "{EVENTS} sessions made counting {ratio:.1}× slower ({many:.2} s against {one:.2} s): something grows with the sessions of a minute"
    );
}
