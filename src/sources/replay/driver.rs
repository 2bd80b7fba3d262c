//! The replay task: owns a [`Player`], takes keys and controls from the dashboard, and
//! publishes `Arc<Snapshot>`s through a `watch` — about ten a second while playing, none
//! while paused and idle.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::player::Player;
use crate::snapshot::{Control, ReplayCommand, Snapshot};

/// Time between two frames while playing.
const FRAME: Duration = Duration::from_millis(100);

/// The ends of a running replay the dashboard holds.
#[derive(Debug)]
pub(crate) struct ReplayHandles {
    /// Published snapshots.
    pub(crate) snapshots: watch::Receiver<Arc<Snapshot>>,
    /// Window and acknowledge requests.
    pub(crate) controls: mpsc::UnboundedSender<Control>,
    /// Replay keys; dropping every sender stops the task.
    pub(crate) commands: mpsc::UnboundedSender<ReplayCommand>,
    /// The task.
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Starts the replay task on the current runtime (a multi-threaded one: a seek may hold a
/// worker for up to a couple of hundred milliseconds).
pub(crate) fn spawn_player(player: Player) -> ReplayHandles {
    let (snap_tx, snapshots) = watch::channel(Arc::new(player.snapshot()));
    let (controls, control_rx) = mpsc::unbounded_channel();
    let (commands, command_rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(drive(player, snap_tx, control_rx, command_rx));
    ReplayHandles {
        snapshots,
        controls,
        commands,
        task,
    }
}

async fn drive(
    mut player: Player,
    snapshots: watch::Sender<Arc<Snapshot>>,
    mut controls: mpsc::UnboundedReceiver<Control>,
    mut commands: mpsc::UnboundedReceiver<ReplayCommand>,
) {
    let mut frame = tokio::time::interval(FRAME);
    frame.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last = Instant::now();
    let mut controls_open = true;
    loop {
        tokio::select! {
            cmd = commands.recv() => {
                let Some(cmd) = cmd else { break };
                player.command(cmd);
                // Apply a burst of keys (held arrow) before drawing once.
                while let Ok(cmd) = commands.try_recv() {
                    player.command(cmd);
                }
                last = Instant::now();
            }
            control = controls.recv(), if controls_open => match control {
                Some(c) => player.control(c),
                None => controls_open = false,
            },
            _ = frame.tick(), if player.is_playing() => {
                let now = Instant::now();
                player.tick(now - last);
                last = now;
            }
        }
        if snapshots.is_closed() {
            break;
        }
        snapshots.send_replace(Arc::new(player.snapshot()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Settings;
    use crate::sources::replay::{Engine, Speed, Timeline};
    use chrono::{TimeZone, Utc};

    #[tokio::test(start_paused = true)]
    async fn paused_replay_publishes_nothing_until_a_key() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        let engine = Engine::new(Timeline::default(), Settings::default(), Some(t0));
        let player = Player::new(
            engine,
            t0,
            t0 + chrono::Duration::hours(1),
            Speed::Factor(60.0),
            Some(t0),
        );
        let mut h = spawn_player(player);
        h.snapshots.mark_unchanged();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!h.snapshots.has_changed().unwrap());
        h.commands.send(ReplayCommand::TogglePause).unwrap();
        h.snapshots.changed().await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let snap = h.snapshots.borrow_and_update().clone();
        let r = snap.replay.as_ref().unwrap();
        assert!(!r.paused);
        assert!(
            snap.as_of > t0 + chrono::Duration::seconds(30),
            "{}",
            snap.as_of
        );
    }
}
