//! What changed between two periods and why (`compare` in the JSON contract, `report
//! --compare A B`), and spend per unit of business value (`per_unit`, `--per tag:KEY`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// The seven effects a change in spend is split into. They add up exactly to the change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effects {
    /// More or fewer requests.
    pub volume: Money,
    /// Requests moving between models (routing).
    pub mix: Money,
    /// How the prompt splits into uncached input, 5-minute and 1-hour writes and reads.
    pub cache: Money,
    /// The share of spend through the Batch API.
    pub batch: Money,
    /// Output tokens per request.
    pub output: Money,
    /// Prompt tokens (and web searches) per request.
    pub input: Money,
    /// What each token costs: dated price changes, fast mode, US-only inference, bands.
    pub price: Money,
}

impl Effects {
    /// The effects' names, in the order of [`Effects::values`].
    pub const NAMES: [&'static str; 7] = [
        "volume", "mix", "cache", "batch", "output", "input", "price",
    ];

    /// The effects in the order of [`Effects::NAMES`].
    pub fn values(&self) -> [Money; 7] {
        [
            self.volume,
            self.mix,
            self.cache,
            self.batch,
            self.output,
            self.input,
            self.price,
        ]
    }

    /// The effects from values in the order of [`Effects::NAMES`].
    pub fn from_values(v: [Money; 7]) -> Effects {
        let [volume, mix, cache, batch, output, input, price] = v;
        Effects {
            volume,
            mix,
            cache,
            batch,
            output,
            input,
            price,
        }
    }

    /// Their sum: the change they explain.
    pub fn sum(&self) -> Money {
        self.values().into_iter().sum()
    }
}

/// One period of a comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareSide {
    /// The period as given (`2026-11`, `last-week`, `2026-11-01..2026-11-15`).
    pub label: String,
    /// Its first instant.
    pub start: DateTime<Utc>,
    /// The first instant after it.
    pub end: DateTime<Utc>,
    /// Priced spend.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// Requests of priced models.
    pub requests: u64,
    /// Requests of unpriced models: counted nowhere in the comparison.
    pub unpriced_requests: u64,
    /// With `--per tag:KEY`: distinct values of the tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<u64>,
    /// With `--per`: spend of the records carrying the tag.
    #[serde(rename = "tagged_cost_usd", skip_serializing_if = "Option::is_none")]
    pub tagged_cost: Option<Money>,
    /// With `--per`: tagged spend per unit (absent without units).
    #[serde(rename = "cost_per_unit_usd", skip_serializing_if = "Option::is_none")]
    pub cost_per_unit: Option<Money>,
}

/// One group of a comparison (`--by`): each side's spend and the split of its own change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// The group's value (`(none)` when records have none).
    pub key: String,
    /// Spend in A.
    #[serde(rename = "a_usd")]
    pub a_cost: Money,
    /// Spend in B.
    #[serde(rename = "b_usd")]
    pub b_cost: Money,
    /// Requests in A.
    pub a_requests: u64,
    /// Requests in B.
    pub b_requests: u64,
    /// `b_usd − a_usd`.
    #[serde(rename = "delta_usd")]
    pub delta: Money,
    /// The group's own split of `delta_usd`.
    pub effects: Effects,
    /// With `--per`: distinct tag values in A.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_units: Option<u64>,
    /// With `--per`: distinct tag values in B.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_units: Option<u64>,
    /// Set when one period has spend but no requests (Admin API buckets only): the change
    /// cannot be split per request and is all volume.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub volume_only: bool,
}

/// `report --compare A B`: the change in spend from A to B, split into effects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareSnapshot {
    /// The earlier (reference) period.
    pub a: CompareSide,
    /// The later period, the one explained.
    pub b: CompareSide,
    /// `b.cost_usd − a.cost_usd`.
    #[serde(rename = "delta_usd")]
    pub delta: Money,
    /// `delta_usd / a.cost_usd` (absent when A cost nothing).
    pub delta_share: Option<f64>,
    /// The split of `delta_usd`; the effects add up to it exactly. With `--by` it is the sum
    /// of the groups' own splits; without, the split of all records by model.
    pub effects: Effects,
    /// The grouping of `groups` (`model`, `project`, `tag:feature`, …; absent without `--by`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// One row per group, largest change first; their deltas add up to `delta_usd`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CompareRow>,
    /// With `--per tag:KEY`: the tag key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// With `--per`: `b.cost_per_unit_usd − a.cost_per_unit_usd`.
    #[serde(rename = "delta_per_unit_usd", skip_serializing_if = "Option::is_none")]
    pub delta_per_unit: Option<Money>,
    /// How the split is made (`shapley-7`, docs/reports.md).
    pub method: String,
    /// Set when the whole change was volume only (`volume_only` in a row).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub volume_only: bool,
}

/// Spend per unit of business value: spend of the records carrying a tag, over the number of
/// distinct values the tag took (`--per tag:KEY`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PerUnit {
    /// The tag key.
    pub key: String,
    /// Distinct values of the tag in the window.
    pub units: u64,
    /// Spend of the records carrying the tag.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// `cost_usd / units` (absent without units).
    #[serde(rename = "cost_per_unit_usd")]
    pub cost_per_unit: Option<Money>,
    /// Spend of the records without the tag: in no unit's cost.
    #[serde(rename = "untagged_cost_usd")]
    pub untagged_cost: Money,
    /// The same per row of `--by` (a unit seen in two rows counts in both).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<PerUnitRow>,
}

/// One `--by` row's spend per unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PerUnitRow {
    /// The row's key, as in `rows`.
    pub key: String,
    /// Distinct tag values in the row.
    pub units: u64,
    /// Spend of the row's records carrying the tag.
    #[serde(rename = "cost_usd")]
    pub cost: Money,
    /// `cost_usd / units`.
    #[serde(rename = "cost_per_unit_usd")]
    pub cost_per_unit: Option<Money>,
}
