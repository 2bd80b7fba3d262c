//! `costtop demo`: the story's timeline on the simulated clock (paused tokio time, scenario →
//! aggregator), and the real pipeline (writer → temp log → tail → aggregator) in real time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use costtop::aggregate::AuditSettings;
use costtop::aggregate::{AggregatorHandle, Settings, State};
use costtop::app::start_demo;
use costtop::cli::{CommonArgs, DemoArgs, FollowArgs, UiArgs};
use costtop::parse::{LineContext, Parsed, parse_line};
use costtop::pricing::PriceTable;
use costtop::snapshot::{Control, GroupBy, Snapshot};
use costtop::snapshot::{Kind, Lever};
use costtop::sources::demo::scenario::{BATCH_JOB, CACHE_BREAK, SPEND_SPIKE};
use costtop::sources::demo::{DEMO_ASYNC, DemoFeed, Scenario, plan_budget};
use costtop::time::{Clock, ScaledClock, Window, Zone};
use costtop::usage::SourceMsg;

const FEATURES: [&str; 4] = ["chat", "classify", "agent", "nightly-summaries"];
const FAMILIES: [&str; 3] = ["opus", "sonnet", "haiku"];
const SPEED: f64 = 150.0;

fn utc() -> Zone {
    Zone::Named(chrono_tz::UTC)
}

fn story_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-03T13:00:00Z")
        .expect("valid")
        .to_utc()
}

fn minutes(m: i64) -> chrono::Duration {
    chrono::Duration::minutes(m)
}

fn shows_everyone(snap: &Snapshot) -> bool {
    let features = FEATURES.iter().all(|f| {
        snap.rows
            .iter()
            .any(|r| r.key == *f && r.totals.requests > 0)
    });
    let families = FAMILIES
        .iter()
        .all(|f| snap.by_model.iter().any(|m| m.model.contains(f)));
    features && families
}

/// Parses the feed's due records as the tail would; retried records arrive twice.
fn due_events(feed: &mut DemoFeed, now: DateTime<Utc>, unique: &mut u64) -> SourceMsg {
    let mut events = Vec::new();
    for r in feed.due(now) {
        *unique += 1;
        let ctx = LineContext {
            fallback_time: r.at,
            path: "demo",
        };
        let line = r.line();
        let Parsed::Usage(event) = parse_line(line.as_bytes(), &ctx) else {
            panic!("unreadable demo line: {line}");
        };
        if r.retried {
            events.push(event.clone());
        }
        events.push(event);
    }
    SourceMsg::Events(events)
}

/// Real time (from the start) of the first time an alarm of `kind` was raised.
fn raised(snap: &Snapshot, clock: &ScaledClock, kind: &str) -> Option<(Duration, DateTime<Utc>)> {
    snap.alarm_log
        .iter()
        .find(|e| e.kind == kind && e.transition == "raised")
        .map(|e| (clock.real_until(e.at), e.at))
}

