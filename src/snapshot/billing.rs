//! Estimated vs billed: costtop's figure per UTC day beside the Admin API cost report's.

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// What costtop estimated for a UTC day against what Anthropic billed for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReconciliationDay {
    /// The UTC day.
    pub(crate) day: chrono::NaiveDate,
    /// costtop's estimate from usage records.
    #[serde(rename = "estimated_usd")]
    pub(crate) estimated: Money,
    /// The cost report's amount.
    #[serde(rename = "billed_usd")]
    pub(crate) billed: Money,
    /// (estimated − billed) / billed, in percent; `None` when nothing was billed.
    pub(crate) difference_pct: Option<f64>,
    /// The same usage at list price, when the cost report gives it (the Analytics API).
    #[serde(rename = "list_usd", skip_serializing_if = "Option::is_none")]
    pub(crate) list: Option<Money>,
    /// (list − billed) / list, in percent: the discount, when the list price differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) discount_pct: Option<f64>,
    /// Billed amounts per cost-report line item (model or description), largest first.
    pub(crate) items: Vec<BilledItem>,
    /// The day is not over: both figures are "so far", and the cost report lags usage.
    pub(crate) partial: bool,
}

/// One billed line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct BilledItem {
    /// Model or description.
    pub(crate) item: String,
    /// Amount billed.
    #[serde(rename = "billed_usd")]
    pub(crate) billed: Money,
}
