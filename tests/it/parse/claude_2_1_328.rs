//! Claude Code 2.1.328's transcript (`tests/fixtures/claude-2.1.328/`): its new line types
//! carry no usage and are passed over (its `compact_boundary` line is a compaction), the assistant line's new usage keys change nothing
//! (thinking tokens are part of `output_tokens`, never added), and `cost-state` gives the TTL
//! split of its cache writes.

use std::path::Path;

use chrono::{DateTime, Utc};
use costtop::money::Money;
use costtop::parse::{LineContext, Parsed, looks_like_usage, parse_line};
use costtop::pricing::{PriceTable, price};
use costtop::usage::Tokens;

use super::kinds;

fn lines() -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-2.1.328/session.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn parsed() -> Vec<Parsed> {
    let ctx = LineContext {
        fallback_time: "2026-12-07T00:00:00Z".parse::<DateTime<Utc>>().unwrap(),
        path: "",
    };
    lines()
        .iter()
        .map(|l| parse_line(l.as_bytes(), &ctx))
        .collect()
}

#[test]
fn new_line_types_are_passed_over_most_before_any_json_is_read() {
    let lines = lines();
    assert_eq!(
        kinds(&parsed()),
        [
            "skip",
            "skip",
            "skip",
            "skip",
            "skip",
            "skip",
            "usage",
            "skip",
            "compaction",
            "skip",
            "estimates"
        ]
    );
    // Only the assistant line, the cost line and `api-request-shape` (whose shape names a
    // `usage` key) get past the byte search; the `compact_boundary` line is recognised after
    // it, as a compaction no transcript line prices.
    let past: Vec<usize> = (0..lines.len())
        .filter(|&i| looks_like_usage(lines[i].as_bytes()))
        .collect();
    assert_eq!(past, [4, 6, 10]);
}

#[test]
fn the_assistant_line_counts_output_once_with_its_ttl_split() {
    let parsed = parsed();
    let Parsed::Usage(event) = &parsed[6] else {
        panic!("{:?}", parsed[6]);
    };
    // 900 output tokens of which 600 thinking: 900, not 1,500; web fetches are tokens only.
    assert_eq!(
        event.tokens,
        Tokens {
            input: 6,
            cache_write_5m: 1000,
            cache_write_1h: 2000,
            cache_read: 12_000,
            output: 900,
            web_search_requests: 1,
        }
    );
    // 18 + 3,750 + 12,000 + 3,600 + 13,500 µ$ of tokens, $0.01 for the search: what its
    // cost-state line says Claude Code charged.
    let cost = price(&PriceTable::embedded(), event).unwrap().total;
    assert_eq!(cost, Money::from_usd(0.042_868));
    let Parsed::Estimates(figures) = &parsed[10] else {
        panic!("{:?}", parsed[10]);
    };
    assert_eq!(figures.len(), 1);
    assert_eq!(figures[0].cost, cost);
    assert_eq!(figures[0].tokens, event.tokens);
}
