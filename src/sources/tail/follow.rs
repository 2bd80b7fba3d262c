//! The follower: owns every followed file and, on each pass, finds new files, reads what was
//! appended, and handles rotation, truncation, deletion and unreadable files.

use std::collections::{BTreeMap, HashMap};
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::file::{FileId, Followed, file_id};
use super::options::TailOptions;
use super::wake::Watches;
use crate::sources::discover::{Source, SourceKind};
use crate::sources::ingest::{Batch, Closed, Tally};
use crate::usage::{SourceHealth, SourceMsg, SourceState};

mod history;

/// How long a rotated-away or deleted file's handle is still read (a writer may add a last
/// line after the rename), and can be recognised if it reappears under a watched name.
const RETIRE_GRACE: Duration = Duration::from_secs(5);

/// Health messages per source are at most this frequent.
const HEALTH_INTERVAL: Duration = Duration::from_secs(1);

/// One source and what has been reported about it.
struct Tracked {
    source: Source,
    tally: Tally,
    scan_error: Option<String>,
    sent: Option<SourceHealth>,
    sent_at: Option<Instant>,
}

/// Every followed file, by path, and the state needed to keep reading them exactly once.
pub(super) struct Follower {
    sources: Vec<Tracked>,
    files: BTreeMap<PathBuf, Followed>,
    retired: Vec<(Followed, Instant)>,
    batch: Batch,
    watches: Watches,
    opts: TailOptions,
    history_read: bool,
    /// Files found are opened but not read yet (the history is read in parallel after).
    defer_reads: bool,
}

impl Follower {
    pub(crate) fn new(
        sources: Vec<Source>,
        batch: Batch,
        watches: Watches,
        opts: TailOptions,
    ) -> Self {
        let sources = sources
            .into_iter()
            .map(|source| Tracked {
                source,
                tally: Tally::default(),
                scan_error: None,
                sent: None,
                sent_at: None,
            })
            .collect();
        Follower {
            sources,
            files: BTreeMap::new(),
            retired: Vec::new(),
            batch,
            watches,
            opts,
            history_read: false,
            defer_reads: false,
        }
    }

