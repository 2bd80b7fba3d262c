//! The aggregator's state: dedupe with replacement, pricing into rollups, windows, alarms.

use chrono::{DateTime, Duration, TimeZone, Utc};
use costtop::aggregate::{Settings, State};
use costtop::budget::Budget;
use costtop::pricing::Money;
use costtop::time::{Period, Window, Zone};
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, dedupe_key,
};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
}

fn request(key: &str, model: &str, t: DateTime<Utc>, input: u64, output: u64) -> UsageEvent {
    let tokens = Tokens {
        input,
        output,
        ..Tokens::default()
    };
    UsageEvent {
        alt_key: None,
        key: Some(dedupe_key(&[key.as_bytes()])),
        rank: tokens.total() * 2 + 1,
        timestamp: t,
        model: model.into(),
        tokens,
        tier: Tier::Standard,
        modifiers: Modifiers::default(),
        stop_reason: Some(StopReason::Other),
        kind: EventKind::Request,
        attribution: Attribution::default(),
        iterations: Vec::new(),
        estimate: None,
    }
}

fn state() -> State {
    State::new(Settings {
        zone: "UTC".parse::<Zone>().unwrap(),
        window: Window::All,
        ..Settings::default()
    })
}

#[test]
fn streamed_duplicate_keeps_largest_output() {
    let mut s = state();
    let mut early = request("msg_1/req_1", "claude-sonnet-4-6", at(10, 0), 1000, 1);
    early.rank = early.tokens.total() * 2;
    early.stop_reason = None;
    s.ingest(&early);
    s.ingest(&early.clone());
    s.ingest(&request(
        "msg_1/req_1",
        "claude-sonnet-4-6",
        at(10, 1),
        1000,
        412,
    ));
    let snap = s.snapshot(at(10, 5), None);
    assert_eq!(snap.totals.requests, 1);
    assert_eq!(snap.totals.output_tokens, 412);
    // 1000 × $3/M + 412 × $15/M = $0.003 + $0.00618.
    assert_eq!(snap.totals.cost, Money::from_usd(0.009_18));
    assert_eq!(snap.output_tokens.max, 412);
    assert_eq!(
        snap.output_tokens
            .buckets
            .iter()
            .map(|b| b.count)
            .sum::<u64>(),
        1
    );
}

#[test]
fn smaller_copy_after_complete_record_is_ignored() {
    let mut s = state();
    s.ingest(&request("k", "claude-haiku-4-5", at(10, 0), 10, 500));
    let mut resumed = request("k", "claude-haiku-4-5", at(10, 0), 10, 500);
    resumed.attribution.session = Some("another-session".into());
    s.ingest(&resumed);
    s.ingest(&request("k", "claude-haiku-4-5", at(10, 0), 10, 3));
    let snap = s.snapshot(at(11, 0), None);
    assert_eq!(snap.totals.requests, 1);
    assert_eq!(snap.totals.output_tokens, 500);
    assert_eq!(s.stats.duplicates, 2);
}

#[test]
fn revised_api_bucket_replaces_the_earlier_one() {
    let mut s = state();
    let mut bucket = request(
        "admin/14:00/sonnet",
        "claude-sonnet-4-5",
        at(14, 0),
        1000,
        100,
    );
    bucket.kind = EventKind::Bucket;
    bucket.rank = 1;
    s.ingest(&bucket);
    bucket.tokens.input = 1500;
    bucket.rank = 2;
    s.ingest(&bucket);
    let snap = s.snapshot(at(15, 0), None);
    assert_eq!(snap.totals.input_tokens, 1500);
    assert_eq!(snap.totals.requests, 0, "API buckets are not requests");
}

