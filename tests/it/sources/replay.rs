//! `costtop replay`: determinism, agreement with `report`, alarms at the right minute, and
//! seeking that lands where playing straight through lands.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use costtop::aggregate::Settings;
use costtop::budget::Budget;
use costtop::snapshot::{Control, ReplayCommand};
use costtop::sources::discover;
use costtop::sources::replay::{Engine, EngineOptions, Player, Speed, Timeline};
use costtop::time::{Period, Window};
use serde_json::Value;

use crate::support::files::copy_tree;

/// Batch results carry no time: they take their file's, fixed here at 2026-11-20T12:00:00Z.
const FILE_TIME: u64 = 1_795_176_000;

/// A copy of the replay fixtures (and the shipped samples) with fixed modification times.
fn fixtures() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for sub in ["replay", "sample"] {
        let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(FILE_TIME);
        copy_tree(&root.join(sub), &dir.path().join(sub), mtime);
    }
    let replay = dir.path().join("replay");
    (dir, replay)
}

fn costtop(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args(args)
        .env_remove("COSTTOP_CONFIG")
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "costtop {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn replay_json(dir: &Path, at: &str, extra: &[&str]) -> Value {
    let d = dir.to_str().unwrap();
    let mut args = vec!["replay", d, "--at", at, "--format", "json", "--tz", "UTC"];
    args.extend_from_slice(extra);
    let text = costtop(&args);
    assert_eq!(text.lines().count(), 1, "one line per snapshot: {text}");
    serde_json::from_str(&text).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn speed_max_is_accepted_on_the_command_line() {
    let (_keep, dir) = fixtures();
    let at = replay_json(&dir, "2026-11-20T10:04:00Z", &[]);
    let max = replay_json(&dir, "2026-11-20T10:04:00Z", &["--speed", "max"]);
    assert_eq!(max["totals"], at["totals"]);
}

#[test]
fn same_moment_prints_byte_identical_json() {
    let (_keep, dir) = fixtures();
    let d = dir.to_str().unwrap();
    let args = [
        "replay",
        d,
        "--at",
        "2026-11-20T10:30:00Z",
        "--format",
        "json",
        "--tz",
        "UTC",
        "--budget",
        "day=10",
    ];
    let a = costtop(&args);
    let b = costtop(&args);
    assert!(a.contains("\"budget_exceeded\""), "{a}");
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["as_of"], "2026-11-20T10:30:00Z");
    assert_eq!(v["replay"]["undated_records"], 2);
}

#[test]
fn totals_at_a_moment_equal_report_until_that_moment() {
    let (keep, dir) = fixtures();
    let sample = keep.path().join("sample");
    let (d, s) = (dir.to_str().unwrap(), sample.to_str().unwrap());
    for t in [
        "2026-11-17T10:01:00Z",
        "2026-11-20T09:15:30Z",
        "2026-11-20T10:03:27Z",
        "2026-11-20T11:30:02Z",
        "2026-11-20T12:30:00Z",
        "2026-11-21T12:00:00Z",
    ] {
        let replay = replay_json(&dir, t, &["--window", "all"]);
        let report: Value = serde_json::from_str(&costtop(&[
            "report", d, s, "--until", t, "--format", "json", "--tz", "UTC",
        ]))
        .unwrap();
        let both = {
            let mut args = vec!["replay", d, s, "--at", t, "--format", "json"];
            args.extend(["--tz", "UTC", "--window", "all"]);
            serde_json::from_str::<Value>(&costtop(&args)).unwrap()
        };
        assert_eq!(both["totals"], report["totals"], "at {t}");
        assert!(
            replay["totals"]["requests"].as_u64().unwrap()
                <= both["totals"]["requests"].as_u64().unwrap()
        );
    }
}