    /// Whether the receiver is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.batch.is_closed()
    }

    /// The first pass: reads all history (every file found, in parallel), reports health and
    /// says `CaughtUp` per source.
    pub(crate) fn catch_up(&mut self) -> Result<(), Closed> {
        self.defer_reads = true;
        let found = self.full_pass();
        self.defer_reads = false;
        found?;
        self.read_history()?;
        // Whatever was appended or appeared meanwhile.
        self.full_pass()?;
        self.publish_health(true)?;
        for tracked in &self.sources {
            let name = tracked.source.name.clone();
            self.batch.send(SourceMsg::CaughtUp { name })?;
        }
        self.history_read = true;
        Ok(())
    }

    /// Rescans every source, stats every file, and reads whatever changed.
    pub(crate) fn full_pass(&mut self) -> Result<(), Closed> {
        let current = self.scan();
        let stats: HashMap<&PathBuf, io::Result<Metadata>> =
            current.keys().map(|p| (p, std::fs::metadata(p))).collect();
        let mut located: HashMap<FileId, PathBuf> = HashMap::new();
        for (path, meta) in &stats {
            if let Ok(meta) = meta
                && meta.is_file()
                && let Some(id) = file_id(meta)
            {
                located.insert(id, (*path).clone());
            }
        }
        let known: Vec<PathBuf> = self.files.keys().cloned().collect();
        for path in known {
            let meta = match stats.get(&path) {
                Some(meta) => meta.as_ref().ok().cloned(),
                None => std::fs::metadata(&path).ok(),
            };
            self.refresh(&path, meta.as_ref(), &located)?;
        }
        for (path, &source) in &current {
            if self.files.contains_key(path) {
                continue;
            }
            match &stats[path] {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    let mut f = Followed::new(path.clone(), source);
                    f.error = Some(format!("cannot open {}: {e}", path.display()));
                    self.files.insert(path.clone(), f);
                }
                Ok(meta) => self.adopt(path, source, meta)?,
            }
        }
        self.read_retired()?;
        self.batch.flush()
    }

    /// Reads only the files named by notifications; returns `true` when a full pass is
    /// needed instead (a path is new, gone or replaced).
    pub(crate) fn quick_pass(&mut self, paths: &[PathBuf]) -> Result<bool, Closed> {
        for path in paths {
            let Some(f) = self.files.get_mut(path) else {
                continue;
            };
            let Ok(meta) = std::fs::metadata(path) else {
                return Ok(true);
            };
            if f.handle.is_none()
                || f.id != file_id(&meta)
                || meta.len() < f.position()
                || f.rewritten()
            {
                return Ok(true);
            }
            if meta.len() > f.position() {
                f.mtime = meta.modified().ok();
                f.read_new(&mut self.sources[f.source].tally, &mut self.batch)?;
            }
        }
        self.batch.flush()?;
        Ok(false)
    }

    /// Sends the health of every source whose health changed, at most once per
    /// [`HEALTH_INTERVAL`] unless `force`; returns when a change held back is due.
    pub(crate) fn publish_health(&mut self, force: bool) -> Result<Option<Instant>, Closed> {
        let mut held = None;
        for i in 0..self.sources.len() {
            let health = self.health(i);
            let tracked = &mut self.sources[i];
            let due = force
                || tracked
                    .sent_at
                    .is_none_or(|t| t.elapsed() >= HEALTH_INTERVAL);
            if tracked.sent.as_ref() == Some(&health) {
                continue;
            }
            if due {
                tracked.sent = Some(health.clone());
                tracked.sent_at = Some(Instant::now());
                self.batch.send(SourceMsg::Health(health))?;
            } else if let Some(at) = tracked.sent_at {
                let at = at + HEALTH_INTERVAL;
                held = Some(held.map_or(at, |h: Instant| h.min(at)));
            }
        }
        Ok(held)
    }

    fn health(&self, i: usize) -> SourceHealth {
        let tracked = &self.sources[i];
        let mut files = 0;
        let mut error = None;
        for f in self.files.values().filter(|f| f.source == i) {
            files += 1;
            if error.is_none() {
                error.clone_from(&f.error);
            }
        }
        let state = match error.or_else(|| tracked.scan_error.clone()) {
            Some(reason) => SourceState::Error(reason),
            None => SourceState::Ok,
        };
        SourceHealth {
            name: tracked.source.name.clone(),
            state,
            lines: tracked.tally.lines,
            parse_errors: tracked.tally.parse_errors,
            first_error: tracked.tally.first_error.clone(),
            naive_times: tracked.tally.naive_times,
            compactions: tracked.tally.compactions,
            last_event: tracked.tally.last_event,
            files,
            ..SourceHealth::default()
        }
    }

    /// Every path the sources stand for now, each with the first source naming it; also
    /// makes sure their folders are watched.
    fn scan(&mut self) -> BTreeMap<PathBuf, usize> {
        let mut current = BTreeMap::new();
        for (i, tracked) in self.sources.iter_mut().enumerate() {
            if let Some(root) = tracked.source.watch_root() {
                let recursive = tracked.source.kind != SourceKind::File;
                self.watches.ensure(&root, recursive);
            }
            match tracked.source.rescan() {
                Ok(paths) => {
                    tracked.scan_error = None;
                    for path in paths {
                        current.entry(path).or_insert(i);
                    }
                }
                Err(e) => tracked.scan_error = Some(e.to_string()),
            }
        }
        current
    }

    /// Brings one known file up to date given what is at its path now.
    fn refresh(
        &mut self,
        path: &Path,
        meta: Option<&Metadata>,
        located: &HashMap<FileId, PathBuf>,
    ) -> Result<(), Closed> {
        let Some(f) = self.files.get_mut(path) else {
            return Ok(());
        };
        let tally = &mut self.sources[f.source].tally;
        if f.handle.is_none() {
            if meta.is_none() {
                // It never opened and is gone now: nothing to report any more.
                self.files.remove(path);
                return Ok(());
            }
            f.open(false);
            return f.read_new(tally, &mut self.batch);
        }
        let same_file = match (f.id, meta) {
            (_, None) => false,
            (Some(old), Some(meta)) => file_id(meta) == Some(old),
            (None, Some(_)) => true,
        };
        if same_file {
            let len = meta.map_or(0, Metadata::len);
            if len < f.position() || f.rewritten() {
                f.restart();
            }
            if len != f.position() {
                f.mtime = meta.and_then(|m| m.modified().ok());
                f.read_new(tally, &mut self.batch)?;
            }
            return Ok(());
        }
        // Renamed away, replaced or deleted: finish the old file first.
        f.read_new(tally, &mut self.batch)?;
        let Some(mut old) = self.files.remove(path) else {
            return Ok(());
        };
        match old.id.and_then(|id| located.get(&id)) {
            Some(new_path) if !self.files.contains_key(new_path) => {
                old.path_text = new_path.display().to_string();
                old.path.clone_from(new_path);
                self.files.insert(new_path.clone(), old);
            }
            _ => self.retired.push((old, Instant::now())),
        }
        Ok(())
    }

    /// Starts following a file found by a scan (or recognises a rotated one).
    fn adopt(&mut self, path: &Path, source: usize, meta: &Metadata) -> Result<(), Closed> {
        let id = if meta.is_file() { file_id(meta) } else { None };
        if let Some(at) = id.and_then(|id| self.retired.iter().position(|(f, _)| f.id == Some(id)))
        {
            let (mut f, _) = self.retired.swap_remove(at);
            f.path = path.to_path_buf();
            f.path_text = path.display().to_string();
            f.source = source;
            f.read_new(&mut self.sources[source].tally, &mut self.batch)?;
            self.files.insert(path.to_path_buf(), f);
            return Ok(());
        }
        let mut f = Followed::new(path.to_path_buf(), source);
        let old = match (self.opts.skip_older_than, meta.modified()) {
            (Some(limit), Ok(mtime)) => mtime < limit,
            _ => false,
        };
        f.open(!self.history_read && old);
        if !self.defer_reads {
            f.read_new(&mut self.sources[source].tally, &mut self.batch)?;
        }
        self.files.insert(path.to_path_buf(), f);
        Ok(())
    }

    /// Reads the last lines of rotated-away files; drops them after the grace period.
    fn read_retired(&mut self) -> Result<(), Closed> {
        for (f, _) in &mut self.retired {
            f.read_new(&mut self.sources[f.source].tally, &mut self.batch)?;
        }
        self.retired
            .retain(|(_, since)| since.elapsed() < RETIRE_GRACE);
        Ok(())
    }
}
