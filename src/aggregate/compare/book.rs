//! The comparison's fold: each counted record of period A or B into its group and model, by
//! token category (and taken back when a more complete copy replaces it), with the distinct
//! values of the `--per` tag; and the comparison snapshot made from it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use foldhash::HashMap;

use super::factors::{Group, Rollup, costs};
use super::shapley::{FACTORS, split};
use crate::aggregate::store::{Dims, Interner, Store, TagSets};
use crate::money::Money;
use crate::pricing::price_parts;
use crate::snapshot::{CompareRow, CompareSide, CompareSnapshot, Effects, GroupBy};
use crate::time::Span;
use crate::usage::{EventKind, Tier, UsageEvent};

/// What `report --compare` asks the aggregator to fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareSpec {
    /// The reference period.
    pub a: Span,
    /// The period explained.
    pub b: Span,
    /// Groups of the per-group rows (`None`: the total only).
    pub by: Option<GroupBy>,
}

/// A group's id: an interned name (model, project, session, tag value), a tier, or
/// [`NONE`].
type GroupId = u64;
/// The group of records without the `--by` tag (or of every record without `--by`).
const NONE: GroupId = u64::MAX;

/// One period's records.
#[derive(Debug, Clone, Default)]
struct Side {
    groups: BTreeMap<GroupId, Group>,
    /// `--per`: records carrying each (group, tag value), and their spend by group.
    units: HashMap<(GroupId, u32), u64>,
    tagged: BTreeMap<GroupId, Money>,
    unpriced_requests: u64,
}

/// Both periods' records, folded as they are counted.
#[derive(Debug, Clone)]
pub(crate) struct CompareBook {
    spec: CompareSpec,
    per: Option<String>,
    sides: [Side; 2],
}

/// The value of tag `key` in a tag set.
pub(crate) fn tag_value(strings: &Interner, sets: &TagSets, tags: u32, key: &str) -> Option<u32> {
    let key = strings.get(key)?;
    sets.pairs(tags)
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
}

impl CompareBook {
    /// An empty book for `spec`, counting units of tag `per`.
    pub(crate) fn new(spec: CompareSpec, per: Option<String>) -> CompareBook {
        CompareBook {
            spec,
            per,
            sides: [Side::default(), Side::default()],
        }
    }

    /// Adds (`add`) or takes back a counted record, stamped `minute`, counted in `dims`.
    pub(crate) fn apply(
        &mut self,
        store: &Store,
        event: &UsageEvent,
        dims: Dims,
        minute: i64,
        add: bool,
    ) {
        let Some(at) = DateTime::from_timestamp(minute * 60, 0) else {
            return;
        };
        let requests = u64::from(matches!(
            event.kind,
            EventKind::Request | EventKind::FailedRequest
        ));
        let group = self.group_of(store, dims);
        let unit = self
            .per
            .as_deref()
            .and_then(|k| tag_value(&store.strings, &store.tag_sets, dims.tags, k));
        let parts = price_parts(store.price(dims.model), event);
        for (side, span) in self.sides.iter_mut().zip([&self.spec.a, &self.spec.b]) {
            if !span.contains(at) {
                continue;
            }
            let Some(parts) = &parts else {
                side.unpriced_requests = if add {
                    side.unpriced_requests + requests
                } else {
                    side.unpriced_requests.saturating_sub(requests)
                };
                continue;
            };
            side.groups
                .entry(group)
                .or_default()
                .entry((dims.model, requests == 0))
                .or_default()
                .apply(requests, event.tokens, parts, add);
            if let Some(value) = unit {
                let cost = parts.billed + parts.fees;
                let tagged = side.tagged.entry(group).or_default();
                let n = side.units.entry((group, value)).or_default();
                if add {
                    *n += 1;
                    *tagged += cost;
                } else {
                    *n = n.saturating_sub(1);
                    *tagged -= cost;
                    if *n == 0 {
                        side.units.remove(&(group, value));
                    }
                }
            }
        }
    }

    fn group_of(&self, store: &Store, d: Dims) -> GroupId {
        match &self.spec.by {
            None | Some(GroupBy::Day | GroupBy::Hour | GroupBy::Week | GroupBy::Month) => NONE,
            Some(GroupBy::Model) => u64::from(d.model),
            Some(GroupBy::Tier) => d.tier as u64,
            Some(GroupBy::Project) => u64::from(d.project),
            Some(GroupBy::Session) => u64::from(d.session),
            Some(by @ (GroupBy::Tag(_) | GroupBy::Org(_))) => by
                .tag_key()
                .and_then(|key| tag_value(&store.strings, &store.tag_sets, d.tags, key))
                .map_or(NONE, u64::from),
        }
    }

