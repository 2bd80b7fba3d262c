//! A wall clock that steps back and forward, and DST changes in the time zone: windows, budget
//! periods and burn rates stay sane (nothing negative, nothing counted twice, nothing lost),
//! with an injected clock driving the real actor, and the state itself at DST boundaries.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use costtop::aggregate::{AggregatorHandle, Settings, State};
use costtop::budget::Budget;
use costtop::snapshot::{GroupBy, Snapshot};
use costtop::time::{ManualClock, Period, Window, Zone};
use costtop::usage::{SourceMsg, UsageEvent};

use crate::support::faults::usage;

/// Opus 4.6 input is $5 per million tokens: 200,000 tokens are exactly $1.
fn spend(usd: f64, at: DateTime<Utc>, n: u64) -> UsageEvent {
    let key = costtop::usage::dedupe_key(&[b"app", &n.to_le_bytes()]);
    usage(
        "claude-opus-4-6",
        (usd * 200_000.0).round() as u64,
        0,
        at,
        Some(key),
    )
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("time")
}

fn settings(zone: &str, window: Window) -> Settings {
    Settings {
        zone: zone.parse::<Zone>().expect("zone"),
        window,
        budgets: vec![
            Budget::simple(Period::Hour, 10.0),
            Budget::simple(Period::Day, 100.0),
        ],
        ..Settings::default()
    }
}

/// Whatever the clock did: no negative money or duration, projections at least the spend,
/// periods that contain now, a bounded chart.
fn assert_sane(s: &Snapshot) {
    let label = format!("at {}", s.as_of);
    assert!(
        s.burn_rate_usd_per_hour >= 0.0,
        "{label}: burn {}",
        s.burn_rate_usd_per_hour
    );
    assert!(s.burn_rate_1h_usd_per_hour >= 0.0, "{label}");
    assert!(s.totals.cost.usd() >= 0.0, "{label}");
    assert!(s.spend.projected_today >= s.spend.today, "{label}");
    assert!(s.spend.projected_month >= s.spend.month, "{label}");
    assert!(s.spend.month >= s.spend.today, "{label}: month below today");
    assert!(
        s.window.start.is_none_or(|start| start <= s.window.end),
        "{label}"
    );
    assert!(s.series.len() <= 241, "{label}: {} points", s.series.len());
    assert!(s.series.iter().all(|p| p.cost.usd() >= 0.0), "{label}");
    for b in &s.budgets {
        assert!(
            b.period_start <= s.as_of && s.as_of < b.period_end,
            "{label}: {b:?}"
        );
        assert!(
            b.spent_usd >= 0.0 && b.projected_usd >= b.spent_usd,
            "{label}: {b:?}"
        );
    }
}

