//! What the aggregator counted, stored compactly: names and tag sets interned once, each
//! interned model's price, the rollups over time at the resolutions their readers need, and
//! the monotonic counters of `/metrics`. Every other part of the state reads it.

mod counters;
mod histogram;
mod history;
mod intern;
mod rollup;

use chrono::{DateTime, Utc};

pub use counters::CounterOptions;
pub(crate) use counters::Counters;
pub(crate) use histogram::Histogram;
pub(crate) use history::{History, Trend, hour_start, minute_of};
pub(crate) use intern::{Interner, TagSets};
pub(crate) use rollup::{Cell, Contribution, Dims, StoredCell};

use crate::money::Money;
use crate::pricing::{ModelPrice, PriceTable, price_with};
use crate::snapshot::bucket_of;
use crate::time::Zone;
use crate::usage::{EventKind, StopReason, UsageEvent};

/// An event's tag pairs while they are interned (events carry one or two tags).
type SmallTags = smallvec::SmallVec<[(u32, u32); 4]>;

/// The counted usage (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct Store {
    /// Models, projects, sessions, tag keys and values, by interned id.
    pub(crate) strings: Interner,
    /// Tag sets, by interned id.
    pub(crate) tag_sets: TagSets,
    /// Prices of each interned model (`None`: unpriced), indexed by model id.
    pub(crate) model_prices: Vec<Option<ModelPrice>>,
    /// The rollups, each at the resolution its readers need.
    pub(crate) history: History,
    /// Cumulative counters for `/metrics`, when asked for.
    pub(crate) counters: Option<Counters>,
}

impl Store {
    /// Nothing counted yet; hours follow `zone`, counters are kept when `counters` is given.
    pub(crate) fn new(zone: Zone, counters: Option<CounterOptions>) -> Store {
        let mut strings = Interner::new();
        let counters = counters.map(|options| Counters::new(options, &mut strings));
        Store {
            strings,
            tag_sets: TagSets::default(),
            model_prices: Vec::new(),
            history: History::new(zone),
            counters,
        }
    }

    /// Adds or retracts a contribution in its minute.
    pub(crate) fn apply(&mut self, minute: i64, c: &Contribution, add: bool) {
        self.history.apply(minute, c, add);
        if let Some(counters) = &mut self.counters {
            counters.apply(&self.tag_sets, c, add);
        }
    }

    /// The price of an interned model (`None`: unpriced).
    pub(crate) fn price(&self, model: u32) -> Option<&ModelPrice> {
        self.model_prices
            .get(model as usize)
            .and_then(Option::as_ref)
    }

    /// Cost of all records in `[from, to]` as seen at `now`: per minute for the last six
    /// days, whole local hours before (`history.rs`).
    pub(crate) fn spend_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Money {
        self.history
            .cost_between(minute_of(from), minute_of(to), now)
    }

    /// What a record contributes: its names interned (its model priced from `prices` the
    /// first time it is seen), then priced.
    pub(crate) fn contribution(&mut self, e: &UsageEvent, prices: &PriceTable) -> Contribution {
        let model = self.strings.intern_shared(&e.model);
        // Prices per interned model, looked up (and the id normalised) once per model.
        while self.model_prices.len() <= model as usize {
            let name = self.strings.name(self.model_prices.len() as u32);
            self.model_prices.push(prices.lookup(name).cloned());
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

    /// What a record counted in `dims` contributes, priced at its model's price.
    pub(crate) fn price_into(&self, dims: Dims, e: &UsageEvent) -> Contribution {
        Contribution {
            dims,
            tokens: e.tokens,
            // Buckets and billed iterations add tokens and cost, not requests.
            requests: u64::from(matches!(
                e.kind,
                EventKind::Request | EventKind::FailedRequest
            )),
            cost: price_with(self.price(dims.model), e),
            output_bucket: (e.kind == EventKind::Request).then(|| bucket_of(e.tokens.output)),
            max_tokens: e.stop_reason == Some(StopReason::MaxTokens),
            fast: e.modifiers.fast,
        }
    }
}
