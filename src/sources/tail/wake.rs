//! File-system notifications as wake-ups for the follower. They only say "look now"; what
//! changed is always found by stat and read, because notify misses events on some
//! filesystems (network mounts, some containers), which the periodic pass covers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecursiveMode, Watcher};

/// One notification, reduced to what the follower needs.
#[derive(Debug)]
pub(super) struct Wake {
    /// The paths it names.
    pub paths: Vec<PathBuf>,
    /// Something was created, removed or renamed: the file set may have changed.
    pub structural: bool,
}

/// The watcher and the folders it watches.
pub(super) struct Watches {
    watcher: Option<notify::RecommendedWatcher>,
    watched: HashSet<PathBuf>,
}

impl Watches {
    /// Starts a watcher that sends wake-ups to `tx`; without one (inotify limits, unsupported
    /// platform) following still works by polling.
    pub fn new(tx: mpsc::Sender<Wake>) -> Self {
        let handler = move |res: notify::Result<Event>| {
            let Ok(event) = res else { return };
            let structural = match event.kind {
                // Our own opens and reads; waking on them would loop.
                EventKind::Access(_) => return,
                EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_)) => false,
                _ => true,
            };
            let _ = tx.send(Wake {
                paths: event.paths,
                structural,
            });
        };
        let watcher = match notify::recommended_watcher(handler) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!("file notifications unavailable, polling only: {e}");
                None
            }
        };
        Watches {
            watcher,
            watched: HashSet::new(),
        }
    }

    /// Watches `dir` if it exists and is not watched yet (called every full pass, so a folder
    /// that appears later is picked up).
    pub fn ensure(&mut self, dir: &Path, recursive: bool) {
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        if self.watched.contains(dir) || !dir.is_dir() {
            return;
        }
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        match watcher.watch(dir, mode) {
            Ok(()) => {
                self.watched.insert(dir.to_path_buf());
            }
            Err(e) => tracing::debug!("cannot watch {}: {e}", dir.display()),
        }
    }
}
