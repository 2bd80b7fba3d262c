//! The cost of one usage record, with the breakdown the cache and batch panes need.

use crate::usage::{EventKind, Tier, UsageEvent};

use super::table::{Band, Rate, Rates};
use super::{ModelPrice, Money, PriceTable, Ratio};

/// The least prompt of the Admin API's `200k-1M` context window: a record that says it is in
/// that window is banded as if its prompt had at least this many tokens.
const LONG_CONTEXT_FLOOR: u64 = 200_001;

/// One web search: $10 per 1,000 searches.
const WEB_SEARCH: Money = Money(10_000_000_000);

/// What one record costs, and what it would have cost without the cache or the batch tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// What the record is billed.
    pub total: Money,
    /// Part of `total` paid for cache writes and reads.
    pub(crate) cache: Money,
    /// What the cached tokens (writes and reads) would have cost as uncached input.
    pub(crate) cache_uncached_equivalent: Money,
    /// What the batch tier saved (standard price minus batch price); zero for other tiers.
    pub(crate) batch_savings: Money,
    /// Whether the whole request was billed at an upper prompt-length band (Sonnet 4/4.5
    /// long context, Haiku 5.5 over 100,000 prompt tokens).
    pub(crate) long_context: bool,
}

/// Prices one record; `None` when its model is not in the table (counted, never $0 silently).
pub fn price(table: &PriceTable, event: &UsageEvent) -> Option<Cost> {
    price_with(table.lookup(&event.model), event)
}

/// [`price`] with the model's prices already looked up (callers cache the lookup per model).
///
/// Rules (PRICES.md §2): the price period in force at the record's own timestamp; the band
/// its prompt (input + cache writes + cache reads) falls in, for every token category of the
/// request; × the model's fast multiplier in fast mode (`usage.speed` or an id ending in
/// `-fast`), × 1.1 for US-only inference and for partner-cloud regional ids where the period
/// allows them, × ½ in the batch tier. Web searches cost $0.01 each, never multiplied.
/// Failed batch results cost nothing. `None` also when no period covers the timestamp.
/// Works in integers only and never allocates: this runs once per record.
pub(crate) fn price_with(model: Option<&ModelPrice>, event: &UsageEvent) -> Option<Cost> {
    if event.kind == EventKind::FailedRequest {
        return Some(Cost::default());
    }
    let (band, rates, common) = terms(model?, event)?;
    let batch = event.tier == Tier::Batch;
    let billed = tokens_cost(
        event,
        rates,
        if batch {
            common.times(Ratio::HALF)
        } else {
            common
        },
    );
    let batch_savings = if batch {
        tokens_cost(event, rates, common).total() - billed.total()
    } else {
        Money::ZERO
    };
    Some(Cost {
        total: billed.total() + fees(event),
        cache: billed.cache,
        cache_uncached_equivalent: billed.uncached,
        batch_savings,
        long_context: band > 0,
    })
}

/// A record's cost by token category, for `--compare`'s split of a change in spend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// Uncached input, 5-minute writes, 1-hour writes, cache reads and output, each at the
    /// standard tier: every multiplier of the record but the batch half.
    pub(crate) standard: [Money; 5],
    /// What the tokens are billed (the batch half, when it applies, taken per category).
    pub(crate) billed: Money,
    /// Per-request fees (web searches): never halved.
    pub(crate) fees: Money,
}

/// [`price_with`] by token category: `billed + fees` is the record's `Cost::total`, and the
/// standard parts add up to it less the fees and plus the batch savings. `None` when the
/// record is unpriced.
pub(crate) fn price_parts(model: Option<&ModelPrice>, event: &UsageEvent) -> Option<Parts> {
    if event.kind == EventKind::FailedRequest {
        return Some(Parts::default());
    }
    let (_, rates, common) = terms(model?, event)?;
    let standard = categories(event, rates, common);
    let billed = if event.tier == Tier::Batch {
        categories(event, rates, common.times(Ratio::HALF))
            .into_iter()
            .sum()
    } else {
        standard.into_iter().sum()
    };
    Some(Parts {
        standard,
        billed,
        fees: fees(event),
    })
}

/// The band, its rates and the multiplier every token category of `event` bills at, before
/// the batch half (PRICES.md §2); `None` when no price period covers the timestamp.
fn terms<'a>(m: &'a ModelPrice, event: &UsageEvent) -> Option<(usize, &'a Rates, Ratio)> {
    let period = m.period_at(event.timestamp)?;
    let (band, Band { rates, .. }) = period.band_for(prompt_tokens(event))?;
    let mut common = Ratio::ONE;
    if (event.modifiers.fast || m.spelling.fast)
        && let Some(f) = period.fast
    {
        common = common.times(f);
    }
    if event.modifiers.us_only && period.us_only {
        common = common.times(Ratio::TEN_PERCENT_MORE);
    }
    if m.spelling.regional && period.regional {
        common = common.times(Ratio::TEN_PERCENT_MORE);
    }
    Some((band, rates, common))
}

/// Web searches: $0.01 each, never multiplied.
fn fees(event: &UsageEvent) -> Money {
    Money(WEB_SEARCH.0 * i128::from(event.tokens.web_search_requests))
}

/// The prompt that picks a record's band. A per-request record is judged on its own tokens;
/// an Admin API bucket sums many requests, so only its `context_window` says anything.
fn prompt_tokens(event: &UsageEvent) -> u64 {
    let floor = if event.modifiers.long_context {
        LONG_CONTEXT_FLOOR
    } else {
        0
    };
    match event.kind {
        EventKind::Bucket => floor,
        _ => event.tokens.total_input().max(floor),
    }
}

struct TokensCost {
    cache: Money,
    other: Money,
    uncached: Money,
}

impl TokensCost {
    fn total(&self) -> Money {
        self.cache + self.other
    }
}

fn tokens_cost(event: &UsageEvent, r: &Rates, common: Ratio) -> TokensCost {
    let [input, five_minute, one_hour, read, output] = categories(event, r, common);
    let t = &event.tokens;
    TokensCost {
        cache: five_minute + one_hour + read,
        other: input + output,
        uncached: common
            .times(r.input.ratio)
            .apply(t.cache_writes() + t.cache_read, r.input.unit),
    }
}

/// Each token category's cost at `common` × its rate: uncached input, 5-minute writes, 1-hour
/// writes, cache reads, output (each rounded once).
fn categories(event: &UsageEvent, r: &Rates, common: Ratio) -> [Money; 5] {
    let t = &event.tokens;
    let at = |tokens: u64, rate: Rate| common.times(rate.ratio).apply(tokens, rate.unit);
    [
        at(t.input, r.input),
        at(t.cache_write_5m, r.write_5m),
        at(t.cache_write_1h, r.write_1h),
        at(t.cache_read, r.read),
        at(t.output, r.output),
    ]
}
