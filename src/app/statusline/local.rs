//! The line's figures from the transcripts themselves, through the ledger: this session's
//! transcript and sub-agent files; for today, the burn rate and the budgets, every transcript
//! modified since the earliest moment they cover, and the history. Records are deduplicated
//! across files as the aggregator does (same key: the most complete copy counts).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use super::input::StatusInput;
use crate::aggregate::Settings;
use crate::money::Money;
use crate::outputs::statusline::{Amount, BudgetFigure, Needs};
use crate::sources::ledger::{self, Deduped, Ledger};

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

fn amount((money, lower_bound): (Money, bool)) -> Amount {
    Amount { money, lower_bound }
}

/// Computes what `needs` asks for, reading (through the ledger) only the files involved;
/// records read for the first time that the history (at `history`) lacks are added to it.
pub(super) fn figures(
    input: &StatusInput,
    needs: Needs,
    settings: &Settings,
    history: Option<&Path>,
    now: DateTime<Utc>,
) -> Local {
    let table = &settings.prices;
    let path = ledger::default_path("statusline");
    let mut book = path.as_deref().map_or_else(Ledger::default, |p| {
        Ledger::load(p, ledger::fingerprint(table))
    });
    if history.is_some() {
        book.collect_fresh();
    }
    let mut keep: HashSet<PathBuf> = HashSet::new();
    let mut local = Local::default();
    if needs.session
        && let Some(transcript) = input.transcript.as_deref()
    {
        let mut session = Deduped::default();
        for file in ledger::session_files(transcript) {
            if let Ok(meta) = std::fs::metadata(&file) {
                session.add(book.records(&file, &meta, table));
                keep.insert(file);
            }
        }
        local.session = Some(amount(
            session.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
        ));
    }
    if needs.history {
        let budgets: Vec<_> = settings
            .budgets
            .iter()
            .filter(|b| b.filter.is_empty() && b.scope == crate::budget::Scope::All)
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
        let reading = ledger::read(
            &mut book,
            table,
            input.transcript.as_deref(),
            from,
            history,
            &mut keep,
        );
        let all = &reading.records;
        local.today = Some(amount(all.between(day.0, day.1)));
        let burn = all.between(burn_from, burn_to).0;
        local.burn_per_hour = Some(Money(burn.0 * 4));
        local.budgets = budgets
            .iter()
            .map(|(b, (start, end))| {
                let spent = all.between(*start, *end).0;
                BudgetFigure {
                    name: b.name.clone(),
                    limit: b.limit,
                    spent,
                    state: b.state(spent).to_owned(),
                }
            })
            .collect();
        if let Some(history) = history {
            // A history that cannot be written only misses records another run adds.
            let _ = ledger::keep_fresh(&mut book, &reading, history);
        }
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
