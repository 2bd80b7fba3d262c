//! The comparison through the aggregator's front door (records in, snapshot out), each with
//! figures computed by hand from PRICES.md: one lever per feature shows as its own effect,
//! the effects add up exactly, and swapping A and B negates every one of them.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::CompareSpec;
use crate::aggregate::{Settings, State};
use crate::money::Money;
use crate::snapshot::{CompareSnapshot, Effects, GroupBy};
use crate::time::{Span, Window, Zone};
use crate::usage::{Attribution, Tier, Tokens, UsageEvent};

/// µ$ → Money.
fn micros(n: i128) -> Money {
    Money(n * 1_000_000)
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, d, 12, 0, 0).unwrap()
}

/// A: 1–6 October 2026; B: 7–12 October (Sonnet 5.5's read price halves on the 7th).
fn spans() -> (Span, Span) {
    let span = |label: &str, from: u32, to: u32| Span {
        label: label.to_string(),
        start: Utc.with_ymd_and_hms(2026, 10, from, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 10, to, 0, 0, 0).unwrap(),
    };
    (span("A", 1, 7), span("B", 7, 13))
}

fn tokens(input: u64, write_5m: u64, read: u64, output: u64) -> Tokens {
    Tokens {
        input,
        cache_write_5m: write_5m,
        cache_read: read,
        output,
        ..Tokens::default()
    }
}

/// `n` requests of `feature` on `model` on day `d`, with these tokens.
fn requests(
    n: usize,
    d: u32,
    feature: &str,
    model: &str,
    t: Tokens,
    tier: Tier,
) -> Vec<UsageEvent> {
    (0..n)
        .map(|_| UsageEvent {
            tier,
            attribution: Attribution {
                tags: vec![(Arc::from("feature"), Arc::from(feature))],
                ..Attribution::default()
            },
            ..UsageEvent::request(day(d), model, t)
        })
        .collect()
}

/// The comparison of `events` with `by` rows, and the same with A and B swapped.
fn compare(events: &[UsageEvent], by: Option<GroupBy>, swap: bool) -> CompareSnapshot {
    let (a, b) = spans();
    let (a, b) = if swap { (b, a) } else { (a, b) };
    let mut s = State::new(Settings {
        zone: Zone::Named(chrono_tz::UTC),
        window: Window::All,
        compare: Some(CompareSpec { a, b, by }),
        per: Some("feature".into()),
        ..Settings::default()
    });
    for e in events {
        s.ingest(e);
    }
    s.snapshot(day(20), None).compare.expect("compared")
}

fn only(name: &str, amount: Money) -> Effects {
    let i = Effects::NAMES.iter().position(|n| *n == name).unwrap();
    let mut v = [Money::ZERO; 7];
    v[i] = amount;
    Effects::from_values(v)
}

/// Moving a feature from Opus 5.5 to Sonnet 5.5 (same tokens): 10 × (1,000 in × $4 + 200 out
/// × $20) = 80,000 µ$ → 10 × (1,000 × $2 + 200 × $10) = 40,000 µ$: all mix.
fn routing() -> Vec<UsageEvent> {
    let t = tokens(1_000, 0, 0, 200);
    let mut v = requests(10, 2, "summaries", "claude-opus-5-5", t, Tier::Standard);
    v.extend(requests(
        10,
        8,
        "summaries",
        "claude-sonnet-5-5",
        t,
        Tier::Standard,
    ));
    v
}

/// Chat's cache breaks on Sonnet 5 (no dated price), the prompt the same length:
/// 10 × (9,000 reads × $0.20 + 1,000 in × $2 + 100 out × $10) = 48,000 µ$ → 10 × (10,000
/// 5-minute writes × $2.50 + 100 out × $10) = 260,000 µ$: all cache.
fn cache_break() -> Vec<UsageEvent> {
    let mut v = requests(
        10,
        3,
        "chat",
        "claude-sonnet-5",
        tokens(1_000, 0, 9_000, 100),
        Tier::Standard,
    );
    v.extend(requests(
        10,
        9,
        "chat",
        "claude-sonnet-5",
        tokens(0, 10_000, 0, 100),
        Tier::Standard,
    ));
    v
}

/// The nightly job moves to the Batch API: 10 × (5,000 in × $2 + 1,000 out × $10) on Sonnet 5
/// = 200,000 µ$ → half, 100,000 µ$: all batch.
fn to_batch() -> Vec<UsageEvent> {
    let t = tokens(5_000, 0, 0, 1_000);
    let mut v = requests(10, 4, "nightly", "claude-sonnet-5", t, Tier::Standard);
    v.extend(requests(
        10,
        10,
        "nightly",
        "claude-sonnet-5",
        t,
        Tier::Batch,
    ));
    v
}

/// Sonnet 5.5's read price halves on 7 October: 10 × (10,000 reads × $0.20 + 100 out × $10)
/// = 30,000 µ$ → 10 × (10,000 × $0.10 + 1,000) = 20,000 µ$: all price.
fn price_change() -> Vec<UsageEvent> {
    let t = tokens(0, 0, 10_000, 100);
    let mut v = requests(10, 5, "search", "claude-sonnet-5-5", t, Tier::Standard);
    v.extend(requests(
        10,
        11,
        "search",
        "claude-sonnet-5-5",
        t,
        Tier::Standard,
    ));
    v
}

