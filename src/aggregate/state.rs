//! The aggregator's state: dedupe with replacement, pricing, and the per-minute rollups.
//! Owned by exactly one task (the actor, or the replay driver); never shared.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};

use super::alarm::AlarmBook;
use super::audit::{Audit, AuditSettings};
use super::budget::Budget;
use super::counters::{CounterOptions, Counters};
use super::dedupe::{DedupeIndex, Retention, Seen, Stored};
use super::estimates::Estimates;
use super::histogram::bucket_of;
use super::history::{History, minute_of};
use super::intern::{Interner, TagSets};
use super::rollup::{Contribution, Dims};

/// An event's tag pairs while they are interned (events carry one or two tags).
type SmallTags = smallvec::SmallVec<[(u32, u32); 4]>;
use super::window::{Window, Zone};
use crate::pricing::{ModelPrice, PriceTable, price_with};
use crate::usage::{Attribution, EventKind, StopReason, UsageEvent};
use crate::usage::{SourceHealth, SourceMsg};

/// How the aggregator counts: prices, time zone, the records' time range, budgets.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The price table (embedded plus config overrides).
    pub prices: PriceTable,
    /// Time zone for days, hours and budget periods.
    pub zone: Zone,
    /// Window the snapshot's totals and breakdowns cover.
    pub window: Window,
    /// Records before this are ignored.
    pub since: Option<DateTime<Utc>>,
    /// Records at or after this are ignored.
    pub until: Option<DateTime<Utc>>,
    /// Budgets to track.
    pub budgets: Vec<Budget>,
    /// Keep monotonic counters for `/metrics` (runs with an HTTP listener).
    pub counters: Option<CounterOptions>,
    /// How long dedupe keys are remembered, by kind of source.
    pub retention: Retention,
    /// What the audit is told: ladder, async groups, grouping.
    pub audit: AuditSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            prices: PriceTable::embedded(),
            zone: Zone::Local,
            window: Window::Today,
            since: None,
            until: None,
            budgets: Vec::new(),
            counters: None,
            retention: Retention::default(),
            audit: AuditSettings::default(),
        }
    }
}

/// Counters about what happened to incoming records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Records counted.
    pub counted: u64,
    /// Copies dropped because an equal or more complete record was already counted.
    pub duplicates: u64,
    /// Records that replaced a less complete copy (retract + add).
    pub replaced: u64,
    /// Records outside `--since` / `--until`.
    pub outside_range: u64,
}

/// All usage state.
/// `Clone` lets replay keep checkpoints (a copy of the state at a moment) for fast seeking.
#[derive(Debug, Clone)]
pub struct State {
    pub(super) settings: Settings,
    pub(super) strings: Interner,
    pub(super) tag_sets: TagSets,
    /// The rollups, each at the resolution its readers need.
    pub(super) history: History,
    /// Prices of each interned model (`None`: unpriced), indexed by model id.
    pub(super) model_prices: Vec<Option<ModelPrice>>,
    seen: DedupeIndex,
    pub(super) unpriced_seen: BTreeSet<u32>,
    pub(super) sources: BTreeMap<String, SourceHealth>,
    caught_up: HashSet<String>,
    pub(super) alarms: AlarmBook,
    pub(super) first_event: Option<DateTime<Utc>>,
    /// Billed amounts from the Admin API cost report, by (day, model, description).
    pub(super) billed:
        BTreeMap<(chrono::NaiveDate, Option<String>, Option<String>), crate::pricing::Money>,
    /// Other tools' own cost figures, shown beside costtop's (never added to spend).
    pub(super) estimates: Estimates,
    /// What happened to incoming records.
    pub stats: IngestStats,
    /// Cumulative counters for `/metrics`, when asked for.
    pub(super) counters: Option<Counters>,
    /// Savings opportunities (the audit).
    pub(super) audit: Audit,
    version: u64,
}

