//! Breakdowns of a window: the top pane's groups (project, the organisation's dimensions,
//! tier, session, each other tag) and the rows of `report --by`.

use foldhash::HashMap;

use super::fold::{Fold, share, totals};
use crate::aggregate::store::{Cell, Interner};
use crate::pricing::Money;
use crate::snapshot::{GroupBreakdown, GroupBy, GroupRow, MAX_GROUP_ROWS};
use crate::usage::OrgDimension;

/// The top pane's breakdowns: project, the organisation's dimensions, tier, session, then each
/// other tag key.
pub(super) fn groups(strings: &Interner, f: &Fold, total_cost: Money) -> Vec<GroupBreakdown> {
    // Projects first: the top pane opens on them ("which project spends?"), `g` cycles.
    let mut out = vec![
        GroupBreakdown {
            by: "project".into(),
            rows: named_rows(strings, &f.by_project, total_cost),
        },
        GroupBreakdown {
            by: "tier".into(),
            rows: rank_rows(
                f.by_tier.iter().map(|(t, c)| (t.as_str().to_string(), c)),
                total_cost,
                MAX_GROUP_ROWS,
            ),
        },
        GroupBreakdown {
            by: "session".into(),
            rows: named_rows(strings, &f.by_session, total_cost),
        },
    ];
    let mut keys: Vec<u32> = f
        .by_tag
        .keys()
        .map(|(k, _)| *k)
        .filter(|k| *k != u32::MAX)
        .collect();
    keys.sort_by(|a, b| strings.name(*a).cmp(strings.name(*b)));
    keys.dedup();
    // The organisation's dimensions come right after projects, in their own order and by
    // their own names ("who spends?"); other tags follow as `tag:KEY`.
    let org = OrgDimension::ALL.into_iter().rev().filter_map(|d| {
        let key = strings.get(d.tag_key())?;
        keys.contains(&key)
            .then_some((key, d.tag_key().to_string()))
    });
    for (key, by) in org {
        let rows = tag_rows(strings, f, key);
        out.insert(
            1,
            GroupBreakdown {
                by,
                rows: rank_rows(rows, total_cost, MAX_GROUP_ROWS),
            },
        );
    }
    for key in keys {
        if OrgDimension::from_name(strings.name(key)).is_some() {
            continue;
        }
        out.push(GroupBreakdown {
            by: format!("tag:{}", strings.name(key)),
            rows: rank_rows(tag_rows(strings, f, key), total_cost, MAX_GROUP_ROWS),
        });
    }
    out
}

/// Each value of the tag `key` with its cell.
fn tag_rows<'a>(
    strings: &'a Interner,
    f: &'a Fold,
    key: u32,
) -> impl Iterator<Item = (String, &'a Cell)> + 'a {
    f.by_tag
        .iter()
        .filter(move |((k, _), _)| *k == key)
        .map(|((_, v), c)| (strings.name(*v).to_string(), c))
}

fn named_rows(strings: &Interner, map: &HashMap<u32, Cell>, total_cost: Money) -> Vec<GroupRow> {
    rank_rows(
        map.iter()
            .map(|(id, c)| (none_if_empty(strings.name(*id)), c)),
        total_cost,
        MAX_GROUP_ROWS,
    )
}

/// The rows of `report --by`: every group, none left out.
pub(super) fn report_rows(
    strings: &Interner,
    g: &GroupBy,
    f: &Fold,
    total_cost: Money,
) -> Vec<GroupRow> {
    let all = usize::MAX;
    match g {
        GroupBy::Model => rank_rows(
            f.by_model
                .iter()
                .map(|(id, c)| (none_if_empty(strings.name(*id)), c)),
            total_cost,
            all,
        ),
        GroupBy::Tier => rank_rows(
            f.by_tier.iter().map(|(t, c)| (t.as_str().to_string(), c)),
            total_cost,
            all,
        ),
        GroupBy::Project => rank_rows(
            f.by_project
                .iter()
                .map(|(id, c)| (none_if_empty(strings.name(*id)), c)),
            total_cost,
            all,
        ),
        GroupBy::Session => rank_rows(
            f.by_session
                .iter()
                .map(|(id, c)| (none_if_empty(strings.name(*id)), c)),
            total_cost,
            all,
        ),
        GroupBy::Tag(_) | GroupBy::Org(_) => {
            let key_id = g
                .tag_key()
                .and_then(|key| strings.get(key))
                .unwrap_or(u32::MAX);
            rank_rows(
                f.by_tag
                    .iter()
                    .filter(|((k, _), _)| *k == key_id)
                    .map(|((_, v), c)| (none_if_empty(strings.name(*v)), c)),
                total_cost,
                all,
            )
        }
        GroupBy::Hour | GroupBy::Day | GroupBy::Week | GroupBy::Month => {
            let mut rows: Vec<GroupRow> = f
                .by_row
                .iter()
                .map(|(k, c)| GroupRow {
                    key: k.clone(),
                    totals: totals(c),
                    share_of_cost: share(c.cost, total_cost),
                })
                .collect();
            rows.sort_by(|a, b| a.key.cmp(&b.key));
            rows
        }
    }
}

fn rank_rows<'a>(
    rows: impl Iterator<Item = (String, &'a Cell)>,
    total_cost: Money,
    limit: usize,
) -> Vec<GroupRow> {
    let mut v: Vec<GroupRow> = rows
        .map(|(key, c)| GroupRow {
            key,
            totals: totals(c),
            share_of_cost: share(c.cost, total_cost),
        })
        .collect();
    v.sort_by(|a, b| {
        b.totals
            .cost
            .cmp(&a.totals.cost)
            .then(b.totals.requests.cmp(&a.totals.requests))
            .then(a.key.cmp(&b.key))
    });
    v.truncate(limit);
    v
}

/// A group's name, `(none)` for records without one.
pub(super) fn none_if_empty(s: &str) -> String {
    if s.is_empty() {
        "(none)".to_string()
    } else {
        s.to_string()
    }
}