#[test]
fn unknown_model_is_counted_but_not_priced_and_raises_an_alarm() {
    let mut s = state();
    s.ingest(&request("a", "claude-mystery-1", at(9, 0), 100, 50));
    s.ingest(&request("b", "claude-haiku-4-5", at(9, 0), 1_000_000, 0));
    s.evaluate_alarms(at(9, 1));
    let snap = s.snapshot(at(9, 1), None);
    assert_eq!(snap.totals.cost, Money::from_usd(1.0));
    assert_eq!(snap.totals.requests, 2);
    assert_eq!(snap.unpriced_models.len(), 1);
    assert_eq!(snap.unpriced_models[0].model, "claude-mystery-1");
    assert_eq!(snap.unpriced_models[0].tokens, 150);
    assert!(
        snap.by_model
            .iter()
            .any(|m| m.model == "claude-mystery-1" && !m.priced)
    );
    assert!(snap.alarms.iter().any(|a| a.kind == "unpriced_model"));
}

#[test]
fn a_model_newer_than_the_table_leaves_a_lower_bound_total() {
    // claude-opus-6 is not in the table, and is never priced as claude-opus-5 or -5-5.
    let mut s = state();
    s.ingest(&request("a", "claude-opus-6", at(9, 0), 1_000_000, 0));
    s.ingest(&request("b", "claude-opus-5-5", at(9, 0), 1_000_000, 0));
    s.ingest(&request("c", "claude-opus-5", at(9, 0), 1_000_000, 0));
    let snap = s.snapshot(at(9, 1), None);
    // $4 + $5: only the two priced requests.
    assert_eq!(snap.totals.cost, Money::from_usd(9.0));
    assert_eq!(snap.totals.unpriced_requests, 1);
    assert!(snap.totals.cost_is_lower_bound);
    assert_eq!(snap.prices_checked, "2026-12-01");
    let priced = state().snapshot(at(9, 1), None);
    assert!(!priced.totals.cost_is_lower_bound);
}

#[test]
fn failed_batch_results_count_as_requests_at_no_cost() {
    let mut s = state();
    let mut ok = request("b1", "claude-haiku-4-5", at(9, 0), 1_000_000, 0);
    ok.tier = Tier::Batch;
    let mut failed = request("b2", "", at(9, 0), 0, 0);
    failed.tier = Tier::Batch;
    failed.kind = EventKind::FailedRequest;
    s.ingest(&ok);
    s.ingest(&failed);
    s.ingest(&request("s1", "claude-haiku-4-5", at(9, 0), 500_000, 0));
    let snap = s.snapshot(at(9, 30), None);
    assert_eq!(snap.totals.requests, 3);
    assert_eq!(snap.batch.requests, 2);
    assert_eq!(snap.batch.cost, Money::from_usd(0.5));
    assert_eq!(snap.batch.savings, Money::from_usd(0.5));
    assert!((snap.batch.share_of_cost - 0.5).abs() < 1e-12);
    assert!(snap.by_model.iter().all(|m| !m.model.is_empty()));
}

#[test]
fn today_window_excludes_yesterday_and_all_includes_it() {
    let mut s = state();
    s.ingest(&request(
        "y",
        "claude-haiku-4-5",
        at(10, 0) - Duration::days(1),
        1_000_000,
        0,
    ));
    s.ingest(&request("t", "claude-haiku-4-5", at(10, 0), 2_000_000, 0));
    s.set_window(Window::Today);
    assert_eq!(
        s.snapshot(at(12, 0), None).totals.cost,
        Money::from_usd(2.0)
    );
    s.set_window(Window::All);
    assert_eq!(
        s.snapshot(at(12, 0), None).totals.cost,
        Money::from_usd(3.0)
    );
    s.set_window(Window::Last1h);
    assert_eq!(s.snapshot(at(12, 0), None).totals.cost, Money::ZERO);
}

