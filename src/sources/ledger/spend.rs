//! Spend from the ledger's records: the transcripts' and the history's records, each counted
//! once (per key the most complete copy, as the aggregator keeps; without a key, as many
//! copies as the transcripts or the history hold, whichever is more), and where a budget
//! stands on them — spent this period, projected to its end at the recent burn, as the
//! aggregator projects.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Duration, Utc};

use super::record::{Names, PricedRecord};
use crate::budget::{Budget, Scope, Standing};
use crate::history::Identity;
use crate::money::Money;
use crate::time::Zone;

/// Records with the same identity counted once.
#[derive(Debug, Default)]
pub(crate) struct Deduped {
    keyed: HashMap<u64, PricedRecord>,
    /// Records without a key: the transcripts' copies, and the history's.
    live: HashMap<u64, Vec<PricedRecord>>,
    kept: HashMap<u64, Vec<PricedRecord>>,
    /// The highest rank the history holds per key.
    kept_ranks: HashMap<u64, u64>,
}

impl Deduped {
    /// Adds records read from transcripts.
    pub(crate) fn add(&mut self, records: &[PricedRecord]) {
        self.add_to(records, false);
    }

    /// Adds the history's records.
    pub(crate) fn add_history(&mut self, records: &[PricedRecord]) {
        self.add_to(records, true);
    }

    fn add_to(&mut self, records: &[PricedRecord], history: bool) {
        for r in records {
            let key = match r.id {
                Identity::Key(key) => key,
                Identity::Content(hash) => {
                    let copies = if history {
                        &mut self.kept
                    } else {
                        &mut self.live
                    };
                    copies.entry(hash).or_default().push(*r);
                    continue;
                }
            };
            if history {
                let held = self.kept_ranks.entry(key).or_insert(r.rank);
                *held = (*held).max(r.rank);
            }
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

    /// Whether the history holds `key` at `rank` or more.
    pub(crate) fn kept(&self, key: u64, rank: u64) -> bool {
        self.kept_ranks.get(&key).is_some_and(|&held| held >= rank)
    }

    /// Every record, once.
    pub(crate) fn records(&self) -> impl Iterator<Item = &PricedRecord> {
        let contents = self.live.iter().map(|(hash, live)| {
            let kept = self.kept.get(hash).map_or(&[][..], Vec::as_slice);
            if kept.len() > live.len() {
                kept
            } else {
                live.as_slice()
            }
        });
        let only_kept = self
            .kept
            .iter()
            .filter(|(hash, _)| !self.live.contains_key(hash))
            .map(|(_, kept)| kept.as_slice());
        self.keyed
            .values()
            .chain(contents.chain(only_kept).flatten())
    }

    /// Cost of the records timed in `[from, to)`, and whether some had no price.
    pub(crate) fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> (Money, bool) {
        self.sum(from, to, |_| true)
    }

    fn sum(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        counts: impl Fn(&PricedRecord) -> bool + Copy,
    ) -> (Money, bool) {
        let (from, to) = (from.timestamp(), to.timestamp());
        let mut money = Money::ZERO;
        let mut lower_bound = false;
        for r in self.records() {
            if r.at >= from && r.at < to && counts(r) {
                money += Money(i128::from(r.cost));
                lower_bound |= !r.priced;
            }
        }
        (money, lower_bound)
    }
}

/// The project and session `check` or `hook` is about, for budgets per project or session.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scoped<'a> {
    /// The current project (Claude Code's working folder).
    pub(crate) project: Option<&'a str>,
    /// The current session id.
    pub(crate) session: Option<&'a str>,
}

/// Whether `project` is `current` or a folder below it.
fn within(project: &str, current: &str) -> bool {
    let current = current.trim_end_matches('/');
    project
        .strip_prefix(current)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Where `budget` stands at `now` over `records`.
pub(crate) fn standing(
    budget: &Budget,
    records: &Deduped,
    names: &Names,
    scoped: Scoped<'_>,
    zone: Zone,
    now: DateTime<Utc>,
) -> Standing {
    let bounds = budget.period_bounds(zone, now);
    let subject = match budget.scope {
        Scope::All => None,
        Scope::Project => scoped.project,
        Scope::Session => scoped.session,
    };
    if budget.scope != Scope::All && subject.is_none() {
        let mut s = budget.standing(bounds, Money::ZERO, Money::ZERO);
        s.state = None;
        s.unknown = Some(format!("no current {} to judge", budget.scope.as_str()));
        return s;
    }
    let f = &budget.filter;
    let counts = |r: &PricedRecord| {
        f.model
            .as_ref()
            .is_none_or(|g| g.is_match(names.name(r.model)))
            && f.project
                .as_deref()
                .is_none_or(|p| names.optional_name(r.project) == Some(p))
            && f.tier.is_none_or(|t| t == r.tier)
            && f.tag
                .as_ref()
                .is_none_or(|(k, v)| names.tags(r.tags).any(|(tk, tv)| tk == k && tv == v))
            && match (budget.scope, subject) {
                (Scope::Project, Some(p)) => names
                    .optional_name(r.project)
                    .is_some_and(|rp| within(rp, p)),
                (Scope::Session, Some(s)) => names.optional_name(r.session) == Some(s),
                _ => true,
            }
    };
    let (start, end) = bounds;
    let (spent, lower_bound) = records.sum(start, end, counts);
    let rate_from = budget.rate_from(start, now);
    let (recent, _) = records.sum(rate_from, now + Duration::seconds(1), counts);
    let projected = Budget::projected(spent, recent, rate_from, now, end);
    let mut s = budget.standing(bounds, spent, projected);
    s.lower_bound = lower_bound;
    s.subject = subject.map(str::to_owned);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_holds_its_sub_folders_and_nothing_beside_them() {
        assert!(within("/home/dev/shop", "/home/dev/shop"));
        assert!(within("/home/dev/shop/api", "/home/dev/shop/"));
        assert!(!within("/home/dev/shopping", "/home/dev/shop"));
        assert!(!within("/home/dev", "/home/dev/shop"));
    }
}
