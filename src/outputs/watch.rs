//! `costtop watch`: one JSON snapshot per line on stdout, for scripts and other tools.

use std::time::Duration;

use crate::aggregate::AggregatorHandle;
use crate::snapshot::Snapshot;

/// One snapshot as a single line of JSON (the DESIGN.md §6 contract).
pub fn json_line(snap: &Snapshot) -> String {
    serde_json::to_string(snap).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Prints a fresh snapshot every `interval` until `stop` resolves or stdout closes.
pub(crate) async fn print_every(
    handle: &AggregatorHandle,
    interval: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            _ = ticker.tick() => {
                let Some(snap) = handle.snapshot_now(None).await else { return Ok(()) };
                if !super::emit(&format!("{}\n", json_line(&snap)))? {
                    return Ok(());
                }
            }
        }
    }
}
