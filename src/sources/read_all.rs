//! One-shot reading for `costtop report`: every file of every source, in parallel, parsed and
//! sent as batched events, then one final health message per source.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use tokio::sync::mpsc::Sender;

use super::discover::{Source, SourceKind};
use super::ingest::{
    Batch, Origin, ReadStop, Tally, file_started, read_available, take_line, to_utc,
};
use super::lines::LineReader;
use crate::usage::{SourceHealth, SourceMsg, SourceState};

/// How [`read_all`] reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Worker threads; `None` = the machine's available parallelism.
    pub threads: Option<usize>,
    /// Files last modified before this cannot hold newer records and are not read.
    pub skip_older_than: Option<SystemTime>,
}

/// What a one-shot read did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Files read to their end.
    pub files_read: u64,
    /// Files that could not be opened or read to their end.
    pub files_failed: u64,
    /// Files not read because they are older than [`ReadOptions::skip_older_than`].
    pub(crate) files_skipped: u64,
    /// Lines read.
    pub lines: u64,
    /// Bytes read.
    pub(crate) bytes: u64,
}

/// One file to read (`path: None` is stdin).
struct Job {
    source: usize,
    /// Position in its source's sorted list, so "first error" does not depend on timing.
    order: usize,
    path: Option<PathBuf>,
    size: u64,
    mtime: Option<SystemTime>,
}

/// Per-source results, merged as files finish.
#[derive(Default)]
struct Progress {
    tally: Tally,
    first_error_order: usize,
    files_ok: u64,
    files_failed: u64,
    open_error: Option<(usize, String)>,
}

impl Progress {
    fn merge(&mut self, order: usize, tally: Tally) {
        let first = tally.first_error.clone();
        let keep_mine = self.tally.first_error.is_some() && self.first_error_order < order;
        self.tally.merge(tally);
        if first.is_some() && !keep_mine {
            self.tally.first_error = first;
            self.first_error_order = order;
        }
    }
}

/// Reads every file of every source to its end, sending events in batches and then one
/// `Health` per source (state `Done`, or `Error` when none of its files could be read).
/// Blocking: call it from `spawn_blocking` or a thread. Returns early if the receiver is
/// dropped.
pub fn read_all(sources: &[Source], tx: Sender<SourceMsg>, opts: ReadOptions) -> ReadSummary {
    let (jobs, skipped) = plan(sources, opts.skip_older_than);
    let progress: Vec<Mutex<Progress>> = sources.iter().map(|_| Mutex::default()).collect();
    let summary = Mutex::new(ReadSummary {
        files_skipped: skipped,
        ..ReadSummary::default()
    });
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = opts
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let mut batch = Batch::new(tx.clone());
            let (jobs, progress, summary, next, stop) = (&jobs, &progress, &summary, &next, &stop);
            scope.spawn(move || {
                let mut reader = LineReader::new();
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    reader.reset();
                    let outcome = read_job(job, &mut reader, &mut batch);
                    if record(job, outcome, progress, summary).is_err() {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
                if batch.flush().is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
    });
    let summary = summary
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if stop.load(Ordering::Relaxed) {
        return summary;
    }
    let mut out = Batch::new(tx);
    for (source, progress) in sources.iter().zip(progress) {
        let p = progress
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = match p.open_error {
            Some((_, reason)) if p.files_ok == 0 => SourceState::Error(reason),
            _ => SourceState::Done,
        };
        let health = SourceHealth {
            name: source.name.clone(),
            state,
            lines: p.tally.lines,
            parse_errors: p.tally.parse_errors,
            first_error: p.tally.first_error,
            naive_times: p.tally.naive_times,
            compactions: p.tally.compactions,
            last_event: p.tally.last_event,
            files: p.files_ok + p.files_failed,
            ..SourceHealth::default()
        };
        if out.send(SourceMsg::Health(health)).is_err() {
            break;
        }
    }
    summary
}

/// The files to read, biggest first, each once even if two sources name it.
fn plan(sources: &[Source], skip_older_than: Option<SystemTime>) -> (Vec<Job>, u64) {
    let mut seen = HashSet::new();
    let mut jobs = Vec::new();
    let mut skipped = 0;
    for (source_idx, source) in sources.iter().enumerate() {
        if source.kind == SourceKind::Stdin {
            jobs.push(Job {
                source: source_idx,
                order: 0,
                path: None,
                size: u64::MAX,
                mtime: None,
            });
            continue;
        }
        for (order, path) in source.files.iter().enumerate() {
            if !seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())) {
                continue;
            }
            let meta = std::fs::metadata(path).ok();
            let mtime = meta.as_ref().and_then(|m| m.modified().ok());
            if let (Some(limit), Some(mtime)) = (skip_older_than, mtime)
                && mtime < limit
            {
                skipped += 1;
                continue;
            }
            jobs.push(Job {
                source: source_idx,
                order,
                path: Some(path.clone()),
                size: meta.map_or(0, |m| m.len()),
                mtime,
            });
        }
    }
    jobs.sort_by_key(|job| std::cmp::Reverse(job.size));
    (jobs, skipped)
}

