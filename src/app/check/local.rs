//! Where the budgets stand from the files themselves, through the ledger (`check.ledger`,
//! apart from the statusline's, which keeps only today's files): the transcripts modified
//! since the earliest period start, the session's files, and the history; or the named
//! SOURCEs. Records read for the first time that the history lacks are added to it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::budget::{Budget, Standing};
use crate::pricing::PriceTable;
use crate::sources::ledger::{self, Deduped, Ledger, Reading, Scoped};
use crate::time::Zone;

/// What `check` or `hook` judges, and on what.
#[derive(Debug, Clone, Default)]
pub(crate) struct Question {
    /// The budgets.
    pub(crate) budgets: Vec<Budget>,
    /// Days, weeks and months follow this zone.
    pub(crate) zone: Zone,
    /// SOURCE arguments (none: the Claude Code folders and the history).
    pub(crate) sources: Vec<String>,
    /// The history, when read.
    pub(crate) history: Option<PathBuf>,
    /// The current project (budgets per project).
    pub(crate) project: Option<String>,
    /// The current session (budgets per session; `None`: the newest read, for `check`).
    pub(crate) session: Option<String>,
    /// The session's transcript, read whatever its age (the hook's `transcript_path`).
    pub(crate) transcript: Option<PathBuf>,
    /// How to read the organisation's spend limits (`--admin-api`).
    pub(crate) org: Option<super::org::OrgAsk>,
}

/// What the files say.
#[derive(Debug, Default)]
pub(super) struct Answer {
    /// Every budget's standing.
    pub(super) standings: Vec<Standing>,
    /// Nothing at all could be read (no transcript, no history).
    pub(super) read_nothing: bool,
    /// What could not be read, said on stderr.
    pub(super) problems: Vec<String>,
}

/// Judges every budget of `question` at `now` from the files.
pub(super) fn judge(question: &Question, table: &PriceTable, now: DateTime<Utc>) -> Answer {
    let path = ledger::default_path("check");
    let mut book = path.as_deref().map_or_else(Ledger::default, |p| {
        Ledger::load(p, ledger::fingerprint(table))
    });
    if question.history.is_some() {
        book.collect_fresh();
    }
    let from = question
        .budgets
        .iter()
        .map(|b| b.period_bounds(question.zone, now).0)
        .min()
        .unwrap_or(now);
    let mut keep = HashSet::new();
    let reading = if question.sources.is_empty() {
        ledger::read(
            &mut book,
            table,
            question.transcript.as_deref(),
            from,
            question.history.as_deref(),
            &mut keep,
        )
    } else {
        named_sources(&mut book, table, &question.sources, from, &mut keep)
    };
    let mut answer = Answer {
        read_nothing: reading.files == 0 && reading.kept == 0,
        ..Answer::default()
    };
    if let Some(problem) = &reading.history_problem {
        answer.problems.push(format!("history: {problem}"));
    }
    let session = question
        .session
        .clone()
        .or_else(|| newest_session(&reading.records, book.names(), question.project.as_deref()));
    let scoped = Scoped {
        project: question.project.as_deref(),
        session: session.as_deref(),
    };
    answer.standings = question
        .budgets
        .iter()
        .map(|b| {
            ledger::standing(
                b,
                &reading.records,
                book.names(),
                scoped,
                question.zone,
                now,
            )
        })
        .collect();
    if let Some(history) = &question.history
        && let Err(e) = ledger::keep_fresh(&mut book, &reading, history)
    {
        answer.problems.push(format!("history not written: {e}"));
    }
    book.retain(|p| keep.contains(p));
    if let Some(path) = &path {
        // A ledger that cannot be written only makes the next call slower.
        let _ = book.save(path);
    }
    answer
}

/// Reads the files of the SOURCE arguments modified since `from`.
fn named_sources(
    book: &mut Ledger,
    table: &PriceTable,
    sources: &[String],
    from: DateTime<Utc>,
    keep: &mut HashSet<PathBuf>,
) -> Reading {
    let mut reading = Reading::default();
    let found = crate::sources::discover(sources);
    for file in found.sources.iter().flat_map(|s| s.files.iter()) {
        let Ok(meta) = std::fs::metadata(file) else {
            continue;
        };
        reading.files += 1;
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if DateTime::<Utc>::from(modified) >= from {
            reading.records.add(book.records(file, &meta, table));
            keep.insert(file.clone());
        }
    }
    reading
}

/// The session of the newest record (of the current project, if it has any).
fn newest_session(
    records: &Deduped,
    names: &ledger::Names,
    project: Option<&str>,
) -> Option<String> {
    let newest = |in_project: bool| {
        records
            .records()
            .filter(|r| r.session != 0)
            .filter(|r| {
                !in_project || project.is_some_and(|p| names.optional_name(r.project) == Some(p))
            })
            .max_by_key(|r| r.at)
            .and_then(|r| names.optional_name(r.session))
            .map(str::to_owned)
    };
    newest(true).or_else(|| newest(false))
}

/// The working folder, as Claude Code records a project.
pub(super) fn working_folder() -> Option<String> {
    std::env::current_dir()
        .ok()
        .as_deref()
        .and_then(Path::to_str)
        .map(str::to_owned)
}
