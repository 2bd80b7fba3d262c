//! The history file as a whole: where it lives, its 16-byte header, and reading it from an
//! offset into [`Piece`]s with a summary of what was found (records, time range, damage).

use std::fs::{File, Metadata, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::block::Header;
use super::scan::{Piece, Pieces};
use crate::usage::UsageEvent;

/// The first bytes of every history file.
pub(crate) const FILE_MAGIC: &[u8; 16] = b"COSTTOP-HISTORY\n";

/// Where the history lives unless the config says otherwise:
/// `<data dir>/costtop/history.ledger`.
pub(crate) fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.data_dir().join("history.ledger"))
}

/// The lock file beside the history: whoever appends, repairs or prunes holds it.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    sibling(path, ".lock")
}

/// `PATH<suffix>`, beside `path`.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The identity of a file (its inode), so a history replaced by a prune or a repair is read
/// again from its start.
#[cfg(unix)]
pub(crate) fn identity(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

/// The identity of a file (none off Unix: a replaced history is noticed by its size only).
#[cfg(not(unix))]
pub(crate) fn identity(_meta: &Metadata) -> u64 {
    0
}

/// What a pass over the history found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Bytes of the file.
    pub(crate) bytes: u64,
    /// Good blocks.
    pub(crate) blocks: u64,
    /// Records in them (copies of one request included).
    pub(crate) records: u64,
    /// Earliest and latest record times.
    pub(crate) first: Option<DateTime<Utc>>,
    /// Latest record time.
    pub(crate) last: Option<DateTime<Utc>>,
    /// Ranges that are not whole, checked blocks, and why.
    pub(crate) damaged: Vec<(Range<u64>, String)>,
    /// An unfinished last block (a crash mid-append, or an append under way).
    pub(crate) incomplete: Option<Range<u64>>,
    /// Blocks of a newer costtop, kept and not read.
    pub(crate) newer: u64,
    /// Where the pieces read end, an unfinished last block left out: the offset the next
    /// reading starts from.
    pub(crate) end: u64,
    /// The file's identity when read.
    pub(crate) identity: u64,
}

impl Summary {
    fn note(&mut self, header: &Header, offset: u64) {
        self.blocks += 1;
        self.records += u64::from(header.count);
        let (first, last) = (
            DateTime::from_timestamp_millis(header.first_ms),
            DateTime::from_timestamp_millis(header.last_ms),
        );
        if header.count > 0 {
            self.first = match (self.first, first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            self.last = self.last.max(last);
        }
        self.end = offset + header.block_len();
    }

    /// One line saying what could not be read, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some((first, why)) = self.damaged.first() {
            parts.push(format!(
                "{} damaged range{} ({} bytes; the first at byte {}: {why})",
                self.damaged.len(),
                if self.damaged.len() == 1 { "" } else { "s" },
                self.damaged
                    .iter()
                    .map(|(r, _)| r.end - r.start)
                    .sum::<u64>(),
                first.start,
            ));
        }
        if let Some(r) = &self.incomplete {
            parts.push(format!(
                "an unfinished last block ({} bytes at byte {})",
                r.end - r.start,
                r.start
            ));
        }
        if self.newer > 0 {
            parts.push(format!(
                "{} block(s) written by a newer costtop, not read",
                self.newer
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Why a history cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is something else than a history.
    #[error("{} is not a costtop history (it does not start with its header)", .0.display())]
    NotHistory(PathBuf),
}

/// The bytes of `path` from `offset` (at least the header's end) to its end, with its
/// metadata; `None` when there is no file.
pub(crate) fn read_from(
    path: &Path,
    offset: u64,
) -> Result<Option<(Vec<u8>, Metadata)>, OpenError> {
    let io = |source| OpenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    let mut head = [0u8; FILE_MAGIC.len()];
    let got = read_up_to(&mut file, &mut head).map_err(io)?;
    if got < head.len() {
        // An empty file, or one whose header is being written: nothing in it yet.
        return if FILE_MAGIC.starts_with(&head[..got]) {
            Ok(Some((Vec::new(), meta)))
        } else {
            Err(OpenError::NotHistory(path.to_path_buf()))
        };
    }
    if &head != FILE_MAGIC {
        return Err(OpenError::NotHistory(path.to_path_buf()));
    }
    let from = offset.max(FILE_MAGIC.len() as u64);
    file.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut bytes = Vec::with_capacity(meta.len().saturating_sub(from) as usize);
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(Some((bytes, meta)))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// Reads `path` from `offset` (0: the whole file), handing each good block's header and
/// records (none unless `decode`) to `visit`; returns what was found. A missing file is an
/// empty history.
pub(crate) fn visit(
    path: &Path,
    offset: u64,
    decode: bool,
    mut visit: impl FnMut(&Header, Vec<UsageEvent>),
) -> Result<Summary, OpenError> {
    let Some((bytes, meta)) = read_from(path, offset)? else {
        return Ok(Summary::default());
    };
    let base = offset.max(FILE_MAGIC.len() as u64);
    let mut summary = Summary {
        bytes: meta.len(),
        end: base.min(meta.len()),
        identity: identity(&meta),
        ..Summary::default()
    };
    for piece in Pieces::new(&bytes, base, decode) {
        match piece {
            Piece::Block {
                offset,
                header,
                records,
            } => {
                summary.note(&header, offset);
                visit(&header, records);
            }
            Piece::Damaged { range, why } => {
                summary.end = range.end;
                summary.damaged.push((range, why));
            }
            Piece::Incomplete { range } => summary.incomplete = Some(range),
            Piece::Newer { range, .. } => {
                summary.newer += 1;
                summary.end = range.end;
            }
        }
    }
    Ok(summary)
}

/// Takes the lock beside `path`, trying for at most `patience` (zero: once); `None` when it
/// is still held elsewhere. The lock is released when the returned file is dropped. A holder
/// that is stopped or hung never stops this caller for longer than its patience.
pub(crate) fn lock(path: &Path, patience: Duration) -> std::io::Result<Option<File>> {
    let lock_path = lock_path(path);
    if let Some(dir) = lock_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)?;
    let deadline = Instant::now() + patience;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(Some(lock)),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}
