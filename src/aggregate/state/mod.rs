//! The aggregator's state: dedupe with replacement, pricing, and the per-minute rollups.
//! Owned by exactly one task (the actor, or the replay driver); never shared.
//!
//! [`State`] takes each record once — dedupe, price, count into the [`Store`] — and hands the
//! parts that keep state of their own (the audit, the comparison, other tools' estimates, the
//! alarm book) their share; `view/` builds the snapshot from it.

mod dedupe;
mod iterations;
mod keyset;
mod org;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};

pub(crate) use dedupe::Stored;
pub(crate) use org::OrgState;

use super::alarms::{self, AlarmBook, Facts};
use super::audit::Audit;
use super::compare::CompareBook;
use super::estimates::Estimates;
use super::settings::Settings;
use super::store::{Store, minute_of};
use crate::money::Money;
use crate::pricing::PriceTable;
use crate::usage::{Attribution, SourceHealth, SourceMsg, SourceState, UsageEvent};
use dedupe::{DedupeIndex, Seen};

/// Billed amounts and list-price amounts by (UTC day, model, line item).
pub(super) type Billed =
    BTreeMap<(chrono::NaiveDate, Option<String>, Option<String>), (Money, Option<Money>)>;

/// Counters about what happened to incoming records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Records counted.
    pub counted: u64,
    /// Copies dropped because an equal or more complete record was already counted.
    pub duplicates: u64,
    /// Records that replaced a less complete copy (retract + add).
    pub(crate) replaced: u64,
    /// Records outside `--since` / `--until`.
    pub(crate) outside_range: u64,
}

/// All usage state.
/// `Clone` lets replay keep checkpoints (a copy of the state at a moment) for fast seeking.
#[derive(Debug, Clone)]
pub struct State {
    pub(super) settings: Settings,
    /// What was counted: interned names, prices per model, rollups, counters.
    pub(super) store: Store,
    seen: DedupeIndex,
    pub(super) unpriced_seen: BTreeSet<u32>,
    pub(super) sources: BTreeMap<String, SourceHealth>,
    caught_up: HashSet<String>,
    pub(super) alarms: AlarmBook,
    pub(super) first_event: Option<DateTime<Utc>>,
    /// Billed amounts (and list-price amounts, when given) from the Admin API cost report,
    /// by (day, model, description).
    pub(super) billed: Billed,
    /// Other tools' own cost figures, shown beside costtop's (never added to spend).
    pub(super) estimates: Estimates,
    /// The organisation's spend limits, rate limits and Claude Code figures.
    pub(super) org: OrgState,
    /// What happened to incoming records.
    pub stats: IngestStats,
    /// Savings opportunities (the audit).
    pub(super) audit: Audit,
    /// `report --compare`: both periods' records by group, model and token category.
    pub(super) compare: Option<CompareBook>,
    version: u64,
}

impl State {
    /// Empty state with these settings.
    pub fn new(settings: Settings) -> State {
        State {
            store: Store::new(settings.zone, settings.counters.clone()),
            seen: DedupeIndex::new(settings.retention),
            audit: Audit::new(&settings.audit, &settings.prices, settings.zone),
            compare: settings
                .compare
                .clone()
                .map(|spec| CompareBook::new(spec, settings.per.clone())),
            sources: price_warnings(&settings.prices),
            settings,
            unpriced_seen: BTreeSet::new(),
            caught_up: HashSet::new(),
            alarms: AlarmBook::default(),
            first_event: None,
            billed: BTreeMap::new(),
            estimates: Estimates::default(),
            org: OrgState::default(),
            stats: IngestStats::default(),
            version: 0,
        }
    }

    /// The settings in force.
    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the window the snapshot shows.
    pub fn set_window(&mut self, window: crate::time::Window) {
        if self.settings.window != window {
            self.settings.window = window;
            self.version += 1;
        }
    }

    /// Increases whenever anything a snapshot shows may have changed.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// Sources that said they finished reading their history.
    pub(crate) fn caught_up(&self) -> usize {
        self.caught_up.len()
    }

