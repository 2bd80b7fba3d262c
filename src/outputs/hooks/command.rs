//! The `--on-alarm` worker: runs `sh -c CMD` per queued alarm, one at a time, with the alarm in
//! its environment; a run past its time limit is killed with its whole process group (so a
//! `sleep` it started dies too) and reported.

use std::process::Stdio;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::sync::mpsc;

use super::actions::{HookTiming, Outcome};
use crate::snapshot::AlarmLogEntry;

/// Runs the command for each alarm from `queue` until the queue closes, reporting outcomes.
pub(super) async fn run_all(
    cmd: String,
    timing: HookTiming,
    mut queue: mpsc::Receiver<AlarmLogEntry>,
    outcomes: mpsc::Sender<Outcome>,
) {
    while let Some(entry) = queue.recv().await {
        let result = run(&cmd, &entry, timing).await;
        if outcomes.send(Outcome { action: 1, result }).await.is_err() {
            break;
        }
    }
}

/// Runs the command once for `e`.
async fn run(cmd: &str, e: &AlarmLogEntry, timing: HookTiming) -> Result<(), String> {
    let amount = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("COSTTOP_ALARM_KIND", &e.kind)
        .env("COSTTOP_ALARM_SEVERITY", &e.severity)
        .env("COSTTOP_ALARM_MESSAGE", &e.message)
        .env("COSTTOP_ALARM_SPENT_USD", amount(e.spent_usd))
        .env("COSTTOP_ALARM_LIMIT_USD", amount(e.limit_usd))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot start: {err}"))?;
    match tokio::time::timeout(timing.command_timeout, child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("exited with {status}")),
        Ok(Err(err)) => Err(format!("cannot wait for it: {err}")),
        Err(_) => {
            // The group id is the child's pid (`process_group(0)`).
            if let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) {
                let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
            }
            let _ = child.wait().await;
            Err(format!(
                "timed out after {} and was killed",
                humantime::format_duration(timing.command_timeout)
            ))
        }
    }
}
