//! Pricing: the price table (embedded, a stored maintained update, config overrides), model
//! id normalisation and the cost of one record.
//!
//! Money is kept as exact integers ([`Money`], picodollars) and multipliers as exact ratios
//! ([`Ratio`]) so totals never drift and replays are bit-identical; it becomes dollars only at
//! the edge ([`Money::usd`]).

mod cost;
mod file;
mod normalize;
mod overrides;
mod ratio;
mod resolve;
mod table;

#[cfg(test)]
mod tests;

pub use cost::{Cost, price};
pub(crate) use cost::{Parts, price_parts, price_with};
pub(crate) use normalize::{normalize_model, parse_model_id};
pub(crate) use overrides::PriceOverride;
pub(crate) use ratio::Ratio;
pub(crate) use resolve::{check_update, resolve, store_update, stored_table_path};
pub use table::PriceTable;
pub(crate) use table::{ModelPrice, Origin, PricePeriod, Rates, TableSource};

pub use crate::money::{Money, round_usd};

/// How a service tier is labelled where tiers are shown: the priority tier has no public
/// per-token price, so costtop bills it at list price and says so (PRICES.md §2.10).
pub(crate) fn tier_label(tier: &str) -> &str {
    if tier == "priority" {
        "priority (list-price estimate)"
    } else {
        tier
    }
}
