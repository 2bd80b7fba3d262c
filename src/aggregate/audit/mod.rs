//! The audit: the four levers in dollars (DESIGN.md §10). Opportunities are counted in the
//! aggregator's one pass over the records, per minute and dimensions like every rollup, so
//! they follow the snapshot's window, live and in replay alike.
//!
//! Per record ([`rules`]): routing (the same tokens one step down the ladder), batch (half the
//! standard-tier cost of groups marked async), `max_tokens` stops and each request's output
//! cost by histogram bucket (the p99 rule is decided when the window's p99 is known). Per
//! session and model ([`caching`]): uncached repeats, writes never read, 1-hour writes where
//! 5 minutes would do — kept only while their 5-minute or 1-hour horizon can still need them.
//! Every counterfactual is the record priced again through `pricing::price_with`.

mod caching;
mod cells;
mod fold;
mod grouping;
mod ladder;
mod minutes;
mod pending;
mod pricer;
mod reason;
mod rules;
mod settings;
mod state;
#[cfg(test)]
mod tests;
mod waiting;

pub(crate) use fold::WindowFigures;
pub use settings::{AsyncMark, AuditSettings};
pub(crate) use state::Audit;
