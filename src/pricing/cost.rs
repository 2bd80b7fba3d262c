//! The cost of one usage record, with the breakdown the cache and batch panes need.

use crate::usage::{EventKind, Tier, UsageEvent};

use super::{ModelPrice, Money, PriceTable};

/// Requests above this total input are billed wholly at the long-context rate.
pub const LONG_CONTEXT_THRESHOLD: u64 = 200_000;

/// One web search: $10 per 1,000 searches.
const WEB_SEARCH: Money = Money(10_000_000_000);

/// What one record costs, and what it would have cost without the cache or the batch tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// What the record is billed.
    pub total: Money,
    /// Part of `total` paid for cache writes and reads.
    pub cache: Money,
    /// What the cached tokens (writes and reads) would have cost as uncached input.
    pub cache_uncached_equivalent: Money,
    /// What the batch tier saved (standard price minus batch price); zero for other tiers.
    pub batch_savings: Money,
    /// Whether the whole request was billed at the long-context rate.
    pub long_context: bool,
}

/// A rational multiplier, exact for every rule in the pricing table.
#[derive(Clone, Copy)]
struct Ratio(i128, i128);

impl Ratio {
    const ONE: Ratio = Ratio(1, 1);

    fn times(self, other: Ratio) -> Ratio {
        Ratio(self.0 * other.0, self.1 * other.1)
    }

    /// `tokens × unit × self`, rounded half away from zero to a picodollar.
    fn apply(self, tokens: u64, unit: Money) -> Money {
        let num = i128::from(tokens) * unit.0 * self.0;
        Money((num + self.1 / 2) / self.1)
    }
}

/// Prices one record; `None` when its model is not in the table (counted, never $0 silently).
///
/// Rules (DESIGN.md §3): uncached input at the input price; 5-minute writes ×1.25, 1-hour
/// writes ×2, reads ×0.1 of it; output at the output price. Sonnet 4/4.5 requests whose total
/// input exceeds 200,000 tokens (or Admin API buckets in the `200k-1M` band) bill every token
/// at input ×2 / output ×1.5. Fast mode multiplies by the model's fast factor, US-only
/// inference by 1.1, the batch tier by 0.5. Web searches cost $0.01 each and are not
/// discounted by tier. Failed batch results cost nothing.
pub fn price(table: &PriceTable, event: &UsageEvent) -> Option<Cost> {
    price_with(table.lookup(&event.model), event)
}