    /// Applies one message from a source.
    pub fn apply(&mut self, msg: SourceMsg) {
        match msg {
            SourceMsg::Events(events) => {
                for e in &events {
                    self.ingest(e);
                }
            }
            SourceMsg::Health(h) => {
                if self.sources.get(&h.name) != Some(&h) {
                    self.sources.insert(h.name.clone(), h);
                    self.version += 1;
                }
            }
            SourceMsg::CaughtUp { name } => {
                self.caught_up.insert(name);
                self.version += 1;
            }
            SourceMsg::Estimates(estimates) => {
                self.estimates.apply(estimates);
                self.version += 1;
            }
            SourceMsg::Org(update) => {
                if self.org.apply(update) {
                    self.version += 1;
                }
            }
            SourceMsg::Billed(rows) => {
                for r in rows {
                    self.billed
                        .insert((r.day, r.model, r.description), (r.amount, r.list_amount));
                }
                self.version += 1;
            }
        }
    }

    /// Dedupes, prices and counts one record, and the iterations billed on top of it.
    pub fn ingest(&mut self, event: &UsageEvent) {
        let t = event.timestamp;
        if self.settings.since.is_some_and(|s| t < s) || self.settings.until.is_some_and(|u| t >= u)
        {
            self.stats.outside_range += 1;
            return;
        }
        let contribution = self.store.contribution(event, &self.settings.prices);
        if event.estimate.is_some() {
            let price = contribution.cost.map(|c| c.total);
            self.estimates
                .record(event, contribution.dims.session, price);
        }
        let minute = minute_of(t);
        let mut first_copy = true;
        let mut contribution = contribution;
        if let Some(key) = event.key {
            let (primary, seen) = self.seen.lookup(key, event.alt_key);
            let keys = [event.key, event.alt_key];
            if seen == Seen::Sealed {
                self.stats.duplicates += 1;
                return;
            }
            if let Seen::Stored(old) = seen {
                if old.dims.session != contribution.dims.session
                    && old.dims.session != 0
                    && contribution.dims.session != 0
                {
                    // A forked session's copy of another session's request (the copy ranks
                    // one below the original): its session inherited it.
                    let copy = if event.rank <= old.rank {
                        (contribution.dims, contribution.cost)
                    } else {
                        (
                            old.dims,
                            self.store
                                .price_into(old.dims, &self.stored_event(&old))
                                .cost,
                        )
                    };
                    self.estimates.inherit(
                        primary,
                        copy.0.session,
                        copy.0.model,
                        copy.1.map(|c| c.total),
                    );
                }
                if event.rank <= old.rank {
                    self.stats.duplicates += 1;
                    let dims = merge_dims(&mut self.store, old.dims, contribution.dims);
                    if dims != old.dims {
                        self.refile(&old, dims);
                    }
                    self.seen.insert(primary, keys, Stored { dims, ..old });
                    return;
                }
                contribution.dims = merge_dims(&mut self.store, contribution.dims, old.dims);
                let old_event = self.stored_event(&old);
                let old_contribution = self.store.price_into(old.dims, &old_event);
                self.store.apply(old.minute, &old_contribution, false);
                self.audit
                    .retract(&self.store, &old_event, old.minute, old.dims);
                if let Some(book) = &mut self.compare {
                    book.apply(&self.store, &old_event, old.dims, old.minute, false);
                }
                self.stats.replaced += 1;
                first_copy = false;
                self.stats.counted -= 1;
            }
            self.seen.insert(
                primary,
                keys,
                Stored {
                    minute,
                    rank: event.rank,
                    dims: contribution.dims,
                    tokens: event.tokens,
                    modifiers: event.modifiers,
                    kind: event.kind,
                    stop_reason: event.stop_reason,
                },
            );
        }
        self.store.apply(minute, &contribution, true);
        self.audit
            .count(&self.store, event, &contribution, first_copy);
        if let Some(book) = &mut self.compare {
            book.apply(&self.store, event, contribution.dims, minute, true);
        }
        if contribution.cost.is_none() {
            self.unpriced_seen.insert(contribution.dims.model);
        }
        if self.first_event.is_none_or(|f| t < f) {
            self.first_event = Some(t);
        }
        self.stats.counted += 1;
        self.version += 1;
        if !event.iterations.is_empty() {
            self.bill_iterations(event);
        }
    }

    /// Moves a counted record to other dimensions (a copy of it brought tags, a project or a
    /// session it lacked): its contribution is retracted and added again under `dims`.
    fn refile(&mut self, old: &Stored, dims: super::store::Dims) {
        let event = self.stored_event(old);
        let retracted = self.store.price_into(old.dims, &event);
        self.store.apply(old.minute, &retracted, false);
        self.audit
            .retract(&self.store, &event, old.minute, old.dims);
        let added = self.store.price_into(dims, &event);
        self.store.apply(old.minute, &added, true);
        self.audit.count(&self.store, &event, &added, false);
        self.version += 1;
    }

