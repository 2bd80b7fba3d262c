//! Hand-computed expectations for every row of PRICES.md §1 (`rows`), every rule of §2 and
//! every id spelling of §3 (`rules`), and the refusal of bad price files (`files`).

mod files;
mod rows;
mod rules;

use chrono::{DateTime, TimeZone, Utc};

use super::{Cost, Money, PriceTable, price};
use crate::usage::{EventKind, Tier, Tokens, UsageEvent};

/// 2026-11-20 12:00 UTC: a day when every model of the table is priced.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

fn event(model: &str, tokens: Tokens) -> UsageEvent {
    UsageEvent::request(noon(), model, tokens)
}

/// Tokens: uncached input, 5m writes, 1h writes, reads, output.
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

fn cost(table: &PriceTable, e: &UsageEvent) -> Cost {
    price(table, e).unwrap_or_else(|| panic!("{} is unpriced", e.model))
}

fn usd(table: &PriceTable, e: &UsageEvent) -> Money {
    cost(table, e).total
}

/// An exact dollar amount written as a decimal string ("0.04650005"): no float on the
/// expected side.
fn dollars(s: &str) -> Money {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 12, "{s}");
    let whole: i128 = whole.parse().unwrap();
    let frac_picos: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>().unwrap() * 10_i128.pow(12 - frac.len() as u32)
    };
    Money(whole * 1_000_000_000_000 + frac_picos)
}
