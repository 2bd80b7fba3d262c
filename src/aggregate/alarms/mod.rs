//! Alarms and budgets: the book of active alarms and their log, the budgets (and the org's
//! spend limits beside them), and the rules that raise and clear alarms at "now" from the
//! counted usage.

mod book;
mod budget;
mod rules;
mod spend_limits;

pub(crate) use book::AlarmBook;
pub(crate) use budget::status as budget_status;
pub(crate) use rules::{Facts, evaluate};
pub(crate) use spend_limits::statuses as spend_limit_statuses;