/// How one file went.
struct Outcome {
    tally: Tally,
    bytes: u64,
    /// Why the file could not be opened or read to its end.
    failure: Option<String>,
    closed: bool,
}

fn read_job(job: &Job, reader: &mut LineReader, batch: &mut Batch) -> Outcome {
    let mut tally = Tally::default();
    let path_text = job
        .path
        .as_ref()
        .map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
    let origin = Origin {
        path: &path_text,
        fallback_time: to_utc(job.mtime),
        lines_from_start: true,
        started: job.path.as_deref().and_then(file_started),
    };
    let mut src: Box<dyn Read> = match &job.path {
        None => Box::new(std::io::stdin().lock()),
        Some(path) => match open_file(path) {
            Ok(file) => Box::new(file),
            Err(reason) => {
                tally.error(|| reason.clone());
                return Outcome {
                    tally,
                    bytes: 0,
                    failure: Some(reason),
                    closed: false,
                };
            }
        },
    };
    let mut outcome = Outcome {
        tally: Tally::default(),
        bytes: 0,
        failure: None,
        closed: false,
    };
    match read_available(reader, &mut src, &origin, &mut tally, batch) {
        Ok(bytes) => {
            outcome.bytes = bytes;
            // A last line without a newline still counts in a one-shot read.
            if let Some(line) = reader.finish() {
                outcome.closed = take_line(line, &origin, &mut tally, batch).is_err();
            }
        }
        Err(ReadStop::Closed) => outcome.closed = true,
        Err(ReadStop::Io(e)) => {
            let reason = format!(
                "{}:{}: read failed: {e}",
                path_text,
                reader.line_number() + 1
            );
            tally.error(|| reason.clone());
            outcome.failure = Some(reason);
        }
    }
    outcome.tally = tally;
    outcome
}

/// Opens a file for reading; the error names it.
pub(crate) fn open_file(path: &std::path::Path) -> Result<File, String> {
    let fail = |reason: &dyn std::fmt::Display| format!("cannot open {}: {reason}", path.display());
    let file = File::open(path).map_err(|e| fail(&e))?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => Err(fail(&"is a directory")),
        Ok(_) => Ok(file),
        Err(e) => Err(fail(&e)),
    }
}

fn record(
    job: &Job,
    outcome: Outcome,
    progress: &[Mutex<Progress>],
    summary: &Mutex<ReadSummary>,
) -> Result<(), super::ingest::Closed> {
    {
        let mut s = summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.lines += outcome.tally.lines;
        s.bytes += outcome.bytes;
        if outcome.failure.is_some() {
            s.files_failed += 1;
        } else if !outcome.closed {
            s.files_read += 1;
        }
    }
    let mut p = progress[job.source]
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match outcome.failure {
        Some(reason) => {
            p.files_failed += 1;
            if p.open_error.as_ref().is_none_or(|(o, _)| job.order < *o) {
                p.open_error = Some((job.order, reason));
            }
        }
        None => p.files_ok += 1,
    }
    p.merge(job.order, outcome.tally);
    if outcome.closed {
        Err(super::ingest::Closed)
    } else {
        Ok(())
    }
}
