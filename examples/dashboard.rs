//! The dashboard over the fixture snapshot, for looking at it in a real terminal:
//! `cargo run --example dashboard [-- replay]`. `w` and `a` are answered like the aggregator would.

use std::sync::Arc;

use costtop::snapshot::Control;
use costtop::ui::{UiOptions, fixture, run_terminal};
use tokio::sync::{mpsc, watch};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let replaying = std::env::args().any(|a| a == "replay");
    let first = if replaying {
        fixture::replay_snapshot()
    } else {
        fixture::snapshot()
    };
    let (snap_tx, snap_rx) = watch::channel(Arc::new(first));
    let (ctl_tx, mut ctl_rx) = mpsc::unbounded_channel();
    let (replay_tx, mut replay_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(control) = ctl_rx.recv().await {
            snap_tx.send_modify(|s| {
                let s = Arc::make_mut(s);
                match control {
                    Control::SetWindow(w) => s.window.name = w.to_string(),
                    Control::AcknowledgeAlarms => {
                        s.alarms.iter_mut().for_each(|a| a.acknowledged = true);
                    }
                }
            });
        }
    });
    tokio::spawn(async move { while replay_rx.recv().await.is_some() {} });
    let replay = replaying.then_some(replay_tx);
    run_terminal(snap_rx, ctl_tx, replay, UiOptions::default()).await
}
