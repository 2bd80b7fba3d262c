//! File-system notifications as wake-ups for the follower. They only say "look now"; what
//! changed is always found by stat and read, because notify misses events on some
//! filesystems (network mounts, some containers), which the periodic pass covers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecursiveMode, Watcher};

use super::file::{FileId, file_id};

/// One notification, reduced to what the follower needs.
#[derive(Debug)]
pub(super) struct Wake {
    /// The paths it names.
    pub(crate) paths: Vec<PathBuf>,
    /// Something was created, removed or renamed: the file set may have changed.
    pub(crate) structural: bool,
}

/// The watcher and the folders it watches, each with the identity it had when watched: a
/// folder deleted and created again is a new folder, and its watch died with the old one.
pub(super) struct Watches {
    watcher: Option<notify::RecommendedWatcher>,
    watched: HashMap<PathBuf, Option<FileId>>,
    /// For a folder that does not exist (yet, or any more): the existing folder above it,
    /// watched so its creation wakes the follower.
    stand_ins: HashMap<PathBuf, PathBuf>,
}

impl Watches {
    /// Starts a watcher that sends wake-ups to `tx`; without one (inotify limits, unsupported
    /// platform) following still works by polling.
    pub(crate) fn new(tx: mpsc::Sender<Wake>) -> Self {
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
            watched: HashMap::new(),
            stand_ins: HashMap::new(),
        }
    }

    /// Watches `dir` if it exists and is not watched yet, again if it was deleted and
    /// created since; while it does not exist, the nearest folder above it (called every full
    /// pass, so a folder that appears later is picked up).
    pub(crate) fn ensure(&mut self, dir: &Path, recursive: bool) {
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        let meta = std::fs::metadata(dir)
            .ok()
            .filter(std::fs::Metadata::is_dir);
        let Some(meta) = meta else {
            if self.watched.remove(dir).is_some() {
                let _ = watcher.unwatch(dir);
            }
            if !self.stand_ins.contains_key(dir)
                && let Some(above) = dir.ancestors().skip(1).find(|a| a.is_dir())
                && watcher.watch(above, RecursiveMode::NonRecursive).is_ok()
            {
                self.stand_ins
                    .insert(dir.to_path_buf(), above.to_path_buf());
            }
            return;
        };
        let id = file_id(&meta);
        if self.watched.get(dir) == Some(&id) {
            return;
        }
        if self.watched.remove(dir).is_some() {
            // The old folder's watch (if notify still holds it) points at a deleted folder.
            let _ = watcher.unwatch(dir);
        }
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        match watcher.watch(dir, mode) {
            Ok(()) => {
                self.watched.insert(dir.to_path_buf(), id);
                if let Some(above) = self.stand_ins.remove(dir)
                    && !self.watched.contains_key(&above)
                    && !self.stand_ins.values().any(|a| *a == above)
                {
                    let _ = watcher.unwatch(&above);
                }
            }
            Err(e) => tracing::debug!("cannot watch {}: {e}", dir.display()),
        }
    }
}
