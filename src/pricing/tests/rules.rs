//! PRICES.md §2 rule by rule, and §3's id spellings, each with a hand-computed figure.

use super::*;
use crate::pricing::tier_label;

/// The event at an RFC 3339 moment.
fn at(e: UsageEvent, when: &str) -> UsageEvent {
    UsageEvent {
        timestamp: DateTime::parse_from_rfc3339(when).unwrap().to_utc(),
        ..e
    }
}

#[test]
fn a_dated_price_applies_by_the_records_own_timestamp() {
    // §2.1: Sonnet 5.5 reads were $0.20 until 2026-10-07 00:00 UTC, $0.10 from then.
    let t = PriceTable::embedded();
    let reads = event("claude-sonnet-5-5", tok(0, 0, 0, 1_000_000, 0));
    let before = at(reads.clone(), "2026-10-06T23:59:59Z");
    let from = at(reads.clone(), "2026-10-07T00:00:00Z");
    assert_eq!(usd(&t, &at(reads, "2026-10-06T12:00:00Z")), dollars("0.20"));
    assert_eq!(usd(&t, &before), dollars("0.20"));
    assert_eq!(usd(&t, &from), dollars("0.10"));
    // Sonnet 5's cancelled rise: $2 input on either side of 2026-09-01.
    let input = event("claude-sonnet-5", tok(1_000_000, 0, 0, 0, 0));
    assert_eq!(
        usd(&t, &at(input.clone(), "2026-08-31T00:00:00Z")),
        dollars("2")
    );
    assert_eq!(usd(&t, &at(input, "2026-09-02T00:00:00Z")), dollars("2"));
}

#[test]
fn haiku_5_5_bills_the_whole_request_at_the_upper_band_above_100k_prompt_tokens() {
    // §2.2. Prompt = input + writes + reads = 40,000 + 20,000 + 10,000 + 30,000 = 100,000:
    // the lower band. 40k×0.10 + 20k×0.125 + 10k×0.20 + 30k×0.01 + 1k output×0.50 per M
    // = 0.004 + 0.0025 + 0.002 + 0.0003 + 0.0005.
    let t = PriceTable::embedded();
    let low = event(
        "claude-haiku-5-5",
        tok(40_000, 20_000, 10_000, 30_000, 1_000),
    );
    assert_eq!(usd(&t, &low), dollars("0.0093"));
    assert!(!cost(&t, &low).long_context);
    // One more read makes 100,001: every category at the upper band, output included:
    // 40k×0.50 + 20k×0.625 + 10k×1.00 + 30,001×0.05 + 1k×2.50 per M
    // = 0.02 + 0.0125 + 0.01 + 0.00150005 + 0.0025.
    let high = event(
        "claude-haiku-5-5",
        tok(40_000, 20_000, 10_000, 30_001, 1_000),
    );
    let c = cost(&t, &high);
    assert_eq!(c.total, dollars("0.04650005"));
    assert_eq!(c.cache, dollars("0.02400005"));
    assert!(c.long_context);
    // Output does not count toward the prompt: 100,000 input and a million output stay low.
    let e = event("claude-haiku-5-5", tok(100_000, 0, 0, 0, 1_000_000));
    assert_eq!(usd(&t, &e), dollars("0.51"));
}

#[test]
fn sonnet_4_and_4_5_long_context_and_none_from_4_6_on() {
    // §2.3. 215,000 input + 1,000 output on Sonnet 4.5: 215k × $6 + 1k × $22.50 per M.
    let t = PriceTable::embedded();
    let e = event("claude-sonnet-4-5-20250929", tok(215_000, 0, 0, 0, 1_000));
    assert_eq!(usd(&t, &e), dollars("1.3125"));
    // Writes and reads count toward the prompt and bill at the band too: prompt 201,000;
    // 150k × 6 + 50k × 7.50 + 1k × 12 (1h write) per M.
    let e = event(
        "claude-sonnet-4-20250514",
        tok(150_000, 50_000, 1_000, 0, 0),
    );
    assert_eq!(usd(&t, &e), dollars("1.287"));
    // Exactly 200,000: the base prices. $0.30 + $0.1875 + $0.015 + 1k output $0.015.
    let e = event("claude-sonnet-4-5", tok(100_000, 50_000, 0, 50_000, 1_000));
    assert_eq!(usd(&t, &e), dollars("0.5175"));
    // Sonnet 4.6: a 900k prompt bills like a 9k one. Opus 4.5: no surcharge either.
    let e = event("claude-sonnet-4-6", tok(900_000, 0, 0, 0, 0));
    assert_eq!(usd(&t, &e), dollars("2.70"));
    let e = event("claude-opus-4-5", tok(215_000, 0, 0, 0, 0));
    assert_eq!(usd(&t, &e), dollars("1.075"));
}