    fn group_name(&self, strings: &Interner, id: GroupId) -> String {
        let name = match (&self.spec.by, id) {
            (_, NONE) => "",
            (Some(GroupBy::Tier), _) => [Tier::Standard, Tier::Batch, Tier::Priority]
                .into_iter()
                .find(|t| *t as u64 == id)
                .map_or("", Tier::as_str),
            _ => strings.name(id as u32),
        };
        if name.is_empty() {
            "(none)".to_string()
        } else {
            name.to_string()
        }
    }

    /// The comparison as the snapshot shows it.
    pub(crate) fn snapshot(&self, strings: &Interner) -> CompareSnapshot {
        let [a, b] = &self.sides;
        let total = |s: &Side| {
            let mut all = Group::new();
            for g in s.groups.values() {
                for (key, r) in g {
                    all.entry(*key).or_default().merge(r);
                }
            }
            all
        };
        let (all_a, all_b) = (total(a), total(b));
        let ids: BTreeSet<GroupId> = a.groups.keys().chain(b.groups.keys()).copied().collect();
        let empty = Group::new();
        let mut rows: Vec<CompareRow> = if self.spec.by.is_some() {
            ids.into_iter()
                .map(|id| {
                    let ga = a.groups.get(&id).unwrap_or(&empty);
                    let gb = b.groups.get(&id).unwrap_or(&empty);
                    let (effects, volume_only) = effects(ga, gb);
                    let units = |s: &Side| {
                        self.per
                            .as_ref()
                            .map(|_| s.units.keys().filter(|(g, _)| *g == id).count() as u64)
                    };
                    CompareRow {
                        key: self.group_name(strings, id),
                        a_cost: cost(ga),
                        b_cost: cost(gb),
                        a_requests: requests(ga),
                        b_requests: requests(gb),
                        delta: cost(gb) - cost(ga),
                        effects,
                        a_units: units(a),
                        b_units: units(b),
                        volume_only,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        rows.sort_by(|x, y| {
            y.delta
                .0
                .unsigned_abs()
                .cmp(&x.delta.0.unsigned_abs())
                .then_with(|| x.key.cmp(&y.key))
        });
        // With groups, the total is their sum: each group is a finer cell than the whole (its
        // requests are more alike), and the rows then add up to the total effect by effect.
        let (total_effects, volume_only) = if self.spec.by.is_some() {
            let mut sum = [Money::ZERO; FACTORS];
            for r in &rows {
                for (s, e) in sum.iter_mut().zip(r.effects.values()) {
                    *s += e;
                }
            }
            (
                Effects::from_values(sum),
                rows.iter().any(|r| r.volume_only),
            )
        } else {
            effects(&all_a, &all_b)
        };
        let side = |s: &Side, span: &Span, all: &Group| {
            let units = self.per.as_ref().map(|_| {
                let values: BTreeSet<u32> = s.units.keys().map(|(_, v)| *v).collect();
                values.len() as u64
            });
            let tagged = self
                .per
                .as_ref()
                .map(|_| s.tagged.values().copied().sum::<Money>());
            CompareSide {
                label: span.label.clone(),
                start: span.start,
                end: span.end,
                cost: cost(all),
                requests: requests(all),
                unpriced_requests: s.unpriced_requests,
                units,
                tagged_cost: tagged,
                cost_per_unit: tagged.zip(units).and_then(|(c, n)| c.per(n)),
            }
        };
        let (a_side, b_side) = (side(a, &self.spec.a, &all_a), side(b, &self.spec.b, &all_b));
        let delta = b_side.cost - a_side.cost;
        CompareSnapshot {
            delta_share: (a_side.cost != Money::ZERO)
                .then(|| delta.0 as f64 / a_side.cost.0 as f64),
            delta_per_unit: a_side
                .cost_per_unit
                .zip(b_side.cost_per_unit)
                .map(|(x, y)| y - x),
            a: a_side,
            b: b_side,
            delta,
            effects: total_effects,
            by: self.spec.by.as_ref().map(ToString::to_string),
            groups: rows,
            per: self.per.clone(),
            method: "shapley-7".to_string(),
            volume_only,
        }
    }
}

fn cost(g: &Group) -> Money {
    g.values().map(Rollup::cost).sum()
}

fn requests(g: &Group) -> u64 {
    g.values().map(|r| r.requests).sum()
}

/// The split of a group's change, and whether it could only be volume.
fn effects(a: &Group, b: &Group) -> (Effects, bool) {
    let delta = cost(b) - cost(a);
    if let Some(mut c) = costs(a, b) {
        // The products reproduce each period's bill exactly; should a rounding ever
        // disagree, the bill wins, so the effects still add up to the change.
        c[0] = cost(a).0;
        c[c.len() - 1] = cost(b).0;
        (Effects::from_values(split(&c).map(Money)), false)
    } else {
        let mut v = [Money::ZERO; FACTORS];
        v[0] = delta;
        (Effects::from_values(v), true)
    }
}
