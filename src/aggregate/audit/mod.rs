//! The audit: the four levers in dollars (DESIGN.md §10). Opportunities are counted in the
//! aggregator's one pass over the records, per minute and dimensions like every rollup, so
//! they follow the snapshot's window, live and in replay alike.
//!
//! Per record ([`rules`]): routing (the same tokens one step down the ladder), batch (half the
//! standard-tier cost of groups marked async), `max_tokens` stops and each request's output
//! cost by histogram bucket (the p99 rule is decided when the window's p99 is known). Per
//! session and model ([`caching`]): uncached repeats, writes never read, 1-hour writes where
//! 5 minutes would do — kept only while their 5-minute or 1-hour horizon can still need them.
//! Every counterfactual is the record priced again through `pricing::price_with`.

mod caching;
mod cells;
pub(super) mod fold;
mod grouping;
mod ladder;
mod pending;
mod pricer;
mod reason;
mod rules;
mod settings;
pub mod snapshot;
mod store;
#[cfg(test)]
mod tests;

use foldhash::HashMap;

pub use cells::{Kind, Lever};
pub use settings::{AsyncMark, AuditGroup, AuditSettings};
pub use snapshot::{
    AuditSnapshot, ByLever, ESTIMATE_NOTE, LeverSummary, Opportunity, SkippedCounts, per_day,
};

use super::dedupe::Stored;
use super::rollup::{Contribution, Dims};
use super::state::State;
use super::window::Zone;
use crate::pricing::PriceTable;
use crate::usage::UsageEvent;
use caching::Threads;
use ladder::{Ladder, Route};
use store::AuditMinutes;

/// The audit's state inside [`State`]: settings resolved against the price table, caches per
/// interned model and tag set, the per-minute cells and the live per-session threads.
#[derive(Debug, Clone)]
pub(super) struct Audit {
    ladder: Ladder,
    marks: Vec<AsyncMark>,
    group: AuditGroup,
    /// Where each interned model stands on the ladder (`None`: not looked at yet).
    routes: Vec<Option<Route>>,
    /// Whether records of a (project, tag set) are marked async.
    async_of: HashMap<(u32, u32), bool>,
    /// Interned id of the `agent` tag key once seen (sub-agents have their own cache).
    agent_key: Option<u32>,
    minutes: AuditMinutes,
    threads: Threads,
}

impl Audit {
    /// An empty audit for these settings and prices.
    pub fn new(settings: &AuditSettings, prices: &PriceTable, zone: Zone) -> Audit {
        Audit {
            ladder: Ladder::resolve(prices, settings.ladder.as_deref()),
            marks: settings.async_groups.clone(),
            group: settings.group.clone(),
            routes: Vec::new(),
            async_of: HashMap::default(),
            agent_key: None,
            minutes: AuditMinutes::new(zone),
            threads: Threads::default(),
        }
    }

    /// Forgets every record (replay seeking backwards); keeps settings and caches.
    pub fn clear(&mut self) {
        self.minutes.clear();
        self.threads = Threads::default();
    }

    /// Folds the minutes before `frontier` into their hours (the rollups' detail frontier).
    pub fn compact(&mut self, frontier: i64) {
        self.minutes.compact(frontier);
    }

    /// Minutes and live threads held, for memory accounting in tests.
    #[cfg(test)]
    pub fn held(&self) -> (usize, usize) {
        (self.minutes.len(), self.threads.len())
    }
}

impl State {
    /// The audit's share of counting a record: its per-record opportunities, and (for the
    /// first copy of a request) the caching rules. Called by `ingest` after the rollups.
    pub(super) fn audit_count(&mut self, event: &UsageEvent, c: &Contribution, first_copy: bool) {
        let minute = event.timestamp.timestamp().div_euclid(60);
        let cost = if event.iterations.is_empty() {
            c.cost.map(|x| x.total)
        } else {
            None
        };
        let effects = self.audit_effects(event, c.dims, cost);
        effects.apply(&mut self.audit.minutes, minute, c.dims, true);
        if first_copy {
            self.audit_caching(event, c.dims, cost, effects.routed);
        }
    }

    /// Takes back what a replaced copy's per-record rules added (the caching rules keep the
    /// first copy: streamed copies differ only in their output).
    pub(super) fn audit_retract(&mut self, old: &Stored) {
        let event = self.stored_event(old);
        let effects = self.audit_effects(&event, old.dims, None);
        effects.apply(&mut self.audit.minutes, old.minute, old.dims, false);
    }

    /// Whether records of these dimensions are marked async (looked up once per project and
    /// tag set).
    fn audit_is_async(&mut self, dims: Dims) -> bool {
        if self.audit.marks.is_empty() {
            return false;
        }
        let key = (dims.project, dims.tags);
        if let Some(&known) = self.audit.async_of.get(&key) {
            return known;
        }
        let strings = &self.strings;
        let pairs = self.tag_sets.pairs(dims.tags);
        let marked = self.audit.marks.iter().any(|m| {
            let tag = pairs
                .iter()
                .any(|&(k, v)| strings.name(k) == m.key && strings.name(v) == m.value);
            tag || (m.key == "project" && strings.name(dims.project) == m.value)
        });
        self.audit.async_of.insert(key, marked);
        marked
    }

    /// Where an interned model stands on the ladder (looked up once per model).
    fn audit_route(&mut self, model: u32) -> Route {
        let i = model as usize;
        if let Some(Some(route)) = self.audit.routes.get(i) {
            return *route;
        }
        let price = self.model_prices.get(i).and_then(Option::as_ref);
        let route = self.audit.ladder.route(self.strings.name(model), price);
        if self.audit.routes.len() <= i {
            self.audit.routes.resize(i + 1, None);
        }
        self.audit.routes[i] = Some(route);
        route
    }
}
