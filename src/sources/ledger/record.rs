//! One usage record as the ledger keeps it: its identity, time and cost, and the names a
//! budget's filter and scope look at (model, project, session, tags, tier), interned.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::history::{Identity, identity};
use crate::money::Money;
use crate::pricing::{PriceTable, price};
use crate::usage::{Tier, UsageEvent};

/// Names of the ledger's records, each stored once; tag sets as lists of name pairs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Names {
    list: Vec<Arc<str>>,
    tag_sets: Vec<Vec<(u32, u32)>>,
    #[serde(skip)]
    index: HashMap<Arc<str>, u32>,
    #[serde(skip)]
    tag_index: HashMap<Vec<(u32, u32)>, u32>,
}

impl Names {
    /// Rebuilds the lookups after loading.
    pub(super) fn reindex(&mut self) {
        self.index = self
            .list
            .iter()
            .enumerate()
            .map(|(i, s)| (Arc::clone(s), i as u32))
            .collect();
        self.tag_index = self
            .tag_sets
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
    }

    fn id(&mut self, s: &Arc<str>) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(Arc::clone(s));
        self.index.insert(Arc::clone(s), id);
        id
    }

    fn optional(&mut self, s: Option<&Arc<str>>) -> u32 {
        s.map_or(0, |s| self.id(s) + 1)
    }

    /// The name of `id` (empty for an unknown id).
    pub(crate) fn name(&self, id: u32) -> &str {
        self.list.get(id as usize).map_or("", |s| s)
    }

    /// The name of an optional id (0: none).
    pub(crate) fn optional_name(&self, id: u32) -> Option<&str> {
        id.checked_sub(1).map(|id| self.name(id))
    }

    /// The `(key, value)` names of a tag set.
    pub(crate) fn tags(&self, set: u32) -> impl Iterator<Item = (&str, &str)> {
        self.tag_sets
            .get(set as usize)
            .into_iter()
            .flatten()
            .map(|&(k, v)| (self.name(k), self.name(v)))
    }

    fn tag_set(&mut self, event: &UsageEvent) -> u32 {
        let set: Vec<(u32, u32)> = event
            .attribution
            .tags
            .iter()
            .map(|(k, v)| (self.id(k), self.id(v)))
            .collect();
        if let Some(&id) = self.tag_index.get(&set) {
            return id;
        }
        let id = self.tag_sets.len() as u32;
        self.tag_sets.push(set.clone());
        self.tag_index.insert(set, id);
        id
    }
}

/// One usage record, reduced to what a budget needs: identity, time, cost and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PricedRecord {
    /// How its copies are told apart (dedupe key, or content hash without one).
    pub(crate) id: Identity,
    /// How complete it is among records with the same key (the highest is kept).
    pub(crate) rank: u64,
    /// Event time, seconds since the epoch.
    pub(crate) at: i64,
    /// Its cost, billed iterations included, in picodollars (0 when unpriced).
    pub(crate) cost: i64,
    /// Whether every part of it was priced.
    pub(crate) priced: bool,
    /// Model id (a [`Names`] id).
    pub(crate) model: u32,
    /// Project (an optional [`Names`] id: 0 is none).
    pub(crate) project: u32,
    /// Session (an optional [`Names`] id: 0 is none).
    pub(crate) session: u32,
    /// Tag set (a [`Names`] tag set id).
    pub(crate) tags: u32,
    /// Service tier.
    pub(crate) tier: Tier,
}

impl PricedRecord {
    /// Prices an event with `table` (its own tokens plus any iterations billed on top) and
    /// interns its names in `names`.
    pub(crate) fn of(event: &UsageEvent, table: &PriceTable, names: &mut Names) -> PricedRecord {
        let mut cost = Money::ZERO;
        let mut priced = true;
        let own = price(table, event);
        let iterations = event.iteration_events().map(|step| price(table, &step));
        for part in std::iter::once(own).chain(iterations) {
            match part {
                Some(c) => cost += c.total,
                None => priced = false,
            }
        }
        PricedRecord {
            id: identity(event),
            rank: event.rank,
            at: event.timestamp.timestamp(),
            cost: i64::try_from(cost.0).unwrap_or(i64::MAX),
            priced,
            model: names.id(&event.model),
            project: names.optional(event.attribution.project.as_ref()),
            session: names.optional(event.attribution.session.as_ref()),
            tags: names.tag_set(event),
            tier: event.tier,
        }
    }
}
