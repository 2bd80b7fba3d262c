//! Spend per unit of business value (`--per tag:KEY`): the spend of the window's records that
//! carry the tag over the number of distinct values it took, in total and per `--by` row.

use std::collections::{BTreeMap, BTreeSet};

use super::groups::none_if_empty;
use crate::aggregate::compare::tag_value;
use crate::aggregate::store::{Dims, Store, StoredCell};
use crate::money::Money;
use crate::snapshot::{GroupBy, PerUnit, PerUnitRow};

/// The window's tagged spend and tag values, gathered in the snapshot's one pass.
pub(super) struct PerFold<'a> {
    key: &'a str,
    values: BTreeSet<u32>,
    tagged: Money,
    untagged: Money,
    rows: BTreeMap<String, (BTreeSet<u32>, Money)>,
}

impl<'a> PerFold<'a> {
    /// An empty fold for tag `key`.
    pub(super) fn new(key: &'a str) -> PerFold<'a> {
        PerFold {
            key,
            values: BTreeSet::new(),
            tagged: Money::ZERO,
            untagged: Money::ZERO,
            rows: BTreeMap::new(),
        }
    }

    /// Adds one stored cell; `time_row` is its `--by day|hour` row.
    pub(super) fn visit(
        &mut self,
        store: &Store,
        d: &Dims,
        c: &StoredCell,
        by: Option<&GroupBy>,
        time_row: Option<&str>,
    ) {
        let cost = Money(i128::from(c.cost));
        let Some(value) = tag_value(&store.strings, &store.tag_sets, d.tags, self.key) else {
            self.untagged += cost;
            return;
        };
        self.values.insert(value);
        self.tagged += cost;
        let Some(by) = by else { return };
        let name = |id: u32| none_if_empty(store.strings.name(id));
        let row = match by {
            GroupBy::Model => name(d.model),
            GroupBy::Tier => d.tier.as_str().to_string(),
            GroupBy::Project => name(d.project),
            GroupBy::Session => name(d.session),
            GroupBy::Tag(_) | GroupBy::Org(_) => by
                .tag_key()
                .and_then(|key| tag_value(&store.strings, &store.tag_sets, d.tags, key))
                .map_or_else(|| "(none)".to_string(), name),
            GroupBy::Day | GroupBy::Hour | GroupBy::Week | GroupBy::Month => {
                time_row.unwrap_or_default().to_string()
            }
        };
        let (values, spent) = self.rows.entry(row).or_default();
        values.insert(value);
        *spent += cost;
    }

    /// The figures as the snapshot shows them.
    pub(super) fn finish(self) -> PerUnit {
        let units = self.values.len() as u64;
        PerUnit {
            key: self.key.to_string(),
            units,
            cost: self.tagged,
            cost_per_unit: self.tagged.per(units),
            untagged_cost: self.untagged,
            rows: self
                .rows
                .into_iter()
                .map(|(key, (values, cost))| PerUnitRow {
                    key,
                    units: values.len() as u64,
                    cost,
                    cost_per_unit: cost.per(values.len() as u64),
                })
                .collect(),
        }
    }
}
