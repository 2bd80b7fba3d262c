//! The audit's own state: its settings resolved against the price table, caches per interned
//! model and tag set, the per-minute cells and the live per-session threads; and what it does
//! with each record the aggregator counts.

use foldhash::HashMap;

use super::caching::Threads;
use super::ladder::{Ladder, Route};
use super::minutes::AuditMinutes;
use super::pending::Observed;
use super::rules::{Effects, Record, effects};
use super::settings::{AsyncMark, AuditSettings};
use crate::aggregate::store::{Contribution, Dims, Store};
use crate::money::Money;
use crate::pricing::PriceTable;
use crate::snapshot::AuditGroup;
use crate::time::Zone;
use crate::usage::{EventKind, Tier, UsageEvent};

/// The audit's state inside the aggregator's `State`: settings resolved against the price table, caches per
/// interned model and tag set, the per-minute cells and the live per-session threads.
#[derive(Debug, Clone)]
pub(crate) struct Audit {
    pub(super) ladder: Ladder,
    pub(super) marks: Vec<AsyncMark>,
    pub(super) group: AuditGroup,
    /// Where each interned model stands on the ladder (`None`: not looked at yet).
    pub(super) routes: Vec<Option<Route>>,
    /// Whether records of a (project, tag set) are marked async.
    pub(super) async_of: HashMap<(u32, u32), bool>,
    /// Interned id of the `agent` tag key once seen (sub-agents have their own cache).
    pub(super) agent_key: Option<u32>,
    pub(super) minutes: AuditMinutes,
    pub(super) threads: Threads,
}

impl Audit {
    /// An empty audit for these settings and prices.
    pub(crate) fn new(settings: &AuditSettings, prices: &PriceTable, zone: Zone) -> Audit {
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

    /// Folds the minutes before `frontier` into their hours (the rollups' detail frontier).
    pub(crate) fn compact(&mut self, frontier: i64) {
        self.minutes.compact(frontier);
    }

    /// Minutes and live threads held, for memory accounting in tests.
    #[cfg(test)]
    pub(crate) fn held(&self) -> (usize, usize) {
        (self.minutes.len(), self.threads.len())
    }
}

impl Audit {
    /// The audit's share of counting a record: its per-record opportunities, and (for the
    /// first copy of a request) the caching rules. Called by `ingest` after the rollups.
    pub(crate) fn count(
        &mut self,
        store: &Store,
        event: &UsageEvent,
        c: &Contribution,
        first_copy: bool,
    ) {
        let minute = event.timestamp.timestamp().div_euclid(60);
        let cost = if event.iterations.is_empty() {
            c.cost.map(|x| x.total)
        } else {
            None
        };
        let fx = self.effects(store, event, c.dims, cost);
        fx.apply(&mut self.minutes, minute, c.dims, true);
        if first_copy {
            let agent = self.agent(store, c.dims.tags);
            let observed = Observed {
                at: event.timestamp.timestamp_millis(),
                minute,
                dims: c.dims,
                event,
                cost,
                routed: fx.routed,
            };
            self.threads
                .count(&mut self.minutes, &store.model_prices, &observed, agent);
        }
    }

    /// Takes back what a replaced copy (`old`, counted in `minute` and `dims`) added by the
    /// per-record rules (the caching rules keep the first copy: streamed copies differ only in
    /// their output).
    pub(crate) fn retract(&mut self, store: &Store, old: &UsageEvent, minute: i64, dims: Dims) {
        let fx = self.effects(store, old, dims, None);
        fx.apply(&mut self.minutes, minute, dims, false);
    }

    /// The per-record rules for `event` counted in `dims`; `cost` is its cost when known.
    fn effects(
        &mut self,
        store: &Store,
        event: &UsageEvent,
        dims: Dims,
        cost: Option<Money>,
    ) -> Effects {
        // In the order the rules ask, so the caches fill exactly as they always did.
        if event.kind == EventKind::FailedRequest {
            return Effects::default();
        }
        let route = self.route(store, dims.model);
        let is_async =
            route != Route::Unpriced && event.tier == Tier::Standard && self.is_async(store, dims);
        let record = Record {
            event,
            cost,
            price: store.price(dims.model),
            route,
            is_async,
        };
        effects(&self.ladder, &record)
    }

    /// Whether records of these dimensions are marked async (looked up once per project and
    /// tag set).
    fn is_async(&mut self, store: &Store, dims: Dims) -> bool {
        if self.marks.is_empty() {
            return false;
        }
        let key = (dims.project, dims.tags);
        if let Some(&known) = self.async_of.get(&key) {
            return known;
        }
        let strings = &store.strings;
        let pairs = store.tag_sets.pairs(dims.tags);
        let marked = self.marks.iter().any(|m| {
            let tag = pairs
                .iter()
                .any(|&(k, v)| strings.name(k) == m.key && strings.name(v) == m.value);
            tag || (m.key == "project" && strings.name(dims.project) == m.value)
        });
        self.async_of.insert(key, marked);
        marked
    }

    /// Where an interned model stands on the ladder (looked up once per model).
    fn route(&mut self, store: &Store, model: u32) -> Route {
        let i = model as usize;
        if let Some(Some(route)) = self.routes.get(i) {
            return *route;
        }
        let route = self
            .ladder
            .route(store.strings.name(model), store.price(model));
        if self.routes.len() <= i {
            self.routes.resize(i + 1, None);
        }
        self.routes[i] = Some(route);
        route
    }

    /// The `agent` tag's value in a tag set (0: none): a sub-agent has its own cache.
    fn agent(&mut self, store: &Store, tags: u32) -> u32 {
        if self.agent_key.is_none() {
            self.agent_key = store.strings.get("agent");
        }
        self.agent_key
            .and_then(|k| {
                store
                    .tag_sets
                    .pairs(tags)
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| *v)
            })
            .unwrap_or(0)
    }
}
