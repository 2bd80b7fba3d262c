//! The per-record rules: routing, batch, `max_tokens` stops and the output cost kept per
//! histogram bucket for the p99 rule. A pure function of the record, so a replaced copy's
//! effects are taken back exactly.

use smallvec::SmallVec;

use super::cells::{Amounts, Skipped, Slot, picos};
use super::ladder::{Ladder, Route};
use super::minutes::AuditMinutes;
use super::pricer::{Pricer, after_routing};
use crate::aggregate::store::Dims;
use crate::pricing::{ModelPrice, Money};
use crate::snapshot::{Kind, bucket_of};
use crate::usage::{EventKind, StopReason, Tier, UsageEvent};

/// A routing candidate: output at most this many tokens…
pub(super) const SIMPLE_OUTPUT: u64 = 256;
/// …and a prompt (uncached input, cache writes and reads) under this many.
pub(super) const SIMPLE_PROMPT: u64 = 8_000;

/// What one record adds to the audit's cells.
#[derive(Debug, Default)]
pub(super) struct Effects {
    cells: SmallVec<[(Slot, Amounts); 4]>,
    skipped: Skipped,
    /// For a routing candidate: (cost now, cost one step down). Later levers' savings on
    /// the same request are scaled by it in the combined potential.
    pub(crate) routed: Option<(Money, Money)>,
}

impl Effects {
    /// Adds (or retracts) the effects in `minute`.
    pub(crate) fn apply(&self, minutes: &mut AuditMinutes, minute: i64, dims: Dims, add: bool) {
        if self.cells.is_empty() && self.skipped == Skipped::default() {
            return;
        }
        let m = minutes.at(minute);
        for (slot, amounts) in &self.cells {
            m.apply(dims, *slot, amounts, add);
        }
        m.skip(&self.skipped, add);
    }
}

/// A record as the per-record rules see it.
pub(super) struct Record<'a> {
    /// The record.
    pub(crate) event: &'a UsageEvent,
    /// Its cost, when known.
    pub(crate) cost: Option<Money>,
    /// Its model's price.
    pub(crate) price: Option<&'a ModelPrice>,
    /// Where its model stands on the ladder.
    pub(crate) route: Route,
    /// Whether its group is marked async.
    pub(crate) is_async: bool,
}

/// The per-record rules for a record; `is_async` is asked only of standard-tier records.
pub(super) fn effects(ladder: &Ladder, r: &Record<'_>) -> Effects {
    let event = r.event;
    let mut fx = Effects::default();
    if event.kind == EventKind::FailedRequest {
        return fx;
    }
    let route = r.route;
    if route == Route::Unpriced {
        fx.skipped.unpriced = u32::from(event.kind == EventKind::Request);
        return fx;
    }
    let is_async = event.tier == Tier::Standard && r.is_async;
    let mut p = Pricer::new(r.price, event, r.cost);
    if is_async {
        let batch = p.with(|e| e.tier = Tier::Batch);
        let saved = p.now - batch;
        if saved > Money::ZERO {
            let mut a = Amounts::one(p.now, saved, saved);
            a.requests = u32::from(event.kind == EventKind::Request);
            fx.cells.push((Slot::of(Kind::AsyncStandardTier), a));
        }
    }
    if event.kind != EventKind::Request {
        return fx;
    }
    // Routing: the same request one step down. A saving is kept for the whole group; a
    // simple-looking one is a candidate (and later levers' savings on it shrink).
    let t = event.tokens;
    let simple = t.output <= SIMPLE_OUTPUT && t.total_input() < SIMPLE_PROMPT;
    let mut routing = Money::ZERO;
    match route {
        Route::OffLadder => fx.skipped.off_ladder = 1,
        Route::Down(rung) => {
            if let Some(r) = ladder.rung(rung) {
                let down = p.on(&r.price);
                routing = (p.now - down).max(Money::ZERO);
                if simple && routing > Money::ZERO {
                    fx.routed = Some((p.now, down));
                }
            }
        }
        Route::Bottom | Route::Unpriced => {}
    }
    let output = if t.output > 0 {
        p.output_cost()
    } else {
        Money::ZERO
    };
    if event.stop_reason == Some(StopReason::MaxTokens) {
        let combined = after_routing(fx.routed, output);
        fx.cells.push((
            Slot::of(Kind::MaxTokensStops),
            Amounts::one(p.now, output, combined),
        ));
    }
    let mut a = Amounts::one(p.now, routing, Money::ZERO);
    a.output = picos(output);
    // Output prices are whole picodollars per token, so this division is exact.
    a.per_token = picos(output) / i64::try_from(t.output.max(1)).unwrap_or(i64::MAX);
    let simple = simple && routing > Money::ZERO;
    fx.cells
        .push((Slot::requests(bucket_of(t.output), simple), a));
    fx
}