#[test]
fn an_admin_api_bucket_is_banded_by_its_context_window_not_its_summed_tokens() {
    let t = PriceTable::embedded();
    let mut e = event("claude-sonnet-4-5", tok(5_000_000, 0, 0, 0, 0));
    e.kind = EventKind::Bucket;
    // Five million tokens of many small requests: the base $3.
    assert_eq!(usd(&t, &e), dollars("15"));
    e.modifiers.long_context = true;
    assert_eq!(usd(&t, &e), dollars("30"));
}

#[test]
fn fast_mode_multiplies_every_category_by_the_models_factor() {
    // §2.4. 1,000 of each category on Opus 4.6 costs 5 + 25 + 6.25 + 10 + 0.50 = $46.75
    // per M = $0.04675; fast ×6 = $0.2805.
    let t = PriceTable::embedded();
    let mut e = event("claude-opus-4-6", tok(1_000, 1_000, 1_000, 1_000, 1_000));
    e.modifiers.fast = true;
    assert_eq!(usd(&t, &e), dollars("0.2805"));
    let million = tok(1_000_000, 0, 0, 0, 0);
    for (id, fast_usd) in [
        ("claude-opus-4-7", "30"),
        ("claude-opus-4-8", "10"),
        ("claude-opus-5", "10"),
        ("claude-opus-5-5", "8"),
        ("claude-fable-5-2", "16"),
        // No fast mode: the record's speed changes nothing.
        ("claude-sonnet-5", "2"),
    ] {
        let mut e = event(id, million);
        e.modifiers.fast = true;
        assert_eq!(usd(&t, &e), dollars(fast_usd), "{id}");
    }
    // Fast spelled in the id, on a record that says nothing about speed.
    let e = event("anthropic/claude-opus-5-fast", million);
    assert_eq!(usd(&t, &e), dollars("10"));
}

#[test]
fn us_only_inference_is_ten_percent_more_from_claude_4_6_on_only() {
    // §2.5: Opus 5.5 $4 → $4.40; Opus 4.5 rejects the parameter: $5 stays $5. Web searches
    // (a per-request fee) are not multiplied: 10 × $0.01.
    let t = PriceTable::embedded();
    let mut e = event("claude-opus-5-5", tok(1_000_000, 0, 0, 0, 0));
    e.modifiers.us_only = true;
    assert_eq!(usd(&t, &e), dollars("4.40"));
    e.tokens.web_search_requests = 10;
    assert_eq!(usd(&t, &e), dollars("4.50"));
    let mut e = event("claude-opus-4-5-20251101", tok(1_000_000, 0, 0, 0, 0));
    e.modifiers.us_only = true;
    assert_eq!(usd(&t, &e), dollars("5"));
}

#[test]
fn partner_cloud_regional_ids_are_ten_percent_more_from_claude_4_5_on() {
    // §2.6: `us.` and `eu.` are multi-region (×1.1), `global.` is not; Opus 4.1 is older.
    let t = PriceTable::embedded();
    let million = tok(1_000_000, 0, 0, 0, 0);
    for (id, expected) in [
        ("us.anthropic.claude-fable-5-2", "8.80"),
        ("global.anthropic.claude-opus-5", "5"),
        ("eu.anthropic.claude-opus-4-5-20251101-v1:0", "5.50"),
        ("anthropic.claude-opus-4-5-20251101-v1:0", "5"),
        ("us.anthropic.claude-opus-4-1-20250805-v1:0", "15"),
    ] {
        assert_eq!(usd(&t, &event(id, million)), dollars(expected), "{id}");
    }
    // With US-only inference as well: 8 × 1.1 × 1.1.
    let mut e = event("us.anthropic.claude-fable-5-2", million);
    e.modifiers.us_only = true;
    assert_eq!(usd(&t, &e), dollars("9.68"));
}