/// [`price`] with the model's prices already looked up (callers cache the lookup per model).
pub fn price_with(model: Option<&ModelPrice>, event: &UsageEvent) -> Option<Cost> {
    if event.kind == EventKind::FailedRequest {
        return Some(Cost::default());
    }
    let p = model?;
    let t = &event.tokens;
    let long_context = p.long_context
        && (event.modifiers.long_context || t.total_input() > LONG_CONTEXT_THRESHOLD);

    let mut common = Ratio::ONE;
    if event.modifiers.fast
        && let Some(f) = p.fast
    {
        common = common.times(Ratio(i128::from(f), 1));
    }
    if event.modifiers.us_only {
        common = common.times(Ratio(11, 10));
    }
    let (input_rate, output_rate) = if long_context {
        (common.times(Ratio(2, 1)), common.times(Ratio(3, 2)))
    } else {
        (common, common)
    };

    let tokens_cost = |tier_ratio: Ratio| {
        let inr = input_rate.times(tier_ratio);
        let cache = inr.times(Ratio(5, 4)).apply(t.cache_write_5m, p.input)
            + inr.times(Ratio(2, 1)).apply(t.cache_write_1h, p.input)
            + inr.times(Ratio(1, 10)).apply(t.cache_read, p.input);
        let other =
            inr.apply(t.input, p.input) + output_rate.times(tier_ratio).apply(t.output, p.output);
        let uncached = inr.apply(t.cache_writes() + t.cache_read, p.input);
        (cache, other, uncached)
    };

    let batch = event.tier == Tier::Batch;
    let (cache, other, uncached) = tokens_cost(if batch { Ratio(1, 2) } else { Ratio::ONE });
    let search = Money(WEB_SEARCH.0 * i128::from(t.web_search_requests));
    let total = cache + other + search;
    let batch_savings = if batch {
        let (c, o, _) = tokens_cost(Ratio::ONE);
        c + o - (cache + other)
    } else {
        Money::ZERO
    };
    Some(Cost {
        total,
        cache,
        cache_uncached_equivalent: uncached,
        batch_savings,
        long_context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{Modifiers, Tokens};
    use chrono::{TimeZone, Utc};

    fn event(model: &str, tokens: Tokens) -> UsageEvent {
        UsageEvent {
            key: None,
            rank: 0,
            timestamp: Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap(),
            model: model.into(),
            tokens,
            tier: Tier::Standard,
            modifiers: Modifiers::default(),
            stop_reason: None,
            kind: EventKind::Request,
            attribution: crate::usage::Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }
    }

    fn usd(table: &PriceTable, e: &UsageEvent) -> Money {
        price(table, e).unwrap().total
    }

    fn dollars(x: f64) -> Money {
        Money::from_usd(x)
    }

    fn tok(input: u64, w5: u64, w1: u64, read: u64, output: u64) -> Tokens {
        Tokens {
            input,
            cache_write_5m: w5,
            cache_write_1h: w1,
            cache_read: read,
            output,
            web_search_requests: 0,
        }
    }

    #[test]
    fn opus_4_5_and_4_1_use_their_own_prices() {
        let t = PriceTable::embedded();
        let m = tok(1_000_000, 0, 0, 0, 1_000_000);
        assert_eq!(
            usd(&t, &event("claude-opus-4-5-20251101", m)),
            dollars(30.0)
        );
        assert_eq!(
            usd(&t, &event("claude-opus-4-1-20250805", m)),
            dollars(90.0)
        );
    }

    #[test]
    fn cache_writes_and_reads_use_their_multipliers() {
        let t = PriceTable::embedded();
        // Sonnet 4.6, $3 input: 5m write 1M → $3.75, 1h write 1M → $6, read 1M → $0.30.
        let e = event("claude-sonnet-4-6", tok(0, 1_000_000, 0, 0, 0));
        assert_eq!(usd(&t, &e), dollars(3.75));
        let e = event("claude-sonnet-4-6", tok(0, 0, 1_000_000, 0, 0));
        assert_eq!(usd(&t, &e), dollars(6.0));
        let e = event("claude-sonnet-4-6", tok(0, 0, 0, 1_000_000, 0));
        assert_eq!(usd(&t, &e), dollars(0.3));
    }

    #[test]
    fn fixture_claude_code_line_prices_by_hand() {
        // claude-sonnet-4-6: 3 input, 2849 1h writes, 9493 reads, 527 output.
        // 3×3 + 2849×6 + 9493×0.3 + 527×15 = 9 + 17094 + 2847.9 + 7905 = 27855.9 µ$.
        let t = PriceTable::embedded();
        let e = event("claude-sonnet-4-6", tok(3, 0, 2849, 9493, 527));
        assert_eq!(price(&t, &e).unwrap().total, Money(27_855_900_000));
    }

    #[test]
    fn sonnet_long_context_bills_the_whole_request_above_200k() {
        let t = PriceTable::embedded();
        // 215,000 input + 1,000 output: everything at $6 / $22.50.
        let e = event("claude-sonnet-4-5-20250929", tok(215_000, 0, 0, 0, 1_000));
        // 215,000 × $6/M = $1.29; 1,000 × $22.50/M = $0.0225.
        assert_eq!(usd(&t, &e), dollars(1.3125));
        assert!(price(&t, &e).unwrap().long_context);
        // Exactly 200,000 (counting cache reads and writes) is not above the threshold.
        let e = event(
            "claude-sonnet-4-5-20250929",
            tok(100_000, 50_000, 0, 50_000, 1_000),
        );
        // $0.30 + $0.1875 + $0.015 + $0.015.
        assert_eq!(usd(&t, &e), dollars(0.5175));
        assert!(!price(&t, &e).unwrap().long_context);
        // Opus has no long-context surcharge.
        let e = event("claude-opus-4-5", tok(215_000, 0, 0, 0, 0));
        assert_eq!(usd(&t, &e), dollars(1.075));
    }

    #[test]
    fn batch_halves_tokens_and_reports_savings() {
        let t = PriceTable::embedded();
        let mut e = event("claude-haiku-4-5", tok(1_000_000, 0, 0, 0, 1_000_000));
        e.tier = Tier::Batch;
        let c = price(&t, &e).unwrap();
        assert_eq!(c.total, dollars(3.0));
        assert_eq!(c.batch_savings, dollars(3.0));
        e.kind = EventKind::FailedRequest;
        assert_eq!(price(&t, &e).unwrap().total, Money::ZERO);
    }

    #[test]
    fn fast_mode_geo_and_web_search() {
        let t = PriceTable::embedded();
        let mut e = event("claude-opus-4-6", tok(1_000_000, 0, 0, 0, 0));
        e.modifiers.fast = true;
        assert_eq!(usd(&t, &e), dollars(30.0));
        e.model = "claude-opus-4-8".into();
        assert_eq!(usd(&t, &e), dollars(10.0));
        e.modifiers.fast = false;
        e.modifiers.us_only = true;
        assert_eq!(usd(&t, &e), dollars(5.5));
        let mut e = event("claude-haiku-4-5", Tokens::default());
        e.tokens.web_search_requests = 3;
        assert_eq!(usd(&t, &e), dollars(0.03));
    }

    #[test]
    fn bedrock_and_vertex_ids_are_priced_and_unknown_models_are_not() {
        let t = PriceTable::embedded();
        let m = tok(1_000_000, 0, 0, 0, 0);
        assert_eq!(
            usd(&t, &event("anthropic.claude-haiku-4-5-20251001-v1:0", m)),
            dollars(1.0)
        );
        assert_eq!(
            usd(&t, &event("claude-opus-4-1@20250805", m)),
            dollars(15.0)
        );
        assert!(price(&t, &event("mystery-model-7", m)).is_none());
    }

    #[test]
    fn cache_savings_compare_with_uncached_input() {
        let t = PriceTable::embedded();
        // 1M reads on Sonnet: cost $0.30, uncached would be $3 → saved $2.70.
        let c = price(&t, &event("claude-sonnet-4-6", tok(0, 0, 0, 1_000_000, 0))).unwrap();
        assert_eq!(c.cache_uncached_equivalent - c.cache, dollars(2.7));
    }
}