fn budget(s: &Snapshot, period: &str) -> f64 {
    s.budgets
        .iter()
        .find(|b| b.period == period)
        .expect("budget")
        .spent_usd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_stepping_back_and_forward_keeps_windows_budgets_and_burn_rates_sane() {
    let noon = utc(2026, 11, 20, 12, 0);
    let clock = ManualClock::at(noon);
    let handle = AggregatorHandle::spawn(settings("UTC", Window::Today), Arc::new(clock.clone()));
    let controls = handle.control_sender();
    // $1 a minute from 11:50 to 11:59.
    let events = (0..10)
        .map(|i| spend(1.0, noon - Duration::minutes(10 - i), i as u64))
        .collect();
    handle
        .source_sender()
        .send(SourceMsg::Events(events))
        .await
        .expect("alive");
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert_eq!(snap.totals.requests, 10);
    assert!((snap.burn_rate_1h_usd_per_hour - 10.0).abs() < 1e-9);
    assert!((budget(&snap, "day") - 10.0).abs() < 1e-9);

    // An hour back: today's records are still today's (a day window ends with the day), and
    // this hour's (they fall in 11:00–12:00); the burn rate sees nothing yet (it is all
    // "later"), never less.
    clock.set(noon - Duration::hours(1));
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert_eq!(snap.totals.requests, 10);
    assert!(snap.burn_rate_usd_per_hour.abs() < 1e-9);
    assert!((budget(&snap, "hour") - 10.0).abs() < 1e-9);
    assert!((budget(&snap, "day") - 10.0).abs() < 1e-9);
    // Two hours back: the hour before has none of them.
    clock.set(noon - Duration::hours(2));
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert!(budget(&snap, "hour").abs() < 1e-9, "{:?}", snap.budgets);

    // A day back: "today" is the day before, which had no spend; its budget is not charged
    // with the next day's.
    clock.set(noon - Duration::days(1));
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert_eq!(snap.totals.requests, 0);
    assert!(budget(&snap, "day").abs() < 1e-9, "{:?}", snap.budgets);
    assert!(snap.spend.today.usd().abs() < 1e-9);

    // Three days forward (everything gets folded into hours), then back to just after noon:
    // nothing was lost or counted twice on the way.
    clock.set(noon + Duration::days(3));
    controls
        .send(costtop::snapshot::Control::SetWindow(Window::Month))
        .expect("control");
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert_eq!(snap.totals.requests, 10);
    assert!((snap.spend.month.usd() - 10.0).abs() < 1e-9);
    assert!(snap.burn_rate_1h_usd_per_hour.abs() < 1e-9);
    clock.set(noon + Duration::minutes(5));
    controls
        .send(costtop::snapshot::Control::SetWindow(Window::Today))
        .expect("control");
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_sane(&snap);
    assert_eq!(snap.totals.requests, 10);
    assert!((snap.spend.today.usd() - 10.0).abs() < 1e-9);
    assert!((budget(&snap, "day") - 10.0).abs() < 1e-9);
}

#[test]
fn the_hour_repeated_when_clocks_go_back_is_two_hours_not_one() {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC, so 02:00–03:00 local
    // happens twice.
    let mut state = State::new(settings("Europe/Berlin", Window::Today));
    state.ingest(&spend(1.0, utc(2026, 10, 25, 0, 30), 1)); // 02:30 CEST
    state.ingest(&spend(2.0, utc(2026, 10, 25, 1, 30), 2)); // 02:30 CET
    let now = utc(2026, 10, 25, 1, 40);
    let snap = state.snapshot(now, Some(&GroupBy::Hour));
    assert_sane(&snap);
    let hour = snap
        .budgets
        .iter()
        .find(|b| b.period == "hour")
        .expect("hour");
    assert!((hour.spent_usd - 2.0).abs() < 1e-9, "{hour:?}");
    assert_eq!(hour.period_end - hour.period_start, Duration::hours(1));
    let day = snap
        .budgets
        .iter()
        .find(|b| b.period == "day")
        .expect("day");
    assert_eq!(day.period_end - day.period_start, Duration::hours(25));
    let rows: Vec<(String, f64)> = snap
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.totals.cost.usd()))
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-10-25 02:00".to_string(), 1.0),
            ("2026-10-25 02:00 +01:00".to_string(), 2.0)
        ]
    );
}

#[test]
fn a_day_whose_midnight_is_skipped_starts_after_the_gap_not_in_the_day_before() {
    // Santiago, 2026-09-06: clocks go from 23:59 to 01:00 (04:00 UTC), so there is no
    // midnight; the day starts at 01:00 local.
    let mut state = State::new(settings("America/Santiago", Window::Today));
    state.ingest(&spend(4.0, utc(2026, 9, 6, 3, 30), 1)); // 23:30 on the 5th
    state.ingest(&spend(1.0, utc(2026, 9, 6, 4, 30), 2)); // 01:30 on the 6th
    let now = utc(2026, 9, 6, 15, 0);
    let snap = state.snapshot(now, None);
    assert_sane(&snap);
    assert_eq!(snap.window.start, Some(utc(2026, 9, 6, 4, 0)));
    assert!(
        (snap.spend.today.usd() - 1.0).abs() < 1e-9,
        "{:?}",
        snap.spend
    );
    assert!((budget(&snap, "day") - 1.0).abs() < 1e-9);
    let yesterday = state.snapshot(utc(2026, 9, 6, 3, 45), None);
    assert!(
        (yesterday.spend.today.usd() - 4.0).abs() < 1e-9,
        "{:?}",
        yesterday.spend
    );
}
