//! The ledger: a small on-disk cache of priced records per file, for commands that run often
//! and briefly (`costtop statusline`). For each file it keeps the size, modification time and
//! identity seen, the offset read up to (the end of the last complete line) and the records
//! found, so the next call reads only the bytes appended since.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lines::{Line, LineReader};
use crate::money::Money;
use crate::parse::{LineContext, Parsed, parse_line};
use crate::pricing::{PriceTable, price};
use crate::usage::UsageEvent;

/// Bumped whenever the stored shape or meaning changes: an older ledger is then ignored.
const FORMAT: u32 = 1;

/// One usage record, reduced to what a short summary needs: its dedupe identity, time, cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PricedRecord {
    /// The record's dedupe key (`None`: it cannot repeat).
    pub(crate) key: Option<u64>,
    /// How complete it is among records with the same key (the highest is kept).
    pub(crate) rank: u64,
    /// Event time, seconds since the epoch.
    pub(crate) at: i64,
    /// Its cost, billed iterations included, in picodollars (0 when unpriced).
    pub(crate) cost: i64,
    /// Whether every part of it was priced.
    pub(crate) priced: bool,
}

impl PricedRecord {
    /// Prices an event with `table`: its own tokens plus any iterations billed on top.
    pub(crate) fn of(event: &UsageEvent, table: &PriceTable) -> PricedRecord {
        let mut cost = Money::ZERO;
        let mut priced = true;
        let own = price(table, event);
        let iterations = event.iteration_events().map(|step| price(table, &step));
        for part in std::iter::once(own).chain(iterations) {
            match part {
                Some(c) => cost += c.total,
                None => priced = false,
            }
        }
        PricedRecord {
            key: event.key,
            rank: event.rank,
            at: event.timestamp.timestamp(),
            cost: i64::try_from(cost.0).unwrap_or(i64::MAX),
            priced,
        }
    }
}

/// What the ledger knows of one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FileEntry {
    size: u64,
    modified_ns: i64,
    identity: u64,
    offset: u64,
    lines: u64,
    records: Vec<PricedRecord>,
}

impl FileEntry {
    fn unchanged(&self, meta: &Metadata) -> bool {
        self.size == meta.len()
            && self.modified_ns == modified_ns(meta)
            && self.identity == identity(meta)
    }
}

/// The cache: per file (by UTF-8 path), what was read and found. Anything it cannot trust (a
/// missing, unreadable or older ledger, another price table) starts it empty.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Ledger {
    format: u32,
    prices: u64,
    files: HashMap<String, FileEntry>,
    #[serde(skip)]
    changed: bool,
}

impl Ledger {
    /// Loads the ledger at `path`, or an empty one for the price table `prices` (a
    /// [`fingerprint`]) when the file is missing, unreadable or was made for other prices.
    pub(crate) fn load(path: &Path, prices: u64) -> Ledger {
        let stored = std::fs::read(path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Ledger>(&bytes).ok())
            .filter(|l| l.format == FORMAT && l.prices == prices);
        stored.unwrap_or_else(|| Ledger {
            format: FORMAT,
            prices,
            files: HashMap::new(),
            changed: true,
        })
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

    /// The records of `path` (whose metadata is `meta`): the cached ones, plus those of the
    /// lines appended since. A file that shrank or was replaced is read again from its start;
    /// one that cannot be read has none.
    pub(crate) fn records(
        &mut self,
        path: &Path,
        meta: &Metadata,
        table: &PriceTable,
    ) -> Cow<'_, [PricedRecord]> {
        let Some(name) = path.to_str() else {
            // Not storable under a UTF-8 name: read whole every time.
            let mut entry = FileEntry::default();
            read_new(path, meta, &mut entry, table);
            return Cow::Owned(entry.records);
        };
        let entry = self.files.entry(name.to_owned()).or_default();
        if !entry.unchanged(meta) {
            if entry.identity != identity(meta) || meta.len() < entry.offset {
                *entry = FileEntry::default();
            }
            read_new(path, meta, entry, table);
            self.changed = true;
        }
        Cow::Borrowed(&entry.records)
    }

    /// Forgets every file but those `keep` names, so the ledger holds only what is still asked
    /// for.
    pub(crate) fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        let before = self.files.len();
        self.files.retain(|name, _| keep(Path::new(name)));
        self.changed |= self.files.len() != before;
    }
}

/// Reads `path` from `entry.offset` to its last complete line, appending the records found.
fn read_new(path: &Path, meta: &Metadata, entry: &mut FileEntry, table: &PriceTable) {
    entry.size = meta.len();
    entry.modified_ns = modified_ns(meta);
    entry.identity = identity(meta);
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
                entry.records.push(PricedRecord::of(&event, table));
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

/// Where the ledger of `costtop statusline` lives: `<cache dir>/costtop/statusline.ledger`.
pub(crate) fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop")
        .map(|d| d.cache_dir().join("statusline.ledger"))
}