#[test]
fn batch_halves_every_category_and_stacks_with_bands_and_residency() {
    // §2.7. Haiku 5.5, 200,000 input (upper band) and 10,000 output, US-only, batch:
    // (200k × 0.50 + 10k × 2.50) per M = $0.125; × 1.1 × ½ = $0.06875, saving as much.
    let t = PriceTable::embedded();
    let mut e = event("claude-haiku-5-5", tok(200_000, 0, 0, 0, 10_000));
    e.tier = Tier::Batch;
    e.modifiers.us_only = true;
    let c = cost(&t, &e);
    assert_eq!(c.total, dollars("0.06875"));
    assert_eq!(c.batch_savings, dollars("0.06875"));
    // Cache prices halve too: 1M reads on Sonnet 5 at $0.20 → $0.10.
    let mut e = event("claude-sonnet-5", tok(0, 0, 0, 1_000_000, 0));
    e.tier = Tier::Batch;
    assert_eq!(usd(&t, &e), dollars("0.10"));
    // A failed batch result costs nothing.
    e.kind = EventKind::FailedRequest;
    assert_eq!(usd(&t, &e), Money::ZERO);
}

#[test]
fn web_searches_cost_ten_dollars_a_thousand_in_any_tier() {
    // §2.8.
    let t = PriceTable::embedded();
    let mut e = event("claude-haiku-4-5", Tokens::default());
    e.tokens.web_search_requests = 3;
    assert_eq!(usd(&t, &e), dollars("0.03"));
    e.tier = Tier::Batch;
    assert_eq!(usd(&t, &e), dollars("0.03"));
}

#[test]
fn an_iteration_is_priced_at_its_own_model() {
    // §2.9, the fixture's advisor step: Opus 4.8, 2,518 in / 22 out = 12,590 + 550 µ$.
    // (Adding it on top of the request is the aggregator's job: aggregate/iterations.rs.)
    let t = PriceTable::embedded();
    let mut e = event("claude-opus-4-8", tok(2_518, 0, 0, 0, 22));
    e.kind = EventKind::Iteration;
    assert_eq!(usd(&t, &e), dollars("0.01314"));
}

#[test]
fn the_priority_tier_bills_list_prices_and_says_so() {
    // §2.10.
    let t = PriceTable::embedded();
    let mut e = event("claude-opus-5-5", tok(1_000_000, 0, 0, 0, 0));
    e.tier = Tier::Priority;
    assert_eq!(usd(&t, &e), dollars("4"));
    assert_eq!(tier_label("priority"), "priority (list-price estimate)");
    assert_eq!(tier_label("batch"), "batch");
}

#[test]
fn cache_savings_compare_with_uncached_input_at_the_same_rates() {
    // 1M reads on Sonnet 4.6: cost $0.30, uncached would be $3 → saved $2.70.
    let t = PriceTable::embedded();
    let c = cost(&t, &event("claude-sonnet-4-6", tok(0, 0, 0, 1_000_000, 0)));
    assert_eq!(c.cache_uncached_equivalent - c.cache, dollars("2.70"));
}

