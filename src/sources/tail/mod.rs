//! The live source: reads the history of every file, then follows them (appends, rotation,
//! truncation, new and deleted files) and standard input, sending events and health.
//!
//! File I/O runs on a dedicated thread; notifications only wake it early, and a periodic
//! pass every poll interval catches what notifications miss. Idle, it sleeps.

mod file;
mod follow;
mod options;
mod stdin;
mod wake;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use super::discover::{Source, SourceKind};
use super::ingest::{Batch, Closed};
use crate::usage::SourceMsg;
pub use options::TailOptions;

use follow::Follower;
use wake::{Wake, Watches};

/// Notifications arriving within this time of the first are handled in one pass.
const SETTLE: Duration = Duration::from_millis(50);

/// Sets the stop flag when the task is dropped or aborted.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Starts following `sources` (must be called inside a Tokio runtime). The task ends when
/// every source has stopped: when the receiver is dropped (or, for stdin, at its end).
/// Aborting the task stops the file follower too.
pub fn spawn_tail(
    sources: Vec<Source>,
    tx: Sender<SourceMsg>,
    opts: TailOptions,
) -> JoinHandle<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let (stdin, files): (Vec<Source>, Vec<Source>) = sources
        .into_iter()
        .partition(|s| s.kind == SourceKind::Stdin);
    let mut done = Vec::new();
    if let Some(source) = stdin.into_iter().next() {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("costtop-stdin".into())
            .spawn(move || {
                stdin::follow_stdin(&source.name, &tx);
                drop(done_tx);
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the stdin reader: {e}");
        }
        done.push(done_rx);
    }
    if !files.is_empty() {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let stop = Arc::clone(&stop);
        let spawned = std::thread::Builder::new()
            .name("costtop-tail".into())
            .spawn(move || {
                follow_files(files, Batch::new(tx), &opts, &stop);
                drop(done_tx);
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the file follower: {e}");
        }
        done.push(done_rx);
    }
    let guard = StopOnDrop(stop);
    tokio::spawn(async move {
        let _guard = guard;
        for rx in done {
            let _ = rx.await;
        }
    })
}

/// What the notifications since the last pass asked for.
#[derive(Default)]
struct Pending {
    paths: Vec<PathBuf>,
    structural: bool,
}

impl Pending {
    fn add(&mut self, wake: Wake) {
        self.structural |= wake.structural;
        self.paths.extend(wake.paths);
    }
}

/// The follower thread: history first, then a pass per wake-up or poll interval.
fn follow_files(sources: Vec<Source>, batch: Batch, opts: &TailOptions, stop: &AtomicBool) {
    let (wake_tx, wake_rx) = mpsc::channel();
    // Keeping a sender means the channel never disconnects, even without a watcher.
    let watches = Watches::new(wake_tx.clone());
    let mut follower = Follower::new(sources, batch, watches, opts.clone());
    if follower.catch_up().is_err() {
        return;
    }
    let poll = opts.poll_interval.max(Duration::from_millis(10));
    let mut next_full = Instant::now() + poll;
    // A health change held back by the rate limit, to be sent when due.
    let mut health_due: Option<Instant> = None;
    loop {
        let mut pending = Pending::default();
        let wake_at = health_due.map_or(next_full, |h| h.min(next_full));
        let woken = match wake_rx.recv_timeout(wake_at.saturating_duration_since(Instant::now())) {
            Ok(wake) => {
                pending.add(wake);
                let settle = Instant::now() + SETTLE;
                while let Ok(wake) =
                    wake_rx.recv_timeout(settle.saturating_duration_since(Instant::now()))
                {
                    pending.add(wake);
                }
                true
            }
            Err(_) => false,
        };
        if stop.load(Ordering::Relaxed) || follower.is_closed() {
            return;
        }
        let full = pending.structural || Instant::now() >= next_full;
        let result = if woken || full {
            pass(&mut follower, full, &pending.paths)
        } else {
            follower.publish_health(false)
        };
        match result {
            Ok(due) => health_due = due,
            Err(Closed) => return,
        }
        if full {
            next_full = Instant::now() + poll;
        }
    }
}

fn pass(follower: &mut Follower, full: bool, paths: &[PathBuf]) -> Result<Option<Instant>, Closed> {
    if full || follower.quick_pass(paths)? {
        follower.full_pass()?;
    }
    follower.publish_health(false)
}
