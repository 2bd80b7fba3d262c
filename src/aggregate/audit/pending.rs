//! Cache writes waiting for a read: what each will have cost if none comes, worked out only
//! then (most writes are read).

use std::sync::Arc;

use chrono::DateTime;

use super::cells::{Amounts, Slot};
use super::minutes::AuditMinutes;
use super::pricer::{Pricer, after_routing};
use crate::aggregate::store::Dims;
use crate::pricing::{ModelPrice, Money};
use crate::snapshot::Kind;
use crate::usage::{Attribution, EventKind, Modifiers, StopReason, Tokens, UsageEvent};

/// The 5-minute TTL (and the repeat horizon of rule (a)), in milliseconds.
pub(super) const FIVE_MINUTES: i64 = 5 * 60_000;
/// The 1-hour TTL, in milliseconds.
pub(super) const ONE_HOUR: i64 = 60 * 60_000;
/// Prices of the interned models, by model id.
pub(super) type Prices = [Option<ModelPrice>];

/// One request as the caching rules see it.
pub(super) struct Observed<'a> {
    /// When (ms since the epoch).
    pub(crate) at: i64,
    /// Its minute.
    pub(crate) minute: i64,
    /// Its dimensions.
    pub(crate) dims: Dims,
    /// The request.
    pub(crate) event: &'a UsageEvent,
    /// Its cost, when known.
    pub(crate) cost: Option<Money>,
    /// What routing would cut its cost to, if it is a routing candidate.
    pub(crate) routed: Option<(Money, Money)>,
}

/// A cache write waiting to be read, or to reach the end of its TTL. What it costs is worked
/// out only if it turns out an opportunity (most writes are read). Kept small (128 bytes):
/// a thread can hold an hour of unread writes. Its minute and deadline follow from `at`; the
/// model is `dims.model` (pricing reads the price, not the name).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PendingWrite {
    /// When it was written (ms).
    pub(crate) at: i64,
    /// Cache reads of the writing request: a later read beyond them reached the write.
    pub(crate) read_before: u64,
    /// The writing request's tokens, as pricing reads them.
    tokens: Tokens,
    /// The writing request's cost and its cost one step down the routing ladder; zeros when
    /// it is no routing candidate (scaling by 0/0 leaves a saving as it is).
    routed: (Money, Money),
    /// Where it is booked: the writing request's dimensions (and the minute of `at`).
    pub(crate) dims: Dims,
    modifiers: Modifiers,
    /// Written for an hour (else 5 minutes).
    pub(crate) one_hour: bool,
    /// A later request of the thread read it within its TTL.
    pub(crate) read: bool,
    /// A read of it came over 5 minutes after the thread's previous request.
    pub(crate) needed_one_hour: bool,
}

impl PendingWrite {
    /// When its TTL is over (ms).
    pub(crate) fn deadline(&self) -> i64 {
        self.at
            + if self.one_hour {
                ONE_HOUR
            } else {
                FIVE_MINUTES
            }
    }

    /// The minute it is booked in (minutes since the epoch).
    pub(crate) fn minute(&self) -> i64 {
        self.at.div_euclid(60_000)
    }

    /// What the write turned out to be once its TTL is over, if an opportunity.
    pub(crate) fn outcome(&self, prices: &Prices) -> Option<(Kind, Amounts)> {
        let kind = if !self.read {
            Kind::WritesNeverRead
        } else if self.one_hour && !self.needed_one_hour {
            Kind::OneHourWrites
        } else {
            return None;
        };
        let price = prices
            .get(self.dims.model as usize)
            .and_then(Option::as_ref)?;
        let event = UsageEvent {
            alt_key: None,
            key: None,
            rank: 0,
            timestamp: DateTime::from_timestamp_millis(self.at).unwrap_or_default(),
            // Pricing reads the price (given), never the name.
            model: Arc::from(""),
            tokens: self.tokens,
            tier: self.dims.tier,
            modifiers: self.modifiers,
            stop_reason: Some(StopReason::Other),
            kind: EventKind::Request,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        };
        let mut p = Pricer::new(Some(price), &event, None);
        let (w5, w1) = (self.tokens.cache_write_5m, self.tokens.cache_write_1h);
        let current = if self.one_hour {
            p.now - p.with(|e| e.tokens.cache_write_1h = 0)
        } else {
            p.now - p.with(|e| e.tokens.cache_write_5m = 0)
        };
        // Unread: the same tokens as plain input. A 1-hour write read within 5 minutes: the
        // same tokens written for 5 minutes.
        let instead = match (kind, self.one_hour) {
            (Kind::WritesNeverRead, false) => p.with(|e| {
                e.tokens.cache_write_5m = 0;
                e.tokens.input += w5;
            }),
            (Kind::WritesNeverRead, true) => p.with(|e| {
                e.tokens.cache_write_1h = 0;
                e.tokens.input += w1;
            }),
            _ => p.with(|e| {
                e.tokens.cache_write_1h = 0;
                e.tokens.cache_write_5m += w1;
            }),
        };
        let saved = p.now - instead;
        let combined = after_routing(Some(self.routed), saved);
        Some((kind, Amounts::one(current, saved, combined)))
    }

    /// Books the outcome, if an opportunity, into its minute.
    pub(crate) fn book(&self, minutes: &mut AuditMinutes, prices: &Prices) {
        if let Some((kind, amounts)) = self.outcome(prices) {
            minutes
                .at(self.minute())
                .apply(self.dims, Slot::of(kind), &amounts, true);
        }
    }
}

/// The request's own writes, waiting for a read.
pub(super) fn writes_of(r: &Observed<'_>) -> impl Iterator<Item = PendingWrite> {
    let t = r.event.tokens;
    [
        (t.cache_write_5m, FIVE_MINUTES),
        (t.cache_write_1h, ONE_HOUR),
    ]
    .into_iter()
    .filter(|(tokens, _)| *tokens > 0)
    .map(move |(_, ttl)| PendingWrite {
        at: r.at,
        read_before: t.cache_read,
        tokens: t,
        routed: r.routed.unwrap_or((Money::ZERO, Money::ZERO)),
        dims: r.dims,
        modifiers: r.event.modifiers,
        one_hour: ttl == ONE_HOUR,
        read: false,
        needed_one_hour: false,
    })
}

/// Writes for tests of the structures that hold them.
#[cfg(test)]
pub(super) mod testing {
    use super::*;
    use crate::usage::Tier;

    /// A write of 2,000 tokens at `at` (ms) by a request that read `read_before` cached tokens.
    pub(crate) fn write(at: i64, read_before: u64, one_hour: bool) -> PendingWrite {
        PendingWrite {
            at,
            read_before,
            tokens: Tokens {
                input: 10,
                cache_read: read_before,
                cache_write_5m: if one_hour { 0 } else { 2_000 },
                cache_write_1h: if one_hour { 2_000 } else { 0 },
                ..Tokens::default()
            },
            routed: (Money::ZERO, Money::ZERO),
            dims: Dims {
                model: 1,
                project: 0,
                session: 1,
                tags: 0,
                tier: Tier::Standard,
            },
            modifiers: Modifiers::default(),
            one_hour,
            read: false,
            needed_one_hour: false,
        }
    }
}