#[test]
fn each_lever_shows_as_its_own_effect() {
    for (events, name, a, b) in [
        (routing(), "mix", 80_000, 40_000),
        (cache_break(), "cache", 48_000, 260_000),
        (to_batch(), "batch", 200_000, 100_000),
        (price_change(), "price", 30_000, 20_000),
    ] {
        let c = compare(&events, None, false);
        assert_eq!((c.a.cost, c.b.cost), (micros(a), micros(b)), "{name}");
        assert_eq!(c.delta, micros(b - a), "{name}");
        assert_eq!(c.effects, only(name, micros(b - a)), "{name}");
        assert_eq!(c.a.requests, 10);
    }
}

#[test]
fn per_group_rows_split_their_own_change_and_the_total_adds_up() {
    let all: Vec<UsageEvent> = [routing(), cache_break(), to_batch(), price_change()].concat();
    let c = compare(&all, Some(GroupBy::Tag("feature".into())), false);
    assert_eq!(c.delta, micros(-40_000 + 212_000 - 100_000 - 10_000));
    assert_eq!(c.effects.sum(), c.delta);
    let row = |k: &str| c.groups.iter().find(|r| r.key == k).expect(k);
    assert_eq!(row("summaries").effects, only("mix", micros(-40_000)));
    assert_eq!(row("chat").effects, only("cache", micros(212_000)));
    assert_eq!(row("nightly").effects, only("batch", micros(-100_000)));
    assert_eq!(row("search").effects, only("price", micros(-10_000)));
    assert_eq!(c.groups.iter().map(|r| r.delta).sum::<Money>(), c.delta);
    // With groups, the total is their sum: one lever per feature, one effect per lever.
    let mut expected = only("mix", micros(-40_000));
    expected.cache = micros(212_000);
    expected.batch = micros(-100_000);
    expected.price = micros(-10_000);
    assert_eq!(c.effects, expected);
    // Largest change first.
    assert_eq!(c.groups[0].key, "chat");
    // Four features in each period, one unit each.
    assert_eq!((c.a.units, c.b.units), (Some(4), Some(4)));
    assert_eq!(c.a.cost_per_unit, c.a.cost.per(4));
}

#[test]
fn swapping_the_periods_negates_every_effect() {
    let all: Vec<UsageEvent> = [routing(), cache_break(), to_batch(), price_change()].concat();
    for by in [
        None,
        Some(GroupBy::Tag("feature".into())),
        Some(GroupBy::Model),
    ] {
        let ab = compare(&all, by.clone(), false);
        let ba = compare(&all, by, true);
        assert_eq!(ba.delta, -ab.delta);
        assert_eq!(ba.effects.values(), ab.effects.values().map(|m| -m));
        for (x, y) in ab.groups.iter().zip(&ba.groups) {
            assert_eq!(x.key, y.key);
            assert_eq!(y.effects.values(), x.effects.values().map(|m| -m));
        }
    }
}

#[test]
fn the_worked_example_of_the_docs_splits_volume_and_output() {
    // docs/reports.md: 100 requests of 2,000 in / 500 out on Sonnet 5 (9,000 µ$ each) become
    // 150 requests of 2,000 in / 800 out (12,000 µ$ each): 0.90 → 1.80 dollars.
    // Volume = ½[(1,350,000 − 900,000) + (1,800,000 − 1,200,000)] = 525,000 µ$;
    // output = ½[(1,200,000 − 900,000) + (1,800,000 − 1,350,000)] = 375,000 µ$.
    let mut v = requests(
        100,
        2,
        "support",
        "claude-sonnet-5",
        tokens(2_000, 0, 0, 500),
        Tier::Standard,
    );
    v.extend(requests(
        150,
        9,
        "support",
        "claude-sonnet-5",
        tokens(2_000, 0, 0, 800),
        Tier::Standard,
    ));
    let c = compare(&v, None, false);
    assert_eq!((c.a.cost, c.b.cost), (micros(900_000), micros(1_800_000)));
    let mut expected = only("volume", micros(525_000));
    expected.output = micros(375_000);
    assert_eq!(c.effects, expected);
    assert_eq!(c.delta_share, Some(1.0));
}

#[test]
fn a_replaced_copy_is_counted_once() {
    // A streamed copy (100 out) is replaced by the complete one (200 out): B has one request
    // of 1,000 in × $2 + 200 out × $10 = 4,000 µ$ on Sonnet 5.
    let partial = UsageEvent {
        key: Some(7),
        rank: 1,
        ..UsageEvent::request(day(9), "claude-sonnet-5", tokens(1_000, 0, 0, 100))
    };
    let complete = UsageEvent {
        rank: 2,
        tokens: tokens(1_000, 0, 0, 200),
        ..partial.clone()
    };
    let c = compare(&[partial, complete], None, false);
    assert_eq!((c.b.requests, c.b.cost), (1, micros(4_000)));
    assert_eq!(c.effects.volume, micros(4_000));
}

#[test]
fn unpriced_models_are_left_out_and_said() {
    let mut v = routing();
    v.extend(requests(
        3,
        9,
        "summaries",
        "claude-unknown-9",
        tokens(1, 0, 0, 1),
        Tier::Standard,
    ));
    let c = compare(&v, None, false);
    assert_eq!(c.b.unpriced_requests, 3);
    assert_eq!(c.effects, only("mix", micros(-40_000)));
}
