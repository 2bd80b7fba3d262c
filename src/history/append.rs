//! Appending to the history, by any number of costtops at once: each append takes the lock
//! file, first reads the blocks others appended since (so no record is written twice), puts
//! damage aside (see `rewrite.rs`), then writes its new records as whole blocks at the end.
//! A write cut short (a full disk) is cut back off, so the file holds whole blocks only; a
//! process killed mid-write leaves at most one unfinished block, which the next append puts
//! aside.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::block;
use super::file::{self, FILE_MAGIC, OpenError, Summary, lock};
use super::index::{Identity, Known, identity};
use super::rewrite;
use crate::usage::UsageEvent;

/// Most records written in one block.
pub(crate) const BLOCK_RECORDS: usize = 8192;

/// A record a reading wants the history to hold: for one without a key, which copy of it
/// this is in that reading (0 for the first), so that n copies seen are n copies held.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// The record.
    pub(crate) event: UsageEvent,
    /// Its copy number among records of the same content (records without a key).
    pub(crate) copy: u32,
}

/// What an append did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Appended {
    /// Records written.
    pub(crate) records: usize,
    /// Bytes written.
    pub(crate) bytes: u64,
    /// Another costtop held the lock past the caller's patience: nothing was done.
    pub(crate) busy: bool,
    /// Damage found and put aside, with where it went.
    pub(crate) repaired: Option<String>,
}

/// One writer's view of the history: what it holds and up to where it was read.
#[derive(Debug)]
pub(crate) struct Appender {
    path: PathBuf,
    /// Every record the file held when last read, and what this writer added.
    held: Known,
    /// Where the pieces read end.
    end: u64,
    /// The identity of the file read.
    identity: u64,
    /// Damage was seen (and is put aside at the next append).
    damaged: bool,
}

impl Appender {
    /// A writer for `path`, which was read up to `summary.end` and holds `held`.
    pub(crate) fn new(path: &Path, held: Known, summary: &Summary) -> Appender {
        Appender {
            path: path.to_path_buf(),
            held,
            end: summary.end,
            identity: summary.identity,
            damaged: !summary.damaged.is_empty() || summary.incomplete.is_some(),
        }
    }

    /// Whether damage was seen that the next append puts aside.
    pub(crate) fn damaged(&self) -> bool {
        self.damaged
    }

    /// The history's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the candidates the history does not hold yet. It waits at most `patience` for
    /// the lock another costtop holds, then gives up (`busy`). `durable` syncs the data to
    /// disk.
    pub(crate) fn append(
        &mut self,
        candidates: &[Candidate],
        patience: Duration,
        durable: bool,
    ) -> std::io::Result<Appended> {
        let Some(_lock) = lock(&self.path, patience)? else {
            return Ok(Appended {
                busy: true,
                ..Appended::default()
            });
        };
        let mut appended = Appended::default();
        let mut file = self.catch_up()?;
        if self.damaged {
            let aside = rewrite::put_damage_aside(&self.path)?;
            appended.repaired = aside.map(|p| p.display().to_string());
            self.damaged = false;
            // The file may have been replaced: read it whole again.
            self.end = 0;
            self.identity = 0;
            self.held = Known::default();
            file = self.catch_up()?;
        }
        let new = self.select(candidates);
        for chunk in new.chunks(BLOCK_RECORDS) {
            let block = block::encode(chunk)?;
            let before = file.metadata()?.len();
            if let Err(e) = file.write_all(&block) {
                // Cut a partly written block back off; the records stay for the next try.
                let _ = file.set_len(before);
                return Err(e);
            }
            for e in chunk {
                self.held.add(identity(e), e.rank);
            }
            self.end = before + block.len() as u64;
            appended.records += chunk.len();
            appended.bytes += block.len() as u64;
        }
        if durable && appended.records > 0 {
            file.sync_data()?;
        }
        Ok(appended)
    }

    /// Opens the file for appending (creating it with its header), reading first whatever
    /// was appended or changed since this writer last read it.
    fn catch_up(&mut self) -> std::io::Result<File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.path)?;
        let meta = file.metadata()?;
        if meta.len() == 0 {
            file.write_all(FILE_MAGIC)?;
        }
        let len = file.metadata()?.len();
        let replaced = file::identity(&meta) != self.identity || len < self.end;
        if replaced {
            self.held = Known::default();
            self.end = 0;
            self.identity = file::identity(&meta);
        }
        if len > self.end {
            let held = &mut self.held;
            let summary = file::visit(&self.path, self.end, true, |_, records| {
                for r in &records {
                    held.add(identity(r), r.rank);
                }
            })
            .map_err(|e| match e {
                OpenError::Io { source, .. } => source,
                e @ OpenError::NotHistory(_) => std::io::Error::other(e.to_string()),
            })?;
            self.damaged |= !summary.damaged.is_empty() || summary.incomplete.is_some();
            self.end = summary.end;
        }
        Ok(file)
    }

    /// The candidates not held yet: per key the most complete copy, if it is more complete
    /// than the one held; records without a key beyond the copies held.
    fn select(&self, candidates: &[Candidate]) -> Vec<UsageEvent> {
        let mut best: foldhash::HashMap<u64, usize> = foldhash::HashMap::default();
        let mut more: foldhash::HashMap<u64, u32> = foldhash::HashMap::default();
        let mut out: Vec<UsageEvent> = Vec::new();
        for c in candidates {
            match identity(&c.event) {
                Identity::Key(key) => {
                    if self.held.covers_key(key, c.event.rank) {
                        continue;
                    }
                    match best.get(&key) {
                        Some(&i) if out[i].rank >= c.event.rank => {}
                        Some(&i) => out[i] = c.event.clone(),
                        None => {
                            best.insert(key, out.len());
                            out.push(c.event.clone());
                        }
                    }
                }
                Identity::Content(hash) => {
                    let taken = more.entry(hash).or_default();
                    if self.held.count(hash) + *taken <= c.copy {
                        *taken += 1;
                        out.push(c.event.clone());
                    }
                }
            }
        }
        out
    }
}