    /// Folds detail no window, budget period or alarm can need at `now` any more (see
    /// `history.rs`); what any snapshot shows stays the same.
    pub fn compact(&mut self, now: DateTime<Utc>) {
        self.store.history.compact(now);
        self.audit.compact(self.store.history.detail_from());
    }

    /// A stored record as an event again (what pricing reads of it).
    fn stored_event(&self, s: &Stored) -> UsageEvent {
        UsageEvent {
            alt_key: None,
            key: None,
            rank: s.rank,
            timestamp: DateTime::from_timestamp(s.minute * 60, 0).unwrap_or_default(),
            model: self.store.strings.arc(s.dims.model),
            tokens: s.tokens,
            tier: s.dims.tier,
            modifiers: s.modifiers,
            stop_reason: s.stop_reason,
            kind: s.kind,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }
    }

    /// Drops a record's entry from the dedupe index, for a caller that knows no other copy of
    /// it will come (replay, which sees the whole input first): its counted contribution stays.
    pub(crate) fn forget_key(&mut self, key: u64) {
        self.seen.remove(key);
    }

    /// Distinct records held in the dedupe index (for memory accounting).
    pub fn dedupe_len(&self) -> usize {
        self.seen.len()
    }

    /// Acknowledges every active alarm.
    pub(crate) fn acknowledge_alarms(&mut self) {
        if self.alarms.acknowledge_all() {
            self.version += 1;
        }
    }

    /// The active alarms' raises, for acknowledgements that must outlive this state (a
    /// replay seek restores an earlier state).
    pub(crate) fn alarm_raises(&self) -> Vec<(String, DateTime<Utc>)> {
        self.alarms.raises().collect()
    }

    /// Acknowledges the active alarms raised as listed (by id and raise time).
    pub(crate) fn acknowledge_raises(&mut self, raises: &BTreeSet<(String, DateTime<Utc>)>) {
        if self.alarms.acknowledge_raises(raises) {
            self.version += 1;
        }
    }

    /// Re-evaluates every alarm rule at `now`; returns how many alarms were newly raised.
    pub fn evaluate_alarms(&mut self, now: DateTime<Utc>) -> usize {
        let facts = Facts {
            store: &self.store,
            zone: &self.settings.zone,
            budgets: &self.settings.budgets,
            unpriced: &self.unpriced_seen,
            sources: &self.sources,
            first_event: self.first_event,
            spend_limits: &self.org.spend_limits,
            spend_limit_alarms: self.settings.spend_limits,
        };
        let (raised, changed) = alarms::evaluate(&mut self.alarms, &facts, now);
        if raised > 0 || changed {
            self.version += 1;
        }
        raised
    }
}

/// The dimensions of the copy that wins (`winner`), with the project, session and tags it
/// lacks taken from the other copy (`other`): the precedence of DESIGN.md §12.
fn merge_dims(
    store: &mut Store,
    winner: super::store::Dims,
    other: super::store::Dims,
) -> super::store::Dims {
    let pick = |w: u32, o: u32| if w == 0 { o } else { w };
    let tags = if other.tags == 0 || other.tags == winner.tags {
        winner.tags
    } else if winner.tags == 0 {
        other.tags
    } else {
        let mut pairs = store.tag_sets.pairs(winner.tags).to_vec();
        let extra: Vec<(u32, u32)> = store
            .tag_sets
            .pairs(other.tags)
            .iter()
            .filter(|(k, _)| !pairs.iter().any(|(wk, _)| wk == k))
            .copied()
            .collect();
        if extra.is_empty() {
            winner.tags
        } else {
            pairs.extend(extra);
            pairs.sort_unstable();
            store.tag_sets.intern(&pairs)
        }
    };
    super::store::Dims {
        project: pick(winner.project, other.project),
        session: pick(winner.session, other.session),
        tags,
        ..winner
    }
}

/// The price table's warnings (a refused stored table or config overrides) as the `prices`
/// source in error, so every output shows them beside the sources.
fn price_warnings(prices: &PriceTable) -> BTreeMap<String, SourceHealth> {
    let mut sources = BTreeMap::new();
    if !prices.warnings.is_empty() {
        let name = "prices".to_string();
        sources.insert(
            name.clone(),
            SourceHealth {
                name,
                state: SourceState::Error(prices.warnings.join("; ")),
                ..SourceHealth::default()
            },
        );
    }
    sources
}
