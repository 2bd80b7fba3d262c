//! Counterfactual prices: the record again, with its model changed or tokens moved between
//! categories, priced by `pricing::price_with` like every other cost — never a price of its
//! own.

use std::sync::Arc;

use crate::pricing::{ModelPrice, Money, price_with};
use crate::usage::{Attribution, UsageEvent};

/// Prices variants of one record at its model's prices.
pub(super) struct Pricer<'a> {
    price: Option<&'a ModelPrice>,
    event: UsageEvent,
    /// What the record costs as it is.
    pub(crate) now: Money,
}

impl<'a> Pricer<'a> {
    /// A pricer for `event` (only what pricing reads is kept: no attribution, no
    /// iterations); `now` is its known cost, priced here when not given.
    pub(crate) fn new(
        price: Option<&'a ModelPrice>,
        event: &UsageEvent,
        now: Option<Money>,
    ) -> Self {
        let event = UsageEvent {
            alt_key: None,
            key: None,
            rank: event.rank,
            timestamp: event.timestamp,
            model: Arc::clone(&event.model),
            tokens: event.tokens,
            tier: event.tier,
            modifiers: event.modifiers,
            stop_reason: event.stop_reason,
            kind: event.kind,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        };
        let now = now.unwrap_or_else(|| price_with(price, &event).map_or(Money::ZERO, |c| c.total));
        Pricer { price, event, now }
    }

    /// The cost of the record with its tokens or tier changed by `change`, at its own
    /// model's prices (the record is put back as it was).
    pub(crate) fn with(&mut self, change: impl FnOnce(&mut UsageEvent)) -> Money {
        let (tokens, tier) = (self.event.tokens, self.event.tier);
        change(&mut self.event);
        let cost = price_with(self.price, &self.event).map_or(Money::ZERO, |c| c.total);
        self.event.tokens = tokens;
        self.event.tier = tier;
        cost
    }

    /// The cost of the same record at another model's prices.
    pub(crate) fn on(&self, price: &ModelPrice) -> Money {
        price_with(Some(price), &self.event).map_or(Money::ZERO, |c| c.total)
    }

    /// What part of the cost the output tokens are (the record minus its output).
    pub(crate) fn output_cost(&mut self) -> Money {
        self.now - self.with(|e| e.tokens.output = 0)
    }
}

/// `x × num / den`, for scaling a saving by how much routing already cut the cost.
pub(super) fn scale(x: Money, num: Money, den: Money) -> Money {
    if den.0 == 0 {
        x
    } else {
        Money(x.0 * num.0 / den.0)
    }
}

/// Scales a saving on a record by what routing already cut (`routed`: the record's cost now
/// and one step down the ladder, for a routing candidate).
pub(super) fn after_routing(routed: Option<(Money, Money)>, saved: Money) -> Money {
    routed.map_or(saved, |(now, down)| scale(saved, down, now))
}
