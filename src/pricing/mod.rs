//! Pricing: the embedded price table, model id normalisation and the cost of one record.
//!
//! Money is kept as exact integers ([`Money`], picodollars) so totals never drift and replays
//! are bit-identical; it becomes dollars only at the edge ([`Money::usd`]).

mod cost;
mod normalize;
mod table;

pub use cost::{Cost, price, price_with};
pub use normalize::normalize_model;
pub use table::{ModelPrice, PriceOverride, PriceTable, TableError};

pub use crate::money::{Money, PICOS_PER_USD, round_usd};
