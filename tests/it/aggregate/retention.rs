//! What the aggregator keeps over time: folding minutes into hours never changes a figure
//! (every window, budget, burn rate, chart point and report row is the same before and after),
//! and dedupe keys last as long as their kind of source can send a copy.

use chrono::{DateTime, Duration, TimeZone, Utc};
use costtop::aggregate::{Settings, State};
use costtop::budget::{Budget, BudgetFilter};
use costtop::snapshot::GroupBy;
use costtop::time::{Period, Window, Zone};
use costtop::usage::{
    Attribution, EventKind, Modifiers, StopReason, Tier, Tokens, UsageEvent, dedupe_key,
};

fn event(n: u64, at: DateTime<Utc>, session: Option<&str>) -> UsageEvent {
    let models = ["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5"];
    UsageEvent {
        alt_key: None,
        key: Some(dedupe_key(&[b"rec", &n.to_le_bytes()])),
        rank: 10,
        timestamp: at,
        model: models[(n % 3) as usize].into(),
        tokens: Tokens {
            input: 100 + n % 977,
            cache_write_5m: n % 50,
            cache_read: (n * 37) % 5000,
            output: 1 + (n * 13) % 3000,
            ..Tokens::default()
        },
        tier: if n.is_multiple_of(7) {
            Tier::Batch
        } else {
            Tier::Standard
        },
        modifiers: Modifiers::default(),
        stop_reason: Some(if n.is_multiple_of(11) {
            StopReason::MaxTokens
        } else {
            StopReason::Other
        }),
        kind: EventKind::Request,
        attribution: Attribution {
            project: Some(format!("/p/{}", n % 4).into()),
            session: session.map(Into::into),
            tags: vec![("feature".into(), format!("f{}", n % 5).into())],
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

fn settings(zone: &str) -> Settings {
    let filtered = Budget {
        filter: BudgetFilter::new(Some("claude-opus-*"), None, None, None).expect("glob"),
        ..Budget::simple(Period::Week, 50.0)
    };
    Settings {
        zone: zone.parse::<Zone>().expect("zone"),
        window: Window::All,
        budgets: vec![
            Budget::simple(Period::Hour, 1.0),
            Budget::simple(Period::Day, 10.0),
            Budget::simple(Period::Month, 100.0),
            filtered,
        ],
        ..Settings::default()
    }
}

#[test]
fn folding_old_detail_changes_no_figure_of_any_window() {
    // Kathmandu is 5:45 off UTC: its hours do not start on UTC hours.
    for zone in ["UTC", "Asia/Kathmandu", "Europe/Berlin"] {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 37, 0).unwrap();
        let mut unfolded = State::new(settings(zone));
        // Ten days of records, one every 7 minutes, denser in the last three hours.
        let mut n = 0;
        let mut t = now - Duration::days(10);
        while t <= now {
            unfolded.ingest(&event(n, t, Some(&format!("s{}", n % 9))));
            n += 1;
            t += if now - t < Duration::hours(3) {
                Duration::seconds(50)
            } else {
                Duration::minutes(7)
            };
        }
        let mut folded = unfolded.clone();
        folded.compact(now);
        for window in Window::ALL {
            for by in [None, Some(GroupBy::Hour), Some(GroupBy::Session)] {
                unfolded.set_window(window);
                folded.set_window(window);
                let a = unfolded.snapshot(now, by.as_ref());
                let b = folded.snapshot(now, by.as_ref());
                assert_eq!(a, b, "{zone} {window} {by:?}");
            }
        }
        // And later, once more detail has aged.
        let later = now + Duration::hours(5);
        folded.compact(later);
        unfolded.set_window(Window::Last7d);
        folded.set_window(Window::Last7d);
        assert_eq!(
            unfolded.snapshot(later, None),
            folded.snapshot(later, None),
            "{zone} later"
        );
    }
}

#[test]
fn copies_are_caught_as_long_as_their_kind_of_source_can_send_them() {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    let mut state = State::new(settings("UTC"));
    // A Claude Code record (it has a session) and an application-log record, then a day of
    // 100,000 other records.
    state.ingest(&event(1, now - Duration::days(1), Some("resumed")));
    state.ingest(&event(2, now - Duration::days(1), None));
    for n in 10..100_010 {
        let at = now - Duration::days(1) + Duration::seconds(n as i64 * 86_400 / 100_000);
        state.ingest(&event(n, at, (n % 2 == 0).then_some("s")));
    }
    let counted = state.stats.counted;
    // The resumed session replays its line: still a duplicate a day later.
    state.ingest(&event(1, now - Duration::days(1), Some("resumed")));
    assert_eq!(state.stats.counted, counted);
    // The application log's id was forgotten after its ten-minute horizon: a copy now counts.
    state.ingest(&event(2, now - Duration::days(1), None));
    assert_eq!(state.stats.counted, counted + 1);
    // What is kept: every session key, the last ten minutes of the others, two generations.
    let kept = state.dedupe_len();
    assert!(
        (50_001..50_001 + 8_000 + 2 * 8_192).contains(&kept),
        "{kept} keys kept"
    );
}
