//! Alarms and budgets: the book of active alarms and their log, the budgets, and the rules
//! that raise and clear alarms at "now" from the counted usage.

mod book;
mod budget;
mod rules;

pub(crate) use book::AlarmBook;
pub(crate) use budget::status as budget_status;
pub(crate) use rules::{Facts, evaluate};