#[test]
fn day_budget_is_exceeded_at_10_04_not_at_10_03() {
    let (_keep, dir) = fixtures();
    let budget = ["--budget", "day=10"];
    let exceeded = |v: &Value| {
        v["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "budget_exceeded")
    };
    let at_0403 = replay_json(&dir, "2026-11-20T10:03:00Z", &budget);
    assert!(!exceeded(&at_0403), "{at_0403}");
    assert_eq!(at_0403["budgets"][0]["state"], "ok");
    // The last record lands at 10:03:50: spend counts it, the alarm waits for the minute.
    let at_0359 = replay_json(&dir, "2026-11-20T10:03:59Z", &budget);
    assert!(!exceeded(&at_0359));
    assert_eq!(at_0359["budgets"][0]["state"], "exceeded");
    let at_0404 = replay_json(&dir, "2026-11-20T10:04:00Z", &budget);
    assert!(exceeded(&at_0404), "{at_0404}");
    let alarm = at_0404["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "budget_exceeded")
        .unwrap()
        .clone();
    assert_eq!(alarm["since"], "2026-11-20T10:04:00Z");
    // A new day: spend starts again and the alarm clears at midnight.
    let next_day = replay_json(&dir, "2026-11-21T00:00:30Z", &budget);
    assert!(!exceeded(&next_day), "{next_day}");
}

fn settings(budget: bool) -> Settings {
    Settings {
        zone: "UTC".parse().unwrap(),
        window: Window::Today,
        budgets: if budget {
            vec![Budget::simple(Period::Day, 10.0)]
        } else {
            Vec::new()
        },
        ..Settings::default()
    }
}

fn timeline(dirs: &[&Path]) -> Timeline {
    let args: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Timeline::load(&discover(&args).sources)
}

#[test]
fn next_alarm_from_the_start_lands_on_10_04() {
    let (_keep, dir) = fixtures();
    let tl = timeline(&[&dir]);
    let (first, last) = (tl.first().unwrap(), tl.last().unwrap());
    assert_eq!(first, utc("2026-11-20T08:00:00Z"));
    let engine = Engine::new(tl, settings(true), None);
    let mut player = Player::new(engine, first, last, Speed::Factor(60.0), None);
    assert!(player.is_playing());
    player.command(ReplayCommand::NextAlarm);
    assert_eq!(player.at(), utc("2026-11-20T10:04:00Z"));
    assert!(!player.is_playing(), "pauses on the alarm");
    let snap = player.snapshot();
    assert!(snap.alarms.iter().any(|a| a.kind == "budget_exceeded"));
    assert_eq!(snap.replay.as_ref().unwrap().undated_records, 2);
    player.command(ReplayCommand::Seek(3600));
    player.command(ReplayCommand::PrevAlarm);
    assert_eq!(player.at(), utc("2026-11-20T10:04:00Z"));
    player.command(ReplayCommand::PrevAlarm);
    assert_eq!(player.at(), utc("2026-11-20T10:04:00Z"), "no earlier alarm");
}

/// Plays from `start` to `t` in uneven wall-clock steps at 60×.
fn played(
    tl: &Timeline,
    budget: bool,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    t: DateTime<Utc>,
) -> costtop::snapshot::Snapshot {
    let options = EngineOptions {
        skip_quiet: false,
        checkpoint_every: None,
    };
    let engine = Engine::with_options(tl.clone(), settings(budget), Some(start), options);
    let mut player = Player::new(engine, start, end, Speed::Factor(60.0), None);
    let mut step: u64 = 0;
    while player.at() < t {
        step += 1;
        // Uneven frames (37 to 259 ms of wall time), the last one cut to land on `t`.
        let left_us = ((t - player.at()).num_milliseconds() as f64 * 1000.0 / 60.0).round();
        let us = ((step % 7 + 1) * 37_000).min(left_us.max(1.0) as u64);
        player.tick(Duration::from_micros(us));
    }
    let mut snap = player.snapshot();
    snap.replay = None;
    snap
}

#[test]
fn seeking_back_and_forth_lands_where_playing_straight_through_lands() {
    let (keep, dir) = fixtures();
    let tl = timeline(&[&dir, &keep.path().join("sample")]);
    let (first, last) = (tl.first().unwrap(), tl.last().unwrap());
    // Every boundary checkpointed and quiet stretches skipped: the fast paths under test.
    let options = EngineOptions {
        skip_quiet: true,
        checkpoint_every: Some(Duration::ZERO),
    };
    let engine = Engine::with_options(tl.clone(), settings(true), None, options);
    assert!(engine.checkpoints() > 10);
    let mut player = Player::new(engine, first, last, Speed::Max, None);
    for t in [
        "2026-11-20T10:03:30Z",
        "2026-11-20T10:04:00Z",
        "2026-11-20T10:20:10Z",
        "2026-11-20T12:00:00Z",
        "2026-11-21T00:01:00Z",
    ] {
        let t = utc(t);
        let want = played(&tl, true, first, last, t);
        player.command(ReplayCommand::ToEnd);
        player.seek(t - chrono::Duration::hours(30));
        player.command(ReplayCommand::Seek(7200));
        player.seek(t);
        let mut got = player.snapshot();
        got.replay = None;
        assert_eq!(got, want, "at {t}");
        assert_eq!(got.as_of, t);
    }
}

#[test]
fn an_acknowledged_alarm_stays_acknowledged_across_seeks() {
    let (_keep, dir) = fixtures();
    let tl = timeline(&[&dir]);
    let (first, last) = (tl.first().unwrap(), tl.last().unwrap());
    let options = EngineOptions {
        skip_quiet: true,
        checkpoint_every: Some(Duration::ZERO),
    };
    let engine = Engine::with_options(tl, settings(true), None, options);
    let mut player = Player::new(engine, first, last, Speed::Max, None);
    let exceeded = |p: &Player| {
        p.snapshot()
            .alarms
            .iter()
            .find(|a| a.kind == "budget_exceeded")
            .map(|a| a.acknowledged)
    };
    player.seek(utc("2026-11-20T10:30:00Z"));
    assert_eq!(exceeded(&player), Some(false));
    player.control(Control::AcknowledgeAlarms);
    assert_eq!(exceeded(&player), Some(true));
    // Back to before the alarm (a checkpoint from before the acknowledgement), then forward.
    player.seek(utc("2026-11-20T09:00:00Z"));
    assert_eq!(exceeded(&player), None);
    player.seek(utc("2026-11-20T10:30:00Z"));
    assert_eq!(
        exceeded(&player),
        Some(true),
        "the same raise stays acknowledged"
    );
}
