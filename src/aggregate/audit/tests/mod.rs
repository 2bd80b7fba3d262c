//! Each rule of the audit against figures computed by hand from PRICES.md. Models are chosen
//! so that only their input and output prices matter, or their prices are the same in every
//! version of the table (Opus 4.8 5/25, Sonnet 4.6 3/15: 5m write ×1.25, 1h ×2, read ×0.1).

mod caching;

use chrono::{DateTime, TimeZone, Utc};

use super::{AsyncMark, AuditSettings};
use crate::aggregate::{Settings, State};
use crate::pricing::Money;
use crate::snapshot::{AuditSnapshot, Kind, Opportunity};
use crate::time::{Window, Zone};
use crate::usage::{Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent};

pub(super) fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s).unwrap()
}

pub(super) fn usd(x: f64) -> Money {
    Money::from_usd(x)
}

pub(super) fn tokens(input: u64, w5: u64, w1: u64, read: u64, output: u64) -> Tokens {
    Tokens {
        input,
        cache_write_5m: w5,
        cache_write_1h: w1,
        cache_read: read,
        output,
        web_search_requests: 0,
    }
}

/// A request of `feature` (and `session`, if any) on `model`.
pub(super) fn request(
    t: DateTime<Utc>,
    model: &str,
    feature: &str,
    session: Option<&str>,
    tokens: Tokens,
) -> UsageEvent {
    UsageEvent {
        alt_key: None,
        key: None,
        rank: tokens.total(),
        timestamp: t,
        model: model.into(),
        tokens,
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution {
            project: Some("svc".into()),
            session: session.map(Into::into),
            tags: vec![("feature".into(), feature.into())],
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

pub(super) fn state_with(audit: AuditSettings) -> State {
    State::new(Settings {
        zone: Zone::Named(chrono_tz::UTC),
        window: Window::All,
        audit,
        ..Settings::default()
    })
}

pub(super) fn state() -> State {
    state_with(AuditSettings::default())
}

pub(super) fn audit_at(s: &State, now: DateTime<Utc>) -> AuditSnapshot {
    s.snapshot(now, None).audit
}

pub(super) fn find<'a>(a: &'a AuditSnapshot, kind: Kind, group: &str) -> Option<&'a Opportunity> {
    a.opportunities
        .iter()
        .find(|o| o.kind == kind && o.group == group)
}

#[test]
fn short_opus_5_5_requests_are_priced_again_on_sonnet_5_5() {
    let mut s = state();
    // Ten simple requests: 1,000 in × $4/M + 100 out × $20/M = $0.004 + $0.002 = $0.006 each.
    for i in 0..10 {
        s.ingest(&request(
            at(12, i, 0),
            "claude-opus-5-5",
            "classify",
            None,
            tokens(1_000, 0, 0, 0, 100),
        ));
    }
    // One longer answer: $0.004 + 300 × $20/M = $0.010; on Sonnet 5.5 $0.002 + $0.003.
    s.ingest(&request(
        at(12, 30, 0),
        "claude-opus-5-5",
        "classify",
        None,
        tokens(1_000, 0, 0, 0, 300),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    // On Sonnet 5.5 ($2 / $10): $0.002 + $0.001 = $0.003 each: $0.06 → $0.03.
    let simple = find(&a, Kind::SimpleRequests, "classify").expect("routing opportunity");
    assert_eq!(simple.requests, 10);
    assert_eq!(simple.current_usd, usd(0.06));
    assert_eq!(simple.savings_usd, usd(0.03));
    assert_eq!(
        simple.reason,
        "10 classify requests on Opus 5.5 with ≤ 256 output and < 8,000 prompt tokens: $0.0600 → $0.0300 on Sonnet 5.5"
    );
    // The whole group one tier down: $0.07 → $0.035, an alternative not added in.
    let whole = find(&a, Kind::WholeGroupDown, "classify").expect("whole group");
    assert_eq!((whole.requests, whole.savings_usd), (11, usd(0.035)));
    assert!(!whole.in_potential);
    assert_eq!(a.by_lever.routing.savings_usd, usd(0.03));
    assert_eq!(a.total_usd, usd(0.07));
    assert_eq!(a.potential_usd, usd(0.03));
    assert_eq!(a.with_all_levers_usd, usd(0.04));
}

#[test]
fn an_async_marked_feature_saves_exactly_half_its_standard_cost() {
    let audit = AuditSettings {
        async_groups: vec![AsyncMark {
            key: "feature".into(),
            value: "nightly".into(),
        }],
        ..AuditSettings::default()
    };
    let mut s = state_with(audit);
    // Sonnet 4.6: 1,000 in × $3/M + 2,000 out × $15/M = $0.003 + $0.03 = $0.033 each.
    for i in 0..3 {
        s.ingest(&request(
            at(2, i, 0),
            "claude-sonnet-4-6",
            "nightly",
            None,
            tokens(1_000, 0, 0, 0, 2_000),
        ));
    }
    s.ingest(&request(
        at(2, 5, 0),
        "claude-sonnet-4-6",
        "chat",
        None,
        tokens(1_000, 0, 0, 0, 2_000),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    let batch = find(&a, Kind::AsyncStandardTier, "nightly").expect("batch opportunity");
    assert_eq!(batch.current_usd, usd(0.099));
    assert_eq!(batch.savings_usd, usd(0.0495));
    assert_eq!(batch.requests, 3);
    assert!(find(&a, Kind::AsyncStandardTier, "chat").is_none());
    assert_eq!(a.by_lever.batch.savings_usd, usd(0.0495));
    assert_eq!(a.potential_usd, usd(0.0495));
    assert_eq!(a.async_groups, ["feature=nightly"]);
}

#[test]
fn levers_on_the_same_request_are_not_counted_twice() {
    let audit = AuditSettings {
        async_groups: vec!["feature=tags".parse().unwrap()],
        ..AuditSettings::default()
    };
    let mut s = state_with(audit);
    // Opus 5.5, 1,000 in / 100 out: $0.006 now, $0.003 on Sonnet 5.5; async, so the Batch
    // API halves what is left: with all levers $0.003 / 2 = $0.0015, i.e. $0.0045 saved
    // (not the $0.003 + $0.003 the two levers save on their own).
    s.ingest(&request(
        at(12, 0, 0),
        "claude-opus-5-5",
        "tags",
        None,
        tokens(1_000, 0, 0, 0, 100),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    assert_eq!(a.by_lever.routing.savings_usd, usd(0.003));
    assert_eq!(a.by_lever.batch.savings_usd, usd(0.003));
    assert_eq!(a.potential_usd, usd(0.0045));
}

#[test]
fn a_max_tokens_stop_counts_its_cut_off_output() {
    let mut s = state();
    let mut e = request(
        at(12, 0, 0),
        "claude-opus-4-8",
        "agent",
        None,
        tokens(2_000, 0, 0, 0, 4_096),
    );
    e.stop_reason = Some(StopReason::MaxTokens);
    s.ingest(&e);
    // 4,096 out × $25/M = $0.1024 of output; the request is $0.01 + $0.1024.
    let a = audit_at(&s, at(13, 0, 0));
    let stop = find(&a, Kind::MaxTokensStops, "agent").expect("max_tokens stop");
    assert_eq!(stop.requests, 1);
    assert_eq!(stop.current_usd, usd(0.1124));
    assert_eq!(stop.savings_usd, usd(0.1024));
    assert!(
        stop.reason
            .contains("1 agent response on Opus 4.8 stopped at max_tokens"),
        "{}",
        stop.reason
    );
}

#[test]
fn output_above_the_models_p99_is_priced_per_token_above_it() {
    let mut s = state();
    for i in 0..100 {
        s.ingest(&request(
            at(12, 0, i % 60),
            "claude-opus-4-8",
            "chat",
            None,
            tokens(100, 0, 0, 0, 100),
        ));
    }
    s.ingest(&request(
        at(12, 5, 0),
        "claude-opus-4-8",
        "chat",
        None,
        tokens(100, 0, 0, 0, 5_000),
    ));
    // 101 requests: the p99 is the 100th, in the bucket up to 128 tokens. Above it one
    // response of 5,000: (5,000 − 128) × $25/M = $0.1218 of its $0.125 of output.
    let a = audit_at(&s, at(13, 0, 0));
    let tail = find(&a, Kind::AboveP99, "chat").expect("output above p99");
    assert_eq!(tail.requests, 1);
    assert_eq!(tail.current_usd, usd(0.125));
    assert_eq!(tail.savings_usd, usd(0.1218));
    assert!(tail.reason.contains("p99 of 128"), "{}", tail.reason);
}

#[test]
fn an_optimal_workload_has_nothing_to_save() {
    let mut s = state();
    // Haiku (the cheapest tier), small uncached prompts, even outputs, no async marks.
    for i in 0..200 {
        s.ingest(&request(
            at(12, i / 10, i % 60),
            "claude-haiku-4-5",
            "classify",
            None,
            tokens(600, 0, 0, 0, 12),
        ));
    }
    // One answer a few tokens past the p99: 8 × $5/M = $0.00004, under 0.05% of the spend.
    s.ingest(&request(
        at(12, 30, 0),
        "claude-haiku-4-5",
        "classify",
        None,
        tokens(600, 0, 0, 0, 20),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    assert!(a.opportunities.is_empty(), "{:#?}", a.opportunities);
    assert_eq!(a.potential_usd, Money::ZERO);
    assert_eq!(a.with_all_levers_usd, a.total_usd);
    assert!(a.total_usd > Money::ZERO);
    assert!(!a.estimate_note.is_empty());
}

#[test]
fn a_replaced_streamed_copy_takes_its_routing_back() {
    let mut s = state();
    let mut first = request(
        at(12, 0, 0),
        "claude-opus-5-5",
        "chat",
        None,
        tokens(1_000, 0, 0, 0, 10),
    );
    first.key = Some(42);
    first.rank = 1;
    let mut last = first.clone();
    last.tokens.output = 900;
    last.rank = 2;
    s.ingest(&first);
    s.ingest(&last);
    let a = audit_at(&s, at(13, 0, 0));
    assert!(find(&a, Kind::SimpleRequests, "chat").is_none());
    // The final copy only: $0.004 + 900 × $20/M = $0.022 → $0.002 + $0.009 = $0.011.
    let whole = find(&a, Kind::WholeGroupDown, "chat").expect("whole group");
    assert_eq!((whole.requests, whole.savings_usd), (1, usd(0.011)));
}

#[test]
fn unpriced_models_give_no_opportunity_and_are_counted() {
    let mut s = state();
    s.ingest(&request(
        at(12, 0, 0),
        "claude-nova-1",
        "chat",
        None,
        tokens(5_000, 0, 0, 0, 10),
    ));
    s.ingest(&request(
        at(12, 1, 0),
        "claude-nova-1",
        "chat",
        None,
        tokens(5_000, 0, 0, 0, 10),
    ));
    let a = audit_at(&s, at(13, 0, 0));
    assert!(a.opportunities.is_empty());
    assert_eq!(a.skipped.unpriced_requests, 2);
}

#[test]
fn opportunities_follow_the_window() {
    let mut s = state();
    let mut e = request(
        at(9, 0, 0),
        "claude-opus-4-8",
        "agent",
        None,
        tokens(2_000, 0, 0, 0, 4_096),
    );
    e.stop_reason = Some(StopReason::MaxTokens);
    s.ingest(&e);
    s.set_window(Window::Last1h);
    let stops = |now| find(&audit_at(&s, now), Kind::MaxTokensStops, "agent").map(|o| o.requests);
    assert_eq!(stops(at(13, 0, 0)), None);
    assert_eq!(stops(at(9, 30, 0)), Some(1));
}

#[test]
fn old_minutes_fold_into_hours_and_no_figure_changes() {
    let mut s = state();
    // Twelve hours of simple Opus 5.5 requests, one a minute, in three features.
    for h in 0..12 {
        for m in 0..60 {
            let feature = ["classify", "triage", "tag"][(m % 3) as usize];
            s.ingest(&request(
                at(h, m, 0),
                "claude-opus-5-5",
                feature,
                None,
                tokens(1_000, 0, 0, 0, 100),
            ));
        }
    }
    let now = at(12, 0, 0);
    let before = audit_at(&s, now);
    let held_before = s.audit.held().0;
    s.compact(now);
    let after = audit_at(&s, now);
    assert_eq!(
        serde_json::to_value(&before).unwrap(),
        serde_json::to_value(&after).unwrap()
    );
    assert_eq!(after.by_lever.routing.savings_usd, usd(0.003 * 720.0));
    // Ten hours folded into ten slots; the last two hours stay per minute.
    let held_after = s.audit.held().0;
    assert_eq!(held_before, 720);
    assert!(held_after <= 10 + 120, "{held_after} slots held");
}
