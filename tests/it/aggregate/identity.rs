//! One request, two ids, every source (DESIGN.md §12): copies that name the message id, the
//! request id or both are one record; the most complete copy's figures win and the tags,
//! project and session it lacks come from the others.

use chrono::{DateTime, TimeZone, Utc};
use costtop::aggregate::{Settings, State};
use costtop::pricing::{PriceTable, price};
use costtop::snapshot::{GroupBy, Snapshot};
use costtop::time::{Window, Zone};
use costtop::usage::{StopReason, Tokens, UsageEvent, message_key, request_key};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
}

fn tokens(write_1h: u64) -> Tokens {
    Tokens {
        input: 12,
        cache_write_5m: 300 - write_1h,
        cache_write_1h: write_1h,
        cache_read: 4000,
        output: 55,
        web_search_requests: 0,
    }
}

fn copy(key: Option<u64>, alt: Option<u64>, rank_of: Tokens, whole: bool) -> UsageEvent {
    UsageEvent {
        key,
        alt_key: alt,
        rank: if whole {
            rank_of.total() * 2 + 1
        } else {
            rank_of.total()
        },
        stop_reason: Some(StopReason::Other),
        ..UsageEvent::request(at(), "claude-sonnet-4-6", rank_of)
    }
}

fn tagged(mut e: UsageEvent, key: &str, value: &str) -> UsageEvent {
    e.attribution.tags.push((key.into(), value.into()));
    e.attribution.tags.sort();
    e
}

fn state() -> State {
    State::new(Settings {
        zone: "UTC".parse::<Zone>().unwrap(),
        window: Window::All,
        ..Settings::default()
    })
}

fn rows(s: &State, by: &GroupBy) -> Vec<(String, u64)> {
    let snap: Snapshot = s.snapshot(at(), Some(by));
    snap.groups
        .iter()
        .flat_map(|g| {
            g.rows
                .iter()
                .map(|r| (format!("{}={}", g.by, r.key), r.totals.requests))
        })
        .collect()
}

#[test]
fn a_log_a_span_and_a_telemetry_event_of_one_request_count_once_with_merged_tags() {
    let (msg, req) = (message_key("msg_01A"), request_key("req_01A"));
    let mut s = state();
    // An OpenLLMetry span (message id, no TTL split, a feature tag) …
    s.ingest(&tagged(
        copy(Some(msg), None, tokens(0), false),
        "feature",
        "search",
    ));
    // … the SDK's span (both ids, the split, a team tag) replaces it …
    s.ingest(&tagged(
        copy(Some(req), Some(msg), tokens(200), true),
        "team",
        "care",
    ));
    // … Claude Code-style telemetry (request id only, no split) and an application log
    // (message id only, split) are duplicates.
    s.ingest(&copy(Some(req), None, tokens(0), false));
    s.ingest(&tagged(
        copy(Some(msg), None, tokens(200), true),
        "feature",
        "other",
    ));
    let snap = s.snapshot(at(), None);
    assert_eq!(snap.totals.requests, 1);
    // At the price of the copy with the 1-hour writes.
    let table = PriceTable::embedded();
    let whole = price(&table, &copy(None, None, tokens(200), true))
        .unwrap()
        .total;
    assert_eq!(snap.totals.cost, whole);
    assert_eq!(s.stats.duplicates, 2);
    // The winner's tags, and the feature it lacked from the first copy (not the later one).
    let by_feature = rows(&s, &GroupBy::Tag("feature".into()));
    assert!(
        by_feature.contains(&("tag:feature=search".into(), 1)),
        "{by_feature:?}"
    );
    let by_team = rows(&s, &GroupBy::Tag("team".into()));
    assert!(
        by_team.contains(&("tag:team=care".into(), 1)),
        "{by_team:?}"
    );
}

#[test]
fn a_forked_copy_never_takes_the_request_from_the_session_that_made_it() {
    let key = Some(request_key("req_01F"));
    let alt = Some(message_key("msg_01F"));
    let mut original = copy(key, alt, tokens(100), true);
    original.attribution.session = Some("parent".into());
    let mut forked = original.clone();
    forked.attribution.session = Some("fork".into());
    forked.rank -= 1; // as the reader ranks a line dated before its file's start
    for order in [[&original, &forked], [&forked, &original]] {
        let mut s = state();
        for e in order {
            s.ingest(e);
        }
        let sessions = rows(&s, &GroupBy::Session);
        assert!(
            sessions.contains(&("session=parent".into(), 1)),
            "{sessions:?}"
        );
        assert!(
            !sessions.iter().any(|(k, n)| k == "session=fork" && *n > 0),
            "{sessions:?}"
        );
    }
}
