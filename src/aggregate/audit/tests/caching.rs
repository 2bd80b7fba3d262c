//! The caching rules against figures computed by hand (Sonnet 4.6 3/15 and Opus 4.8 5/25:
//! 5-minute writes ×1.25, 1-hour ×2, reads ×0.1 of input).

use super::{at, audit_at, find, request, state, tokens, usd};
use crate::snapshot::Kind;

#[test]
fn a_5_minute_write_never_read_within_5_minutes_costs_its_premium() {
    let mut s = state();
    // Sonnet 4.6: 10,000 tokens written for 5 minutes at $3.75/M = $0.0375, of which
    // 10,000 × ($3.75 − $3)/M = $0.0075 is the premium over plain input.
    s.ingest(&request(
        at(12, 0, 0),
        "claude-sonnet-4-6",
        "late",
        Some("s1"),
        tokens(10, 10_000, 0, 0, 50),
    ));
    // Read back only after six minutes: too late.
    s.ingest(&request(
        at(12, 6, 0),
        "claude-sonnet-4-6",
        "late",
        Some("s1"),
        tokens(10, 0, 0, 10_000, 50),
    ));
    // Another session reads its write after four minutes: no opportunity.
    s.ingest(&request(
        at(12, 0, 0),
        "claude-sonnet-4-6",
        "prompt",
        Some("s2"),
        tokens(10, 10_000, 0, 0, 50),
    ));
    s.ingest(&request(
        at(12, 4, 0),
        "claude-sonnet-4-6",
        "prompt",
        Some("s2"),
        tokens(10, 0, 0, 10_000, 50),
    ));
    // A write without a session cannot be followed: skipped, and said so.
    s.ingest(&request(
        at(12, 1, 0),
        "claude-sonnet-4-6",
        "nosession",
        None,
        tokens(10, 5_000, 0, 0, 50),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    let never = find(&a, Kind::WritesNeverRead, "late").expect("unread write");
    assert_eq!(never.requests, 1);
    assert_eq!(never.current_usd, usd(0.0375));
    assert_eq!(never.savings_usd, usd(0.0075));
    assert!(find(&a, Kind::WritesNeverRead, "prompt").is_none());
    assert!(find(&a, Kind::WritesNeverRead, "nosession").is_none());
    assert_eq!(a.skipped.writes_without_session, 1);
    assert!(
        a.by_lever
            .caching
            .note
            .as_deref()
            .unwrap_or("")
            .contains("no session")
    );
    assert_eq!(a.by_lever.caching.savings_usd, usd(0.0075));
}

#[test]
fn a_1_hour_write_read_only_within_5_minutes_would_do_as_a_5_minute_write() {
    let mut s = state();
    // Opus 4.8: 20,000 tokens written for 1 hour at $10/M = $0.20; as 5-minute writes
    // $6.25/M = $0.125: $0.075 saved. Read at +3 and +6 minutes, 3 minutes apart.
    let opus = "claude-opus-4-8";
    s.ingest(&request(
        at(12, 0, 0),
        opus,
        "agent",
        Some("a"),
        tokens(5, 0, 20_000, 0, 100),
    ));
    s.ingest(&request(
        at(12, 3, 0),
        opus,
        "agent",
        Some("a"),
        tokens(5, 0, 0, 20_000, 100),
    ));
    s.ingest(&request(
        at(12, 6, 0),
        opus,
        "agent",
        Some("a"),
        tokens(5, 0, 0, 20_000, 100),
    ));
    // A session that comes back after 20 minutes needed the hour.
    s.ingest(&request(
        at(12, 0, 0),
        opus,
        "slow",
        Some("b"),
        tokens(5, 0, 20_000, 0, 100),
    ));
    s.ingest(&request(
        at(12, 20, 0),
        opus,
        "slow",
        Some("b"),
        tokens(5, 0, 0, 20_000, 100),
    ));
    // Before the hour is over nothing is decided yet.
    let early = audit_at(&s, at(12, 30, 0));
    assert!(find(&early, Kind::OneHourWrites, "agent").is_none());
    let a = audit_at(&s, at(13, 30, 0));
    let hour = find(&a, Kind::OneHourWrites, "agent").expect("1 h where 5 min would do");
    assert_eq!(hour.requests, 1);
    assert_eq!(hour.current_usd, usd(0.20));
    assert_eq!(hour.savings_usd, usd(0.075));
    assert!(find(&a, Kind::OneHourWrites, "slow").is_none());
    assert!(find(&a, Kind::WritesNeverRead, "slow").is_none());
}

#[test]
fn uncached_repeats_within_5_minutes_could_be_read_from_the_cache() {
    let mut s = state();
    // Sonnet 4.6, 2,000 uncached tokens every 2 minutes. The 2nd: read instead of input
    // saves 2,000 × ($3 − $0.30)/M = $0.0054, less the first write's premium 2,000 ×
    // $0.75/M = $0.0015: $0.0039. The 3rd: $0.0054. The 4th comes 10 minutes later: alone.
    for m in [0, 2, 4, 14] {
        s.ingest(&request(
            at(12, m, 0),
            "claude-sonnet-4-6",
            "email",
            None,
            tokens(2_000, 0, 0, 0, 100),
        ));
    }
    let a = audit_at(&s, at(13, 0, 0));
    let repeats = find(&a, Kind::UncachedRepeats, "email").expect("uncached repeats");
    assert_eq!(repeats.requests, 2);
    assert_eq!(repeats.savings_usd, usd(0.0093));
    assert_eq!(repeats.current_usd, usd(0.012));
}

#[test]
fn idle_sessions_are_dropped_once_their_horizon_is_over() {
    let mut s = state();
    // One request per second, each its own session with a 5-minute write that nobody reads.
    let n: u32 = 40_000;
    let start = at(0, 0, 0);
    for i in 0..n {
        let session = format!("s{i}");
        let t = start + chrono::Duration::seconds(i64::from(i));
        s.ingest(&request(
            t,
            "claude-sonnet-4-6",
            "chat",
            Some(&session),
            tokens(10, 1_000, 0, 0, 50),
        ));
    }
    let (_, threads) = s.audit.held();
    assert!(threads < 15_000, "{threads} threads held for {n} sessions");
    // Dropped or not, every unread write is counted once.
    let a = audit_at(&s, start + chrono::Duration::days(1));
    let never = find(&a, Kind::WritesNeverRead, "chat").expect("unread writes");
    assert_eq!(never.requests, u64::from(n));
}
