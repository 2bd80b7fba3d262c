//! `report --compare A B`: what changed in spend between two periods, and why. Each record
//! counted in either period is folded by group and model, by token category (`book`); a
//! group's spend is a product of seven factors (`factors`) whose change is split exactly by
//! Shapley values (`shapley`). The method and a worked example: docs/reports.md.

mod book;
mod factors;
mod shapley;

#[cfg(test)]
mod tests;

pub use book::CompareSpec;
pub(crate) use book::{CompareBook, tag_value};
