//! Where each budget stands, read from the counted usage: spend in its period, the
//! projection to the period's end, its status.

use chrono::{DateTime, Duration, Utc};

use crate::aggregate::store::{Dims, Store, minute_of};
use crate::budget::{Budget, BudgetFilter, Scope};
use crate::pricing::{Money, round_usd};
use crate::snapshot::BudgetStatus;
use crate::time::Zone;

/// Whether a cell of dimensions `d` counts for `filter`.
fn matches(filter: &BudgetFilter, store: &Store, d: &Dims) -> bool {
    let s = &store.strings;
    filter
        .model
        .as_ref()
        .is_none_or(|g| g.is_match(s.name(d.model)))
        && filter
            .project
            .as_deref()
            .is_none_or(|p| s.name(d.project) == p)
        && filter.tier.is_none_or(|t| t == d.tier)
        && filter.tag.as_ref().is_none_or(|(k, v)| {
            store
                .tag_sets
                .pairs(d.tags)
                .iter()
                .any(|(tk, tv)| s.name(*tk) == k && s.name(*tv) == v)
        })
}

/// Spend matching the budget's filter in `[from, to]` as seen at `now` (whole local hours
/// before the detail frontier: periods start on local hours, so they are exact); for a
/// budget per project or session, the largest one's.
pub(super) fn spent(
    budget: &Budget,
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Money {
    largest(budget, store, from, to, now).0
}

/// [`spent`], and for a budget per project or session the interned name of the largest.
fn largest(
    budget: &Budget,
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (Money, Option<u32>) {
    if budget.filter.is_empty() && budget.scope == Scope::All {
        return (store.spend_between(from, to, now), None);
    }
    let (a, b) = (minute_of(from), minute_of(to));
    if a > b {
        return (Money::ZERO, None);
    }
    let cells = store
        .history
        .slots(a, b, now)
        .flat_map(|(_, m)| m.cells.iter())
        .filter(|(d, _)| matches(&budget.filter, store, d));
    let owner: fn(&Dims) -> u32 = match budget.scope {
        Scope::All => return (cells.map(|(_, c)| Money(i128::from(c.cost))).sum(), None),
        Scope::Project => |d: &Dims| d.project,
        Scope::Session => |d: &Dims| d.session,
    };
    let mut each: foldhash::HashMap<u32, i128> = foldhash::HashMap::default();
    for (d, c) in cells {
        *each.entry(owner(d)).or_default() += i128::from(c.cost);
    }
    each.into_iter()
        .max_by_key(|(id, spent)| (*spent, std::cmp::Reverse(*id)))
        .map_or((Money::ZERO, None), |(id, spent)| (Money(spent), Some(id)))
}

/// Spent so far this period and the projection to its end at the recent burn rate
/// (the last hour; the last 15 minutes for hourly budgets; never longer than the period).
pub(super) fn spent_and_projected(
    budget: &Budget,
    store: &Store,
    zone: Zone,
    now: DateTime<Utc>,
) -> (Money, Money) {
    let (start, end) = budget.period_bounds(zone, now);
    // Spend stamped later than now still counts in its period (clocks differ a little);
    // spend after the period's end does not.
    let spent_so_far = spent(budget, store, start, end - Duration::seconds(1), now);
    let rate_from = budget.rate_from(start, now);
    let recent = spent(budget, store, rate_from, now, now);
    let projected = Budget::projected(spent_so_far, recent, rate_from, now, end);
    (spent_so_far, projected)
}

/// Where a budget stands at `now`.
pub(crate) fn status(
    budget: &Budget,
    store: &Store,
    zone: Zone,
    now: DateTime<Utc>,
) -> BudgetStatus {
    let (start, end) = budget.period_bounds(zone, now);
    let (spent, projected) = spent_and_projected(budget, store, zone, now);
    let owner = largest(budget, store, start, end - Duration::seconds(1), now).1;
    BudgetStatus {
        name: budget.name.clone(),
        period: budget.period.as_str().to_string(),
        limit_usd: budget.limit.usd(),
        spent_usd: round_usd(spent.usd()),
        projected_usd: round_usd(projected.usd()),
        state: budget.state(spent).to_string(),
        warn_at: budget.warn_at,
        period_start: start,
        period_end: end,
        scope: (budget.scope != Scope::All).then(|| budget.scope.as_str().to_string()),
        largest: owner.map(|id| store.strings.name(id).to_string()),
    }
}
