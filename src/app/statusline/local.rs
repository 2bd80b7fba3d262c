//! The line's figures from the transcripts themselves, through the ledger: this session's
//! transcript and sub-agent files; for today, the burn rate and the budgets, every transcript
//! modified since the earliest moment they cover (files untouched since then hold nothing
//! newer). Records are deduplicated across files as the aggregator does (same key: the most
//! complete copy counts).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use walkdir::WalkDir;

use super::input::StatusInput;
use crate::aggregate::Settings;
use crate::money::Money;
use crate::outputs::statusline::{Amount, BudgetFigure, Needs};
use crate::sources::discover::is_subagent_journal;
use crate::sources::ledger::{self, Ledger, PricedRecord};

/// What the transcripts say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Local {
    /// This session, when asked for and known.
    pub(crate) session: Option<Amount>,
    /// Today, when asked for.
    pub(crate) today: Option<Amount>,
    /// Spend per hour over the last 15 minutes, when asked for.
    pub(crate) burn_per_hour: Option<Money>,
    /// The budgets that count all usage (a filtered budget needs a running costtop).
    pub(crate) budgets: Vec<BudgetFigure>,
}

/// Records with the same key counted once, the most complete copy winning.
#[derive(Debug, Default)]
struct Deduped {
    keyed: HashMap<u64, PricedRecord>,
    unkeyed: Vec<PricedRecord>,
}

impl Deduped {
    fn add(&mut self, records: &[PricedRecord]) {
        for r in records {
            let Some(key) = r.key else {
                self.unkeyed.push(*r);
                continue;
            };
            match self.keyed.entry(key) {
                Entry::Occupied(mut kept) if r.rank > kept.get().rank => {
                    kept.insert(*r);
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert(*r);
                }
            }
        }
    }

    /// Cost of the records timed in `[from, to)`.
    fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Amount {
        let (from, to) = (from.timestamp(), to.timestamp());
        let mut sum = Amount::default();
        for r in self.keyed.values().chain(&self.unkeyed) {
            if r.at >= from && r.at < to {
                sum.money += Money(i128::from(r.cost));
                sum.lower_bound |= !r.priced;
            }
        }
        sum
    }
}

/// Computes what `needs` asks for, reading (through the ledger) only the files involved.
pub(super) fn figures(
    input: &StatusInput,
    needs: Needs,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Local {
    let table = &settings.prices;
    let path = ledger::default_path();
    let mut book = path.as_deref().map_or_else(Ledger::default, |p| {
        Ledger::load(p, ledger::fingerprint(table))
    });
    let session_files = input
        .transcript
        .as_deref()
        .map(session_files)
        .unwrap_or_default();
    let mut keep: HashSet<PathBuf> = HashSet::new();
    let mut local = Local::default();
    if needs.session && input.transcript.is_some() {
        let mut session = Deduped::default();
        for file in &session_files {
            if let Ok(meta) = std::fs::metadata(file) {
                session.add(&book.records(file, &meta, table));
                keep.insert(file.clone());
            }
        }
        local.session = Some(session.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC));
    }
    if needs.history {
        let budgets: Vec<_> = settings
            .budgets
            .iter()
            .filter(|b| b.filter.is_empty())
            .map(|b| (b, b.period.bounds(settings.zone, now)))
            .collect();
        let day = (
            settings.zone.start_of_day(now),
            settings.zone.end_of_day(now),
        );
        let burn_from = minute(now - Duration::minutes(15));
        let burn_to = minute(now) + Duration::minutes(1);
        let from = budgets
            .iter()
            .map(|(_, (start, _))| *start)
            .chain([day.0, burn_from])
            .min()
            .unwrap_or(day.0);
        let mut all = Deduped::default();
        for (file, meta) in history_files(input.transcript.as_deref()) {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if DateTime::<Utc>::from(modified) < from && !session_files.contains(&file) {
                continue;
            }
            all.add(&book.records(&file, &meta, table));
            keep.insert(file);
        }
        local.today = Some(all.between(day.0, day.1));
        let burn = all.between(burn_from, burn_to).money;
        local.burn_per_hour = Some(Money(burn.0 * 4));
        local.budgets = budgets
            .iter()
            .map(|(b, (start, end))| {
                let spent = all.between(*start, *end).money;
                BudgetFigure {
                    name: b.name.clone(),
                    limit: b.limit,
                    spent,
                    state: b.state(spent).to_owned(),
                }
            })
            .collect();
    }
    book.retain(|p| keep.contains(p));
    if let Some(path) = &path {
        // A ledger that cannot be written only makes the next call slower.
        let _ = book.save(path);
    }
    local
}

/// The start of the minute `t` falls in (the aggregator's rollups are per minute).
fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).unwrap_or(t)
}

/// The session's transcript and its sub-agents' files (`<session>/subagents/*.jsonl`, not
/// the `journal.jsonl` bookkeeping).
fn session_files(transcript: &Path) -> Vec<PathBuf> {
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
