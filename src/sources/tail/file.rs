//! One followed file: its open handle, identity and line reader, and the reads that keep it
//! current across appends, truncation and reopening.

use std::fs::{File, Metadata};
use std::io::{Seek, SeekFrom};
use std::path::PathBuf;
use std::time::SystemTime;

use crate::sources::ingest::{Batch, Closed, Origin, Tally, file_started, take_lines, to_utc};
use crate::sources::lines::LineReader;
use crate::sources::read_all::open_file;

/// Bytes just before the read position remembered to tell an append from a rewrite.
const MARK_LEN: u64 = 32;

/// What identifies a file across renames: (device, inode) on unix.
pub(super) type FileId = (u64, u64);

/// The identity of the file behind `meta`; `None` where the platform gives none (then only
/// size heuristics detect a replaced file).
#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // `None` on other platforms
pub(super) fn file_id(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// The identity of the file behind `meta`; `None` where the platform gives none.
#[cfg(not(unix))]
pub(super) fn file_id(_meta: &Metadata) -> Option<FileId> {
    None
}

/// A file being followed.
#[derive(Debug)]
pub(super) struct Followed {
    pub(crate) path: PathBuf,
    pub(crate) path_text: String,
    /// Index of the source it belongs to.
    pub(crate) source: usize,
    pub(crate) handle: Option<File>,
    pub(crate) id: Option<FileId>,
    pub(crate) reader: LineReader,
    /// Why the file cannot be read right now (retried every pass).
    pub(crate) error: Option<String>,
    /// History before the start position was skipped: line numbers are relative.
    pub(crate) lines_from_start: bool,
    /// The first line read starts mid-line (after skipped history) and is dropped.
    pub(crate) drop_first_line: bool,
    pub(crate) mtime: Option<SystemTime>,
    /// The last bytes consumed (up to [`MARK_LEN`]), as read: if they change, the file was
    /// truncated and written again past the old position (copytruncate racing a writer).
    pub(crate) mark: Vec<u8>,
    /// When the file was started ([`file_started`]).
    pub(crate) started: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether [`started`](Self::started) is settled: looked for once the file had lines.
    pub(crate) start_known: bool,
}

impl Followed {
    /// A file not opened yet.
    pub(crate) fn new(path: PathBuf, source: usize) -> Self {
        Followed {
            path_text: path.display().to_string(),
            path,
            source,
            handle: None,
            id: None,
            reader: LineReader::new(),
            error: None,
            lines_from_start: true,
            drop_first_line: false,
            mtime: None,
            mark: Vec::new(),
            started: None,
            start_known: false,
        }
    }

    /// Bytes of the file consumed so far (complete lines plus the held unfinished one).
    pub(crate) fn position(&self) -> u64 {
        self.reader.offset() + self.reader.pending_bytes()
    }

    /// Opens the file: at the start, or at its end when `skip_history` (history older than
    /// the requested start is not wanted, but new lines are). After a read error it reopens
    /// where the last complete line ended.
    pub(crate) fn open(&mut self, skip_history: bool) {
        let mut file = match open_file(&self.path) {
            Ok(file) => file,
            Err(reason) => {
                self.error = Some(reason);
                self.handle = None;
                return;
            }
        };
        let meta = file.metadata().ok();
        let id = meta.as_ref().and_then(file_id);
        let resume = self.handle.is_none() && self.error.is_some() && self.id == id && id.is_some();
        let start = if resume {
            self.reader.offset()
        } else if skip_history {
            meta.as_ref().map_or(0, Metadata::len)
        } else {
            0
        };
        if start > 0
            && let Err(e) = file.seek(SeekFrom::Start(start))
        {
            self.error = Some(format!("cannot read {}: {e}", self.path_text));
            return;
        }
        if resume {
            let line = self.reader.line_number();
            self.reader.resume_at(start, line);
        } else {
            self.reader.resume_at(start, 0);
            self.lines_from_start = start == 0;
            self.drop_first_line = start > 0 && !ends_with_newline(&mut file, start);
        }
        self.id = id;
        self.mtime = meta.and_then(|m| m.modified().ok());
        self.handle = Some(file);
        self.error = None;
    }

    /// Starts again at offset 0 of the same file (it was truncated).
    pub(crate) fn restart(&mut self) {
        if let Some(file) = self.handle.as_mut()
            && let Err(e) = file.seek(SeekFrom::Start(0))
        {
            self.error = Some(format!("cannot read {}: {e}", self.path_text));
            self.handle = None;
            return;
        }
        self.reader.reset();
        self.lines_from_start = true;
        self.drop_first_line = false;
        self.mark.clear();
    }

    /// Whether the bytes before the read position differ from the ones read there: the file
    /// was truncated and rewritten beyond the old position between two passes, so its size
    /// alone does not show the truncation.
    pub(crate) fn rewritten(&self) -> bool {
        let Some(file) = self.handle.as_ref() else {
            return false;
        };
        if self.mark.is_empty() {
            return false;
        }
        let at = self.position().saturating_sub(self.mark.len() as u64);
        read_at(file, at, self.mark.len()).is_none_or(|now| now != self.mark)
    }

    /// Remembers the bytes just before the read position.
    fn remember_mark(&mut self) {
        let pos = self.position();
        let len = pos.min(MARK_LEN);
        self.mark = self
            .handle
            .as_ref()
            .and_then(|file| read_at(file, pos - len, len as usize))
            .unwrap_or_default();
    }

    /// Reads everything appended since the last read; an unfinished last line stays held.
    /// A read error closes the handle (reopened at the last complete line next pass).
    pub(crate) fn read_new(&mut self, tally: &mut Tally, batch: &mut Batch) -> Result<(), Closed> {
        let Some(file) = self.handle.as_mut() else {
            return Ok(());
        };
        if !self.start_known {
            self.started = file_started(&self.path);
        }
        let lines_before = tally.lines;
        let origin = Origin {
            path: &self.path_text,
            fallback_time: to_utc(self.mtime),
            lines_from_start: self.lines_from_start,
            started: self.started,
        };
        loop {
            if self.drop_first_line && self.reader.next_line().is_some() {
                self.drop_first_line = false;
            }
            if !self.drop_first_line {
                take_lines(&mut self.reader, &origin, tally, batch)?;
            }
            match self.reader.fill(file) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    self.error = Some(format!("cannot read {}: {e}", self.path_text));
                    self.handle = None;
                    break;
                }
            }
        }
        // A file with lines has named its start by now, or never will.
        self.start_known |= tally.lines > lines_before;
        self.reader.release_idle();
        self.remember_mark();
        Ok(())
    }
}

/// `len` bytes at `at`, without moving the handle; `None` if they are not all there.
#[cfg(unix)]
fn read_at(file: &File, at: u64, len: usize) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0; len];
    file.read_exact_at(&mut buf, at).ok().map(|()| buf)
}

/// Without positioned reads the check is skipped (size heuristics only).
#[cfg(not(unix))]
fn read_at(_file: &File, _at: u64, _len: usize) -> Option<Vec<u8>> {
    None
}

/// Whether the byte before `at` is a newline (so reading from `at` starts a fresh line).
fn ends_with_newline(file: &mut File, at: u64) -> bool {
    use std::io::Read;
    let mut byte = [0u8; 1];
    let ok = file.seek(SeekFrom::Start(at - 1)).is_ok()
        && file.read_exact(&mut byte).is_ok()
        && byte[0] == b'\n';
    // Leave the handle at `at` whatever happened.
    let _ = file.seek(SeekFrom::Start(at));
    ok
}