#[test]
fn every_spelling_of_section_3_is_priced_as_its_model() {
    let t = PriceTable::embedded();
    for (raw, family) in [
        ("claude-opus-4-5-20251101", "Opus 4.5"),
        ("claude-opus-4-5", "Opus 4.5"),
        ("claude-opus-4-1", "Opus 4.1"),
        ("claude-opus-4-0", "Opus 4"),
        ("claude-sonnet-4-0", "Sonnet 4"),
        ("claude-3-5-haiku-latest", "Haiku 3.5"),
        ("claude-3-7-sonnet-latest", "Sonnet 3.7"),
        ("claude-opus-5-5[1m]", "Opus 5.5"),
        ("claude-fable-5-1[1m]", "Fable 5.1"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "Sonnet 4.5"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v2:0", "Sonnet 4.5"),
        ("anthropic.claude-opus-4-6-v1", "Opus 4.6"),
        ("anthropic.claude-opus-4-7", "Opus 4.7"),
        ("global.anthropic.claude-opus-5", "Opus 5"),
        ("us.anthropic.claude-fable-5-2", "Fable 5.2"),
        ("bedrock/global.anthropic.claude-opus-5-5", "Opus 5.5"),
        ("claude-sonnet-4-5@20250929", "Sonnet 4.5"),
        ("claude-3-5-sonnet-v2@20241022", "Sonnet 3.5"),
        ("claude-sonnet-5-5@default", "Sonnet 5.5"),
        ("anthropic/claude-sonnet-5.5", "Sonnet 5.5"),
        ("anthropic/claude-haiku-4.5", "Haiku 4.5"),
        ("anthropic/claude-opus-5-fast", "Opus 5"),
    ] {
        let family_of = t.lookup(raw).map(|m| m.family.as_str());
        assert_eq!(family_of, Some(family), "{raw}");
        assert!(
            price(&t, &event(raw, tok(1, 0, 0, 0, 1))).is_some(),
            "{raw}"
        );
    }
}

#[test]
fn the_whole_normalised_id_is_matched_never_a_prefix() {
    let t = PriceTable::embedded();
    let input = tok(1_000_000, 0, 0, 0, 0);
    let reads = tok(0, 0, 0, 1_000_000, 0);
    // claude-opus-5 is a prefix of claude-opus-5-5: $5 against $4.
    assert_eq!(usd(&t, &event("claude-opus-5", input)), dollars("5"));
    assert_eq!(usd(&t, &event("claude-opus-5-5", input)), dollars("4"));
    // claude-fable-5 is a prefix of claude-fable-5-1: reads $1.00 against $0.25.
    assert_eq!(usd(&t, &event("claude-fable-5", reads)), dollars("1.00"));
    assert_eq!(usd(&t, &event("claude-fable-5-1", reads)), dollars("0.25"));
    // A model the table does not have is unpriced, never guessed from a similar name.
    for raw in [
        "claude-opus-6",
        "claude-opus-5-6",
        "claude-fable",
        "gpt-4o",
        "<synthetic>",
    ] {
        assert!(t.lookup(raw).is_none(), "{raw}");
        assert!(price(&t, &event(raw, input)).is_none(), "{raw}");
    }
}

#[test]
fn parts_by_category_add_up_to_the_records_cost() {
    // Opus 4.6 in fast mode (×6) through the Batch API is refused by the API, so take fast
    // mode at the standard tier and US-only inference through the batch tier: 1,000 of each
    // category on Opus 4.6 ($5 · $6.25 · $10 · $0.50 · $25 per M) and 3 web searches.
    let t = PriceTable::embedded();
    let model = t.lookup("claude-opus-4-6");
    let mut e = event("claude-opus-4-6", tok(1_000, 1_000, 1_000, 1_000, 1_000));
    e.tokens.web_search_requests = 3;
    e.modifiers.us_only = true;
    e.tier = Tier::Batch;
    let parts = super::super::price_parts(model, &e).unwrap();
    // × 1.1 at the standard tier: 5.5, 6.875, 11, 0.55, 27.5 µ$ per token × 1,000.
    assert_eq!(
        parts.standard,
        ["0.0055", "0.006875", "0.011", "0.00055", "0.0275"].map(dollars)
    );
    assert_eq!(parts.billed, dollars("0.02571250"));
    assert_eq!(parts.fees, dollars("0.03"));
    let c = cost(&t, &e);
    assert_eq!(parts.billed + parts.fees, c.total);
    let standard: Money = parts.standard.into_iter().sum();
    assert_eq!(standard - c.batch_savings, parts.billed);
    e.modifiers.fast = true;
    e.tier = Tier::Standard;
    let fast = super::super::price_parts(model, &e).unwrap();
    assert_eq!(
        fast.standard[4],
        dollars("0.165"),
        "25 × 6 × 1.1 per M × 1,000"
    );
    assert_eq!(fast.billed + fast.fees, cost(&t, &e).total);
    assert!(super::super::price_parts(None, &e).is_none());
}