impl State {
    /// Empty state with these settings.
    pub fn new(settings: Settings) -> State {
        let mut strings = Interner::new();
        let counters = settings
            .counters
            .clone()
            .map(|options| Counters::new(options, &mut strings));
        State {
            history: History::new(settings.zone),
            seen: DedupeIndex::new(settings.retention),
            audit: Audit::new(&settings.audit, &settings.prices, settings.zone),
            sources: price_warnings(&settings.prices),
            settings,
            strings,
            tag_sets: TagSets::default(),
            model_prices: Vec::new(),
            unpriced_seen: BTreeSet::new(),
            caught_up: HashSet::new(),
            alarms: AlarmBook::default(),
            first_event: None,
            billed: BTreeMap::new(),
            estimates: Estimates::default(),
            stats: IngestStats::default(),
            counters,
            version: 0,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the window the snapshot shows.
    pub fn set_window(&mut self, window: Window) {
        if self.settings.window != window {
            self.settings.window = window;
            self.version += 1;
        }
    }

    /// Increases whenever anything a snapshot shows may have changed.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Marks the state changed (alarm acknowledgements and similar).
    pub(super) fn touch(&mut self) {
        self.version += 1;
    }

    /// Sources that said they finished reading their history.
    pub fn caught_up(&self) -> usize {
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
            SourceMsg::Billed(rows) => {
                for r in rows {
                    self.billed
                        .insert((r.day, r.model, r.description), r.amount);
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
        let contribution = self.contribution(event);
        if event.estimate.is_some() {
            let price = contribution.cost.map(|c| c.total);
            self.estimates
                .record(event, contribution.dims.session, price);
        }
        let minute = minute_of(t);
        let mut first_copy = true;
        if let Some(key) = event.key {
            let seen = self.seen.get(key);
            if seen == Seen::Sealed {
                self.stats.duplicates += 1;
                return;
            }
            if let Seen::Stored(old) = seen {
                if event.rank <= old.rank {
                    self.stats.duplicates += 1;
                    return;
                }
                let old_contribution = self.stored_contribution(&old);
                self.apply_at(old.minute, &old_contribution, false);
                self.audit_retract(&old);
                self.stats.replaced += 1;
                first_copy = false;
                self.stats.counted -= 1;
            }
            self.seen.insert(
                key,
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
        self.apply_at(minute, &contribution, true);
        self.audit_count(event, &contribution, first_copy);
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

    /// Adds or retracts a contribution in its minute.
    fn apply_at(&mut self, minute: i64, c: &Contribution, add: bool) {
        self.history.apply(minute, c, add);
        if let Some(counters) = &mut self.counters {
            counters.apply(&self.tag_sets, c, add);
        }
    }

    /// Folds detail no window, budget period or alarm can need at `now` any more (see
    /// `history.rs`); what any snapshot shows stays the same.
    pub fn compact(&mut self, now: DateTime<Utc>) {
        self.history.compact(now);
        self.audit.compact(self.history.detail_from());
    }

    /// What a stored record contributed: the same pricing as when it was counted.
    fn stored_contribution(&self, s: &Stored) -> Contribution {
        self.price_into(s.dims, &self.stored_event(s))
    }

    /// A stored record as an event again (what pricing reads of it).
    pub(super) fn stored_event(&self, s: &Stored) -> UsageEvent {
        UsageEvent {
            key: None,
            rank: s.rank,
            timestamp: DateTime::from_timestamp(s.minute * 60, 0).unwrap_or_default(),
            model: self.strings.arc(s.dims.model),
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

    fn price_into(&self, dims: Dims, e: &UsageEvent) -> Contribution {
        let model = self
            .model_prices
            .get(dims.model as usize)
            .and_then(Option::as_ref);
        Contribution {
            dims,
            tokens: e.tokens,
            // Buckets and billed iterations add tokens and cost, not requests.
            requests: u64::from(matches!(
                e.kind,
                EventKind::Request | EventKind::FailedRequest
            )),
            cost: price_with(model, e),
            output_bucket: (e.kind == EventKind::Request).then(|| bucket_of(e.tokens.output)),
            max_tokens: e.stop_reason == Some(StopReason::MaxTokens),
            fast: e.modifiers.fast,
        }
    }

    fn contribution(&mut self, e: &UsageEvent) -> Contribution {
        let model = self.strings.intern_shared(&e.model);
        // Prices per interned model, looked up (and the id normalised) once per model.
        while self.model_prices.len() <= model as usize {
            let name = self.strings.name(self.model_prices.len() as u32);
            self.model_prices
                .push(self.settings.prices.lookup(name).cloned());
        }
        let a = &e.attribution;
        let project = a
            .project
            .as_ref()
            .map_or(0, |p| self.strings.intern_shared(p));
        let session = a
            .session
            .as_ref()
            .map_or(0, |s| self.strings.intern_shared(s));
        let tags = if a.tags.is_empty() {
            0
        } else {
            let mut pairs: SmallTags = a
                .tags
                .iter()
                .map(|(k, v)| (self.strings.intern_shared(k), self.strings.intern_shared(v)))
                .collect();
            pairs.sort_unstable();
            self.tag_sets.intern(&pairs)
        };
        let dims = Dims {
            model,
            project,
            session,
            tags,
            tier: e.tier,
        };
        self.price_into(dims, e)
    }

    /// Forgets every record (replay seeking backwards); keeps settings and sources.
    pub fn clear_usage(&mut self) {
        self.history.clear();
        self.seen.clear();
        self.unpriced_seen.clear();
        self.estimates.clear_records();
        self.audit.clear();
        self.alarms = AlarmBook::default();
        self.first_event = None;
        self.stats = IngestStats::default();
        self.version += 1;
    }

    /// Drops a record's entry from the dedupe index, for a caller that knows no other copy of
    /// it will come (replay, which sees the whole input first): its counted contribution stays.
    pub fn forget_key(&mut self, key: u64) {
        self.seen.remove(key);
    }

    /// Distinct records held in the dedupe index (for memory accounting).
    pub fn dedupe_len(&self) -> usize {
        self.seen.len()
    }
}

/// The price table's warnings (a refused stored table or config overrides) as the `prices`
/// source in error, so every output shows them beside the sources.
fn price_warnings(prices: &crate::pricing::PriceTable) -> BTreeMap<String, SourceHealth> {
    let mut sources = BTreeMap::new();
    if !prices.warnings.is_empty() {
        let name = "prices".to_string();
        sources.insert(
            name.clone(),
            SourceHealth {
                name,
                state: crate::usage::SourceState::Error(prices.warnings.join("; ")),
                ..SourceHealth::default()
            },
        );
    }
    sources
}
