//! The cache itself: per file, the metadata seen, the offset read up to and the records found.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::record::{Names, PricedRecord};
use crate::parse::{LineContext, Parsed, parse_line};
use crate::pricing::PriceTable;
use crate::sources::lines::{Line, LineReader};
use crate::usage::UsageEvent;

/// Bumped whenever the stored shape or meaning changes: an older ledger is then ignored.
const FORMAT: u32 = 2;

/// What the ledger knows of one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FileEntry {
    size: u64,
    modified_ns: i64,
    identity: u64,
    offset: u64,
    lines: u64,
    records: Vec<PricedRecord>,
    /// What could not be read (the history's damage).
    problem: Option<String>,
}

impl FileEntry {
    fn unchanged(&self, meta: &Metadata) -> bool {
        self.size == meta.len()
            && self.modified_ns == modified_ns(meta)
            && self.identity == identity(meta)
    }

    /// Starts over when the file was replaced or shrank; notes the metadata seen.
    fn refresh(&mut self, meta: &Metadata) {
        if self.identity != identity(meta) || meta.len() < self.offset {
            *self = FileEntry::default();
        }
        self.size = meta.len();
        self.modified_ns = modified_ns(meta);
        self.identity = identity(meta);
    }
}

/// The cache: per file (by UTF-8 path), what was read and found. Anything it cannot trust (a
/// missing, unreadable or older ledger, another price table) starts it empty.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Ledger {
    format: u32,
    prices: u64,
    files: HashMap<String, FileEntry>,
    names: Names,
    #[serde(skip)]
    changed: bool,
    /// Records read from transcripts in this call (not cached before), when collected.
    #[serde(skip)]
    fresh: Option<Vec<UsageEvent>>,
}

impl Ledger {
    /// Loads the ledger at `path`, or an empty one for the price table `prices` (a
    /// [`fingerprint`]) when the file is missing, unreadable or was made for other prices.
    pub(crate) fn load(path: &Path, prices: u64) -> Ledger {
        let stored = std::fs::read(path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Ledger>(&bytes).ok())
            .filter(|l| l.format == FORMAT && l.prices == prices);
        let mut ledger = stored.unwrap_or_else(|| Ledger {
            format: FORMAT,
            prices,
            changed: true,
            ..Ledger::default()
        });
        ledger.names.reindex();
        ledger
    }

    /// Writes the ledger to `path` if anything changed (a temporary file renamed over the
    /// old one, so a concurrent reader sees either whole).
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let bytes = postcard::to_stdvec(self).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }

    /// Keeps the records read from transcripts from now on, for [`Ledger::take_fresh`].
    pub(crate) fn collect_fresh(&mut self) {
        self.fresh.get_or_insert_with(Vec::new);
    }

    /// The records read from transcripts since [`Ledger::collect_fresh`].
    pub(crate) fn take_fresh(&mut self) -> Vec<UsageEvent> {
        self.fresh.take().unwrap_or_default()
    }

    /// The names the records' ids stand for.
    pub(crate) fn names(&self) -> &Names {
        &self.names
    }

    /// The records of `path` (whose metadata is `meta`): the cached ones, plus those of the
    /// lines appended since. A file that shrank or was replaced is read again from its start;
    /// one that cannot be read has none.
    pub(crate) fn records(
        &mut self,
        path: &Path,
        meta: &Metadata,
        table: &PriceTable,
    ) -> &[PricedRecord] {
        let name = path.to_string_lossy().into_owned();
        let entry = self.files.entry(name).or_default();
        if !entry.unchanged(meta) {
            entry.refresh(meta);
            read_new(
                path,
                meta,
                entry,
                table,
                &mut self.names,
                self.fresh.as_mut(),
            );
            self.changed = true;
        }
        &entry.records
    }

    /// The records of the history at `path` (cached, plus the blocks appended since) and what
    /// could not be read of it.
    pub(crate) fn history(
        &mut self,
        path: &Path,
        table: &PriceTable,
    ) -> (&[PricedRecord], Option<String>) {
        let Ok(meta) = std::fs::metadata(path) else {
            return (&[], None);
        };
        let entry = self
            .files
            .entry(path.to_string_lossy().into_owned())
            .or_default();
        if !entry.unchanged(&meta) {
            entry.refresh(&meta);
            let names = &mut self.names;
            let records = &mut entry.records;
            match crate::history::visit(path, entry.offset, true, |_, events| {
                records.extend(events.iter().map(|e| PricedRecord::of(e, table, names)));
            }) {
                Ok(summary) => {
                    entry.offset = summary.end;
                    // An unfinished last block may be an append under way: read it next time.
                    entry.problem = (!summary.damaged.is_empty())
                        .then(|| summary.problem())
                        .flatten();
                }
                Err(e) => entry.problem = Some(e.to_string()),
            }
            self.changed = true;
        }
        (&entry.records, entry.problem.clone())
    }

    /// Where the history at `path` was read up to, and the identity of the file read.
    pub(crate) fn history_position(&self, path: &Path) -> (u64, u64) {
        self.files
            .get(&*path.to_string_lossy())
            .map_or((0, 0), |e| (e.offset, e.identity))
    }

    /// Forgets every file but those `keep` names, so the ledger holds only what is still asked
    /// for.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        let before = self.files.len();
        self.files.retain(|name, _| keep(Path::new(name)));
        self.changed |= self.files.len() != before;
    }
}

/// Reads `path` from `entry.offset` to its last complete line, appending the records found
/// (and, when collected, the events themselves).
fn read_new(
    path: &Path,
    meta: &Metadata,
    entry: &mut FileEntry,
    table: &PriceTable,
    names: &mut Names,
    mut fresh: Option<&mut Vec<UsageEvent>>,
) {
    let Ok(mut file) = File::open(path) else {
        return;
    };
    if file.seek(SeekFrom::Start(entry.offset)).is_err() {
        return;
    }
    let name = path.to_string_lossy();
    let ctx = LineContext {
        fallback_time: meta
            .modified()
            .map(DateTime::<Utc>::from)
            .unwrap_or_default(),
        path: &name,
    };
    let mut reader = LineReader::new();
    reader.resume_at(entry.offset, entry.lines);
    loop {
        while let Some(line) = reader.next_line() {
            if let Line::Complete { bytes, .. } = line
                && let Parsed::Usage(event) = parse_line(bytes, &ctx)
            {
                entry.records.push(PricedRecord::of(&event, table, names));
                if let Some(fresh) = fresh.as_deref_mut() {
                    fresh.push(event);
                }
            }
        }
        match reader.fill(&mut file) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    // An unfinished last line stays for the next call: Claude Code may be writing it.
    entry.offset = reader.offset();
    entry.lines = reader.line_number();
}

fn modified_ns(meta: &Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The file's identity (inode), so a file replaced under the same name is read again.
#[cfg(unix)]
fn identity(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn identity(_meta: &Metadata) -> u64 {
    0
}

/// A fingerprint of a price table: a ledger priced with other prices is not reused.
pub(crate) fn fingerprint(table: &PriceTable) -> u64 {
    let mut entries = table.entries();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let text = format!("{entries:?}");
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// Where the ledger of a command lives: `<cache dir>/costtop/<name>.ledger` (`statusline`,
/// `check`: each keeps the files it asks for).
pub(crate) fn default_path(name: &str) -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop")
        .map(|d| d.cache_dir().join(format!("{name}.ledger")))
}