#[tokio::test(start_paused = true)]
async fn story_unfolds_on_the_scaled_clock_within_the_first_minute() {
    let start = story_start();
    let scenario = Scenario::new(7, start);
    let plan = plan_budget(&scenario, &PriceTable::embedded(), &utc(), SPEED);
    let settings = Settings {
        zone: utc(),
        budgets: vec![plan.budget.clone()],
        ..Settings::default()
    };
    let clock = ScaledClock::starting_at(start, SPEED);
    let handle = AggregatorHandle::spawn(settings, Arc::new(clock));
    let (tx, controls) = (handle.source_sender(), handle.control_sender());
    let mut feed = DemoFeed::new(scenario);
    let by_feature = || Some(GroupBy::Tag("feature".into()));
    let at_real = |m: i64| clock.real_until(start + minutes(m));
    let (before_break, during_break) =
        (at_real(CACHE_BREAK.start - 1), at_real(CACHE_BREAK.end - 5));
    let (before_batch, after_batch) = (at_real(BATCH_JOB.start - 2), at_real(BATCH_JOB.end + 2));

    let step = Duration::from_millis(100);
    let mut real = Duration::ZERO;
    let mut unique = 0;
    let mut everyone_at = None;
    let (mut hit_before, mut hit_during) = (None, None);
    let (mut batch_before, mut batch_after) = (None, None);
    let mut last = None;
    while real <= Duration::from_secs(60) {
        tx.send(due_events(&mut feed, clock.now(), &mut unique))
            .await
            .expect("aggregator running");
        let snap = handle.snapshot_now(by_feature()).await.expect("snapshot");
        if everyone_at.is_none() && shows_everyone(&snap) {
            everyone_at = Some(real);
            controls
                .send(Control::SetWindow(Window::Last15m))
                .expect("control");
        }
        if real.abs_diff(before_break) < step / 2 {
            hit_before = Some(snap.cache.hit_ratio);
        }
        if real.abs_diff(during_break) < step / 2 {
            hit_during = Some(snap.cache.hit_ratio);
        }
        if real.abs_diff(before_batch) < step / 2 {
            batch_before = Some(snap.batch.share_of_cost);
        }
        if real.abs_diff(after_batch) < step / 2 {
            batch_after = Some(snap.batch.share_of_cost);
        }
        last = Some(snap);
        tokio::time::advance(step).await;
        real += step;
    }

    let everyone_at = everyone_at.expect("all features and model families shown");
    assert!(everyone_at <= Duration::from_secs(3), "{everyone_at:?}");

    let (hit_before, hit_during) = (hit_before.expect("sampled"), hit_during.expect("sampled"));
    assert!(hit_before > 0.6, "hit ratio before the break {hit_before}");
    assert!(
        hit_during < hit_before * 0.6,
        "{hit_during} vs {hit_before}"
    );

    let (batch_before, batch_after) = (
        batch_before.expect("sampled"),
        batch_after.expect("sampled"),
    );
    assert!(batch_before.abs() < f64::EPSILON, "{batch_before}");
    assert!(batch_after > 0.0);

    let last = last.expect("snapshots taken");
    let (warn, _) = raised(&last, &clock, "budget_warn").expect("budget warning raised");
    let (exceeded, _) = raised(&last, &clock, "budget_exceeded").expect("budget exceeded raised");
    assert!(warn < exceeded, "{warn:?} then {exceeded:?}");
    assert!(
        (15.0..=26.0).contains(&warn.as_secs_f64()),
        "warning after {warn:?}"
    );
    assert!(
        (35.0..=51.0).contains(&exceeded.as_secs_f64()),
        "exceeded after {exceeded:?}"
    );
    let (_, spike_at) = raised(&last, &clock, "spend_spike").expect("spend spike raised");
    assert!(
        spike_at >= start + minutes(SPEND_SPIKE.start)
            && spike_at < start + minutes(SPEND_SPIKE.end),
        "spike alarm at {spike_at}"
    );

    // Every record counted once, although some were written twice.
    handle
        .control_sender()
        .send(Control::SetWindow(Window::All))
        .expect("control");
    let all = handle.snapshot_now(None).await.expect("snapshot");
    assert_eq!(all.totals.requests, unique);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_log_is_followed_and_shows_every_feature() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let config = scratch.path().join("config.toml");
    std::fs::write(&config, "").expect("config");
    let record = scratch.path().join("record.jsonl");
    let args = DemoArgs {
        speed: SPEED,
        seed: 7,
        common: CommonArgs {
            config: Some(config),
            tz: Some(utc()),
            ..CommonArgs::default()
        },
        follow: FollowArgs {
            record: Some(record.clone()),
            ..FollowArgs::default()
        },
        ui: UiArgs::default(),
    };
    let began = tokio::time::Instant::now();
    let run = start_demo(&args).await.expect("demo starts");
    let by_feature = || Some(GroupBy::Tag("feature".into()));
    loop {
        let snap = run
            .handle
            .snapshot_now(by_feature())
            .await
            .expect("snapshot");
        if shows_everyone(&snap) {
            assert!(snap.budgets.iter().any(|b| b.name == "demo day budget"));
            break;
        }
        // A liveness bound, not a speed test (a loaded debug build is slow; the release
        // binary shows everyone in about a second).
        assert!(
            began.elapsed() < Duration::from_secs(20),
            "not everyone shown after 20 s: {:?}",
            snap.rows.iter().map(|r| &r.key).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The tail reports its health on its own schedule.
    let healthy = async {
        loop {
            let snap = run.handle.snapshot_now(None).await.expect("snapshot");
            let source = snap
                .sources
                .iter()
                .find(|s| s.name.ends_with("demo-usage.jsonl"));
            if let Some(s) = source.filter(|s| s.lines > 1000) {
                assert_eq!(s.parse_errors, 0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), healthy)
        .await
        .expect("the temp log is a healthy source");
    let dir = run.log_path.parent().expect("in a dir").to_path_buf();
    assert!(dir.exists());
    drop(run);
    assert!(!dir.exists(), "temporary log removed on exit");
    assert!(std::fs::metadata(&record).expect("recorded").len() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_demo_replays_to_the_same_totals() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let config = scratch.path().join("config.toml");
    std::fs::write(&config, "").expect("config");
    let record = scratch.path().join("record.jsonl");
    let args = DemoArgs {
        speed: SPEED,
        seed: 11,
        common: CommonArgs {
            config: Some(config.clone()),
            tz: Some(utc()),
            ..CommonArgs::default()
        },
        follow: FollowArgs {
            record: Some(record.clone()),
            window: Some(Window::All),
            ..FollowArgs::default()
        },
        ui: UiArgs::default(),
    };
    let run = start_demo(&args).await.expect("demo starts");
    // Let the live part run a little, then stop the writer and let the tail drain.
    tokio::time::sleep(Duration::from_secs(2)).await;
    run.writer.abort();
    let mut last = None;
    let live = loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let snap = run.handle.snapshot_now(None).await.expect("snapshot");
        if last == Some(snap.totals) {
            break snap;
        }
        last = Some(snap.totals);
    };
    assert!(live.totals.requests > 1000, "{:?}", live.totals);
    drop(run);

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_costtop"))
        .arg("replay")
        .arg(&record)
        .args([
            "--format", "json", "--window", "all", "--tz", "UTC", "--config",
        ])
        .arg(&config)
        .output()
        .await
        .expect("replay runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let replayed: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a snapshot")).expect("json");
    let expected = serde_json::to_value(live.totals).expect("totals");
    assert_eq!(replayed["totals"], expected);
}

#[test]
fn the_savings_pane_has_every_lever_within_the_first_minute() {
    let start = story_start();
    let scenario = Scenario::new(7, start);
    let settings = Settings {
        zone: utc(),
        audit: AuditSettings {
            async_groups: vec![DEMO_ASYNC.parse().expect("mark")],
            ..AuditSettings::default()
        },
        ..Settings::default()
    };
    let mut state = State::new(settings);
    let mut feed = DemoFeed::new(scenario);
    // The first real minute of the story, history included.
    let now = start + chrono::Duration::seconds((60.0 * SPEED) as i64);
    let ctx = |at| LineContext {
        fallback_time: at,
        path: "demo",
    };
    for r in feed.due(now) {
        if let Parsed::Usage(e) = parse_line(r.line().as_bytes(), &ctx(r.at)) {
            state.ingest(&e);
        }
    }
    let audit = state.snapshot(now, None).audit;
    let kinds: Vec<(Lever, Kind, &str)> = audit
        .opportunities
        .iter()
        .map(|o| (o.lever, o.kind, o.group.as_str()))
        .collect();
    for (kind, group) in [
        (Kind::SimpleRequests, "triage"),
        (Kind::UncachedRepeats, "inbox"),
        (Kind::WritesNeverRead, "chat"),
        (Kind::OneHourWrites, "agent"),
        (Kind::AsyncStandardTier, "nightly-reports"),
        (Kind::MaxTokensStops, "agent"),
        (Kind::AboveP99, "research"),
    ] {
        assert!(
            kinds.iter().any(|(_, k, g)| *k == kind && *g == group),
            "{kind:?} of {group} missing from {kinds:?}"
        );
    }
    assert!(audit.potential_share > 0.05, "{}", audit.potential_share);
}
