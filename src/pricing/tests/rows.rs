//! PRICES.md §1, row by row: a million tokens of each category costs the table's figure.

use super::*;

/// (API id as logged, family, input, output, 5m write, 1h write, read), copied by hand from
/// PRICES.md §1 (Sonnet 5.5 at its price from 2026-10-07; the date rule is in `rules`).
const ROWS: [(&str, &str, [&str; 5]); 27] = [
    (
        "claude-fable-5-2",
        "Fable 5.2",
        ["8", "40", "10", "16", "0.20"],
    ),
    (
        "claude-mythos-5-2",
        "Mythos 5.2",
        ["8", "40", "10", "16", "0.20"],
    ),
    (
        "claude-fable-5-1",
        "Fable 5.1",
        ["10", "50", "12.50", "20", "0.25"],
    ),
    (
        "claude-mythos-5-1",
        "Mythos 5.1",
        ["10", "50", "12.50", "20", "0.25"],
    ),
    (
        "claude-fable-5",
        "Fable 5",
        ["10", "50", "12.50", "20", "1.00"],
    ),
    (
        "claude-mythos-5",
        "Mythos 5",
        ["10", "50", "12.50", "20", "1.00"],
    ),
    ("claude-opus-5-5", "Opus 5.5", ["4", "20", "5", "8", "0.20"]),
    ("claude-opus-5", "Opus 5", ["5", "25", "6.25", "10", "0.50"]),
    (
        "claude-opus-4-8",
        "Opus 4.8",
        ["5", "25", "6.25", "10", "0.50"],
    ),
    (
        "claude-opus-4-7",
        "Opus 4.7",
        ["5", "25", "6.25", "10", "0.50"],
    ),
    (
        "claude-opus-4-6",
        "Opus 4.6",
        ["5", "25", "6.25", "10", "0.50"],
    ),
    (
        "claude-opus-4-5-20251101",
        "Opus 4.5",
        ["5", "25", "6.25", "10", "0.50"],
    ),
    (
        "claude-opus-4-1-20250805",
        "Opus 4.1",
        ["15", "75", "18.75", "30", "1.50"],
    ),
    (
        "claude-opus-4-20250514",
        "Opus 4",
        ["15", "75", "18.75", "30", "1.50"],
    ),
    (
        "claude-3-opus-20240229",
        "Opus 3",
        ["15", "75", "18.75", "30", "1.50"],
    ),
    (
        "claude-sonnet-5-5",
        "Sonnet 5.5",
        ["2", "10", "2.50", "4", "0.10"],
    ),
    (
        "claude-sonnet-5",
        "Sonnet 5",
        ["2", "10", "2.50", "4", "0.20"],
    ),
    (
        "claude-sonnet-4-6",
        "Sonnet 4.6",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-sonnet-4-5-20250929",
        "Sonnet 4.5",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-sonnet-4-20250514",
        "Sonnet 4",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-3-7-sonnet-20250219",
        "Sonnet 3.7",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-3-5-sonnet-20241022",
        "Sonnet 3.5",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-3-5-sonnet-20240620",
        "Sonnet 3.5",
        ["3", "15", "3.75", "6", "0.30"],
    ),
    (
        "claude-haiku-5-5",
        "Haiku 5.5",
        ["0.10", "0.50", "0.125", "0.20", "0.01"],
    ),
    (
        "claude-haiku-4-5-20251001",
        "Haiku 4.5",
        ["1", "5", "1.25", "2", "0.10"],
    ),
    (
        "claude-3-5-haiku-20241022",
        "Haiku 3.5",
        ["0.80", "4", "1", "1.60", "0.08"],
    ),
    (
        "claude-3-haiku-20240307",
        "Haiku 3",
        ["0.25", "1.25", "0.30", "0.50", "0.03"],
    ),
];

#[test]
fn every_row_prices_a_million_tokens_of_each_category_at_its_figure() {
    let t = PriceTable::embedded();
    // 100,000 tokens of one category, ×10: at no band's upper side (100,000 exactly stays
    // in Haiku 5.5's first band; Sonnet 4/4.5 band above 200,000).
    let categories = [
        tok(100_000, 0, 0, 0, 0),
        tok(0, 0, 0, 0, 100_000),
        tok(0, 100_000, 0, 0, 0),
        tok(0, 0, 100_000, 0, 0),
        tok(0, 0, 0, 100_000, 0),
    ];
    for (id, family, figures) in ROWS {
        assert_eq!(
            t.lookup(id).map(|m| m.family.as_str()),
            Some(family),
            "{id}"
        );
        for (tokens, figure) in categories.iter().zip(figures) {
            let got = Money(usd(&t, &event(id, *tokens)).0 * 10);
            assert_eq!(got, dollars(figure), "{id} {tokens:?}");
        }
    }
}

#[test]
fn cache_reads_that_are_not_a_tenth_of_input_are_stated() {
    let t = PriceTable::embedded();
    let reads = tok(0, 0, 0, 1_000_000, 0);
    // Opus 5.5: 0.05× input; Fable 5.1: 0.025× input; Fable 5: the usual 0.1×.
    assert_eq!(usd(&t, &event("claude-opus-5-5", reads)), dollars("0.20"));
    assert_eq!(usd(&t, &event("claude-fable-5-1", reads)), dollars("0.25"));
    assert_eq!(usd(&t, &event("claude-fable-5", reads)), dollars("1.00"));
}

#[test]
fn the_fixture_claude_code_line_prices_by_hand() {
    // claude-sonnet-4-6: 3 input, 2849 1h writes, 9493 reads, 527 output.
    // 3×3 + 2849×6 + 9493×0.3 + 527×15 = 9 + 17094 + 2847.9 + 7905 = 27855.9 µ$.
    let t = PriceTable::embedded();
    let e = event("claude-sonnet-4-6", tok(3, 0, 2849, 9493, 527));
    assert_eq!(usd(&t, &e), dollars("0.0278559"));
}

#[test]
fn the_embedded_table_states_every_price_and_every_table_row() {
    let t = PriceTable::embedded();
    assert_eq!(t.checked, "2026-12-01");
    for (id, m) in t.entries() {
        for p in &m.periods {
            for b in &p.bands {
                let r = b.rates;
                for rate in [r.input, r.output, r.write_5m, r.write_1h, r.read] {
                    assert!(rate.is_stated(), "{id}: a derived price");
                }
            }
        }
    }
    let mut families: Vec<&str> = ROWS.iter().map(|(_, f, _)| *f).collect();
    families.dedup();
    let mut in_table: Vec<&str> = t.entries().iter().map(|(_, m)| m.family.as_str()).collect();
    in_table.sort_unstable();
    in_table.dedup();
    families.sort_unstable();
    assert_eq!(in_table, families);
}
