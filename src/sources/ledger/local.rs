//! What the short commands read through the ledger: the Claude Code transcripts modified
//! since a moment (files untouched since then hold nothing newer), the session's own files
//! whatever their age, and the history; and what they add to the history — the records read
//! for the first time that it lacks.

use std::collections::HashSet;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use walkdir::WalkDir;

use super::cache::Ledger;
use super::spend::Deduped;
use crate::history::{Appender, Candidate, Identity, Known, Summary, identity};
use crate::pricing::PriceTable;
use crate::sources::discover::is_subagent_journal;

/// What one reading found.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    /// Every record, each once.
    pub(crate) records: Deduped,
    /// Transcripts read (from the ledger or the disk).
    pub(crate) files: usize,
    /// Records the history holds.
    pub(crate) kept: usize,
    /// What could not be read of the history.
    pub(crate) history_problem: Option<String>,
}

/// Reads, through `ledger`, the session's files, every transcript modified since `from`,
/// and the history at `history`; the files read are added to `keep`.
pub(crate) fn read(
    ledger: &mut Ledger,
    table: &PriceTable,
    transcript: Option<&Path>,
    from: DateTime<Utc>,
    history: Option<&Path>,
    keep: &mut HashSet<PathBuf>,
) -> Reading {
    let mut reading = Reading::default();
    let session = transcript.map(session_files).unwrap_or_default();
    for (file, meta) in history_files(transcript) {
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if DateTime::<Utc>::from(modified) < from && !session.contains(&file) {
            continue;
        }
        reading.records.add(ledger.records(&file, &meta, table));
        reading.files += 1;
        keep.insert(file);
    }
    if let Some(path) = history {
        let (records, problem) = ledger.history(path, table);
        reading.kept = records.len();
        reading.records.add_history(records);
        reading.history_problem = problem;
        keep.insert(path.to_path_buf());
    }
    reading
}

/// Appends to the history at `path` the records read for the first time in this call
/// (collected by the ledger) that it does not hold, unless another costtop is writing it at
/// this moment (that one writes them). Records without a key are left to the commands that
/// read everything (`report`, the dashboard, `serve`). Returns how many were written.
pub(crate) fn keep_fresh(
    ledger: &mut Ledger,
    reading: &Reading,
    path: &Path,
) -> std::io::Result<usize> {
    let candidates: Vec<Candidate> = ledger
        .take_fresh()
        .into_iter()
        .filter(|e| match identity(e) {
            Identity::Key(key) => !reading.records.kept(key, e.rank),
            Identity::Content(_) => false,
        })
        .map(|event| Candidate { event, copy: 0 })
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let (end, identity) = ledger.history_position(path);
    let summary = Summary {
        end,
        identity,
        ..Summary::default()
    };
    let done = Appender::new(path, Known::default(), &summary).append(
        &candidates,
        Duration::ZERO,
        false,
    )?;
    Ok(done.records)
}

/// The session's transcript and its sub-agents' files (`<session>/subagents/*.jsonl`, not
/// the `journal.jsonl` bookkeeping).
pub(crate) fn session_files(transcript: &Path) -> Vec<PathBuf> {
    let mut files = vec![transcript.to_path_buf()];
    let subagents = transcript.with_extension("").join("subagents");
    if let Ok(dir) = std::fs::read_dir(subagents) {
        let mut found: Vec<PathBuf> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl") && !is_subagent_journal(p))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Every transcript of the Claude Code folders, and of the folder the session's transcript
/// lies in (`projects/<project>/<session>.jsonl`) if it is elsewhere, each once, with its
/// metadata: one `stat` per file, no sorting, as this runs on every call.
fn history_files(transcript: Option<&Path>) -> Vec<(PathBuf, Metadata)> {
    let mut roots: Vec<PathBuf> = crate::sources::default_locations();
    if let Some(root) = transcript.and_then(Path::parent).and_then(Path::parent)
        && !roots.iter().any(|r| r == root)
    {
        roots.push(root.to_path_buf());
    }
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for root in roots {
        for entry in WalkDir::new(root).into_iter().filter_map(Result::ok) {
            let path = entry.path();
            if entry.file_type().is_dir()
                || path.extension().is_none_or(|x| x != "jsonl")
                || is_subagent_journal(path)
            {
                continue;
            }
            // A symbolic link is followed to its file, as the other commands do.
            let meta = if entry.path_is_symlink() {
                std::fs::metadata(path)
            } else {
                entry.metadata().map_err(std::io::Error::from)
            };
            if let Ok(meta) = meta
                && meta.is_file()
                && seen.insert(entry.path().to_path_buf())
            {
                files.push((entry.into_path(), meta));
            }
        }
    }
    files
}
