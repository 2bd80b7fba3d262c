//! Alarm actions that fail, against real endpoints on loopback: a webhook that refuses
//! connections, one that hangs (with more alarms than its queue holds), and an `--on-alarm`
//! command that hangs. Each is survived (snapshots keep coming) and shown as the action's
//! health in the snapshot's sources, which the status bar and the alarm log show.

use std::time::Duration;

use chrono::Utc;
use costtop::aggregate::AggregatorHandle;
use costtop::outputs::hooks::{AlarmActions, HookTiming, spawn_alarm_actions};
use costtop::usage::{SourceMsg, UsageEvent};

use crate::support::alarms::{Hook, hook_server};
use crate::support::faults::{aggregator, usage, wait_for_source};

/// Quick limits, so failures show within a second.
fn quick(queue: usize) -> HookTiming {
    HookTiming {
        attempts: 2,
        backoff: Duration::from_millis(20),
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        command_timeout: Duration::from_millis(300),
        queue,
        in_flight: 1,
    }
}

/// One request on a model nobody prices: each distinct model raises its own alarm.
fn unpriced(n: usize) -> UsageEvent {
    usage(&format!("mystery-model-{n}"), 10, 0, Utc::now(), None)
}

async fn raise_alarms(handle: &AggregatorHandle, count: usize) {
    let events = (0..count).map(unpriced).collect();
    handle
        .source_sender()
        .send(SourceMsg::Events(events))
        .await
        .expect("aggregator alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_webhook_is_shown_failing_without_its_secret_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let handle = aggregator();
    let actions = AlarmActions {
        webhook: Some(format!("http://127.0.0.1:{port}/services/T000/SECRETTOKEN")),
        timing: quick(8),
        ..AlarmActions::default()
    };
    let _task = spawn_alarm_actions(handle.snapshots(), &actions, Some(handle.source_sender()));
    raise_alarms(&handle, 1).await;
    let name = format!("webhook 127.0.0.1:{port}");
    let s = wait_for_source(&handle, &name, |s| s.state == "error").await;
    let reason = s.reason.clone().expect("a reason");
    assert!(reason.contains("cannot connect"), "{reason}");
    assert!(reason.contains("alarms not delivered"), "{reason}");
    assert_eq!(s.lines, 0, "nothing was delivered");
    let shown = format!("{s:?}{reason}");
    assert!(!shown.contains("SECRETTOKEN"), "{shown}");
    // Monitoring goes on: a new record is counted at once.
    raise_alarms(&handle, 1).await;
    let snap = handle.snapshot_now(None).await.expect("alive");
    assert_eq!(snap.totals.requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_webhook_times_out_and_alarms_past_its_queue_are_counted() {
    let server = hook_server(Hook::Hang).await;
    let handle = aggregator();
    let actions = AlarmActions {
        webhook: Some(server.url.clone()),
        timing: HookTiming {
            attempts: 1,
            ..quick(1)
        },
        ..AlarmActions::default()
    };
    let _task = spawn_alarm_actions(handle.snapshots(), &actions, Some(handle.source_sender()));
    raise_alarms(&handle, 6).await;
    // Six alarms (and then a seventh: the webhook itself is down), one delivery at a time and
    // one waiting: the others are dropped; none is delivered.
    let s = wait_for_source(&handle, "webhook 127.0.0.1", |s| {
        s.state == "error" && s.parse_errors >= 6 && s.lines == 0
    })
    .await;
    let reason = s.reason.expect("a reason");
    assert!(reason.contains("timed out"), "{reason}");
    assert!(reason.contains("alarms dropped (queue full)"), "{reason}");
    assert!(
        server.hits() <= 3,
        "only what the queue held was tried: {}",
        server.hits()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_on_alarm_command_is_killed_with_its_children_and_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pid_file = tmp.path().join("sleep.pid");
    let handle = aggregator();
    let actions = AlarmActions {
        on_alarm: Some(format!(
            "sleep 30 & echo $! > '{}'; wait",
            pid_file.display()
        )),
        timing: quick(8),
        ..AlarmActions::default()
    };
    let _task = spawn_alarm_actions(handle.snapshots(), &actions, Some(handle.source_sender()));
    raise_alarms(&handle, 1).await;
    let s = wait_for_source(&handle, "on-alarm", |s| s.state == "error").await;
    let reason = s.reason.expect("a reason");
    assert!(
        reason.contains("timed out after 300ms and was killed"),
        "{reason}"
    );
    let pid = std::fs::read_to_string(&pid_file).expect("the command ran");
    // Gone, or a zombie waiting for its (new) parent: not sleeping any more. (A SIGKILL takes
    // effect when the process next runs: on a busy machine, give it a moment.)
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        let state = stat
            .as_deref()
            .ok()
            .and_then(|s| s.rsplit(')').next())
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned);
        if matches!(state.as_deref(), None | Some("Z" | "X")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sleep still running: {stat:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
