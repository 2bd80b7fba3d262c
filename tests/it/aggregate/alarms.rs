//! Alarms in the live actor over (paused) time: budget warn → exceeded once each without
//! flapping, the forecast alarm ahead of the limit, and the actions (webhook, `--on-alarm`)
//! firing once per alarm without holding anything up when the endpoint hangs or fails.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use costtop::aggregate::AggregatorHandle;
use costtop::time::TokioClock;

use crate::support::alarms::{Feed, day_budget, raised, usd_of};

/// 00:01 UTC: the day budget is not ten minutes old, so no forecast interferes.
fn just_after_midnight() -> TokioClock {
    TokioClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 20, 0, 1, 0)
            .single()
            .expect("time"),
    )
}

#[tokio::test(start_paused = true)]
async fn budget_warns_then_exceeds_each_alarm_once_while_spend_hovers() {
    let clock = just_after_midnight();
    let handle = AggregatorHandle::spawn(day_budget(10.0), Arc::new(clock));
    let mut feed = Feed::new(&handle, clock);
    feed.spend(7.90).await;
    feed.settle().await;
    assert_eq!(handle.snapshots().borrow().budgets[0].state, "ok");

    // Hover around the warn line ($8): a costly placeholder chunk pushes the spend over it,
    // its cheaper final chunk (more tokens, so it replaces it) pulls it back under.
    for _ in 0..5 {
        feed.spike_then_replace(0.20).await;
    }
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert!(
        (7.9..8.2).contains(&snap.budgets[0].spent_usd),
        "{:?}",
        snap.budgets
    );
    assert_eq!(raised(&snap, "budget_warn"), 1, "{:#?}", snap.alarm_log);

    // Now hover around the limit ($10) the same way.
    let spent = snap.budgets[0].spent_usd;
    feed.spend(9.85 - spent).await;
    feed.settle().await;
    for _ in 0..4 {
        feed.spike_then_replace(0.20).await;
    }
    feed.spend(0.5).await;
    feed.settle().await;
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_eq!(snap.budgets[0].state, "exceeded");
    assert_eq!(raised(&snap, "budget_exceeded"), 1, "{:#?}", snap.alarm_log);
    assert_eq!(raised(&snap, "budget_warn"), 1, "{:#?}", snap.alarm_log);
    assert_eq!(raised(&snap, "forecast"), 0, "{:#?}", snap.alarm_log);
    let active: Vec<&str> = snap.alarms.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(active, ["budget_exceeded"]);
}

#[tokio::test(start_paused = true)]
async fn forecast_fires_before_the_limit_when_the_burn_rate_says_so() {
    let clock = TokioClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
            .single()
            .expect("time"),
    );
    let handle = AggregatorHandle::spawn(day_budget(10.0), Arc::new(clock));
    let mut feed = Feed::new(&handle, clock);
    let mut first_forecast = None;
    // $0.25 every 5 minutes: $3/h, 16 hours left in the day → far over $10 by midnight.
    for step in 0..12 {
        feed.spend(0.25).await;
        tokio::time::sleep(Duration::from_secs(300)).await;
        let snap = handle.snapshots().borrow().clone();
        if first_forecast.is_none() && raised(&snap, "forecast") == 1 {
            first_forecast = Some((step, snap.budgets[0].spent_usd));
        }
    }
    let (step, spent) = first_forecast.expect("a forecast alarm");
    assert!(spent < 8.0, "forecast only at {spent}");
    assert!(step <= 2, "forecast late, at step {step}");
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_eq!(raised(&snap, "forecast"), 1, "{:#?}", snap.alarm_log);
    assert_eq!(raised(&snap, "budget_warn"), 0);
    let entry = snap
        .alarm_log
        .iter()
        .find(|e| e.kind == "forecast")
        .expect("logged");
    assert_eq!(entry.limit_usd, Some(10.0));
    assert!(entry.message.contains("projected"), "{}", entry.message);

    // Spending stops: once the burn rate no longer says so, the forecast clears (once).
    tokio::time::sleep(Duration::from_secs(2 * 3600)).await;
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert!(snap.alarms.iter().all(|a| a.kind != "forecast"));
    assert_eq!(raised(&snap, "forecast"), 1);
    assert!(usd_of(&snap) > 2.9);
}