#[test]
fn day_budget_warns_then_exceeds_once_each() {
    let mut s = State::new(Settings {
        zone: "UTC".parse::<Zone>().unwrap(),
        budgets: vec![Budget::simple(Period::Day, 10.0)],
        ..Settings::default()
    });
    // $1 per request (1M Haiku 4.5 input tokens).
    let mut n = 0;
    let mut spend = |s: &mut State, minute: u32, dollars: u32| {
        for _ in 0..dollars {
            n += 1;
            s.ingest(&request(
                &format!("r{n}"),
                "claude-haiku-4-5",
                at(12, minute),
                1_000_000,
                0,
            ));
        }
    };
    spend(&mut s, 0, 7);
    s.evaluate_alarms(at(12, 0));
    assert!(
        s.snapshot(at(12, 0), None)
            .alarms
            .iter()
            .all(|a| a.kind != "budget_warn")
    );
    spend(&mut s, 1, 1);
    for m in 1..5 {
        s.evaluate_alarms(at(12, m));
    }
    let snap = s.snapshot(at(12, 5), None);
    assert_eq!(snap.budgets[0].state, "warn");
    assert_eq!(
        snap.alarm_log
            .iter()
            .filter(|e| e.kind == "budget_warn")
            .count(),
        1
    );
    spend(&mut s, 6, 2);
    for m in 6..30 {
        s.evaluate_alarms(at(12, m));
    }
    let snap = s.snapshot(at(12, 30), None);
    assert_eq!(snap.budgets[0].state, "exceeded");
    let raised: Vec<_> = snap
        .alarm_log
        .iter()
        .filter(|e| e.transition == "raised")
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(
        raised.iter().filter(|k| **k == "budget_exceeded").count(),
        1
    );
    assert_eq!(raised.iter().filter(|k| **k == "budget_warn").count(), 1);
    assert!(
        snap.alarms
            .iter()
            .any(|a| a.kind == "budget_exceeded" && a.since == at(12, 6))
    );
}

#[test]
fn spend_over_long_spans_matches_the_sum_of_its_parts() {
    // Records scattered over three days; a month budget sums whole hours plus ragged ends.
    let mut s = State::new(Settings {
        zone: "UTC".parse::<Zone>().unwrap(),
        budgets: vec![Budget::simple(Period::Month, 1_000.0)],
        ..Settings::default()
    });
    let mut expected = 0.0;
    for i in 0..200u32 {
        let t = at(0, 0) + Duration::minutes(i64::from(i) * 23 + 7);
        s.ingest(&request(
            &format!("k{i}"),
            "claude-haiku-4-5",
            t,
            1_000_000,
            0,
        ));
        expected += 1.0;
    }
    let now = at(0, 0) + Duration::minutes(199 * 23 + 7 + 10);
    let snap = s.snapshot(now, None);
    assert!((snap.budgets[0].spent_usd - expected).abs() < 1e-9);
    // The last 15 minutes hold exactly one record ($1): $4/h.
    assert!(
        (snap.burn_rate_usd_per_hour - 4.0).abs() < 1e-9,
        "{}",
        snap.burn_rate_usd_per_hour
    );
}

/// A burst this morning after a quiet month: the month's projection runs today on at the
/// last hour's rate, like today's projection, so it is never the smaller of the two.
#[test]
fn month_projection_contains_today_projection() {
    let mut s = state();
    // Earlier this month: $1 (haiku-4-5 output at $5/M: 200k tokens).
    s.ingest(&request(
        "old",
        "claude-haiku-4-5",
        at(0, 0) - Duration::days(5),
        0,
        200_000,
    ));
    // The last hour: $10 (Sonnet 4.5 at $15/M output: 666,667 tokens ≈ $10.0000005).
    s.ingest(&request(
        "burst",
        "claude-sonnet-4-5",
        at(9, 30),
        0,
        666_667,
    ));
    let spend = s.snapshot(at(10, 0), None).spend;
    let month_before_today = spend.month - spend.today;
    assert_eq!(month_before_today, Money::from_usd(1.0));
    // 14 hours left today at $10/h.
    assert!(
        (spend.projected_today.usd() - 150.0).abs() < 0.01,
        "{spend:?}"
    );
    assert!(
        spend.projected_month >= spend.projected_today + month_before_today,
        "{spend:?}"
    );
}