mod hooks {
    //! Alarm actions against a real HTTP server on loopback, unpaused (reqwest needs real
    //! time for its timeouts).

    use super::*;
    use crate::support::alarms::{Hook, hook_server, read_lines_until};
    use costtop::outputs::hooks::{AlarmActions, spawn_alarm_actions};

    #[tokio::test]
    async fn webhook_receives_one_json_post_per_alarm() {
        let server = hook_server(Hook::Ok).await;
        let clock = just_after_midnight();
        let handle = AggregatorHandle::spawn(day_budget(10.0), Arc::new(clock));
        let actions = AlarmActions {
            webhook: Some(server.url.clone()),
            on_alarm: None,
            ..AlarmActions::default()
        };
        let _task = spawn_alarm_actions(handle.snapshots(), &actions, None);
        let mut feed = Feed::new(&handle, clock);
        feed.spend(8.5).await;
        let mut bodies = server.bodies;
        let warn = tokio::time::timeout(Duration::from_secs(5), bodies.recv())
            .await
            .expect("webhook in time")
            .expect("body");
        assert_eq!(warn["kind"], "budget_warn");
        assert_eq!(warn["severity"], "warning");
        assert_eq!(warn["spent_usd"], 8.5);
        assert_eq!(warn["limit_usd"], 10.0);
        assert_eq!(warn["source"], "costtop");
        let text = warn["text"].as_str().expect("text");
        assert!(
            text.contains("costtop warning") && text.contains("$8.50"),
            "{text}"
        );

        feed.spend(2.0).await;
        let exceeded = tokio::time::timeout(Duration::from_secs(5), bodies.recv())
            .await
            .expect("webhook in time")
            .expect("body");
        assert_eq!(exceeded["kind"], "budget_exceeded");
        assert_eq!(exceeded["severity"], "critical");
        assert_eq!(exceeded["spent_usd"], 10.5);
        assert_eq!(exceeded["limit_usd"], 10.0);
        // Nothing else (no repeat of either alarm).
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(bodies.try_recv().is_err(), "an alarm was posted twice");
    }

    async fn dead_webhook_delays_nothing(hook: Hook) {
        let server = hook_server(hook).await;
        let tmp = tempfile::tempdir().expect("tempdir");
        let log = tmp.path().join("alarms.txt");
        let clock = just_after_midnight();
        let handle = AggregatorHandle::spawn(day_budget(10.0), Arc::new(clock));
        let actions = AlarmActions {
            webhook: Some(server.url.clone()),
            on_alarm: Some(format!("echo $COSTTOP_ALARM_KIND >> '{}'", log.display())),
            ..AlarmActions::default()
        };
        let _task = spawn_alarm_actions(handle.snapshots(), &actions, None);
        let mut feed = Feed::new(&handle, clock);
        let mut snapshots = handle.snapshots();
        snapshots.borrow_and_update();

        feed.spend(8.5).await;
        read_lines_until(&log, &["budget_warn"]).await;
        // The webhook is now stuck or failing; every later change is still published at once.
        for _ in 0..5 {
            let sent = std::time::Instant::now();
            feed.spend(0.01).await;
            tokio::time::timeout(Duration::from_millis(500), snapshots.changed())
                .await
                .expect("snapshot published on time")
                .expect("actor alive");
            assert!(sent.elapsed() < Duration::from_millis(500));
            snapshots.borrow_and_update();
        }
        feed.spend(2.0).await;
        read_lines_until(&log, &["budget_warn", "budget_exceeded"]).await;
        // The webhook runs in its own task: give it a moment to be tried for both alarms.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while server.hits() < 2 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(server.hits() >= 2, "the webhook was not even tried");
    }

    #[tokio::test]
    async fn a_hanging_webhook_delays_neither_snapshots_nor_the_command() {
        dead_webhook_delays_nothing(Hook::Hang).await;
    }

    #[tokio::test]
    async fn a_failing_webhook_delays_neither_snapshots_nor_the_command() {
        dead_webhook_delays_nothing(Hook::Fail).await;
    }
}
