//! costtop's side of the comparison with Claude Code's figures: what it counted of the
//! sessions Claude Code has figures for (their models and latest record, their cost per
//! session and per day), read from the per-minute rollups when a snapshot asks.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use foldhash::{HashMap, HashSet};
use smallvec::SmallVec;

use crate::aggregate::store::Store;
use crate::money::Money;
use crate::pricing::PriceTable;
use crate::time::Zone;

/// costtop's cost and unpriced requests.
pub(super) type Priced = (Money, u64);

/// What costtop counted of one session.
#[derive(Debug, Clone, Default)]
pub(super) struct SeenSession {
    /// The interned models of its records.
    pub(crate) models: SmallVec<[u32; 4]>,
    /// Its latest record's minute.
    pub(crate) last: DateTime<Utc>,
}

/// The models and latest record of each of `sessions` (interned ids) that costtop has
/// records of, over all records held.
pub(super) fn sessions_seen(store: &Store, sessions: &HashSet<u32>) -> HashMap<u32, SeenSession> {
    let mut seen: HashMap<u32, SeenSession> = HashMap::default();
    if sessions.is_empty() {
        return seen;
    }
    for (minute, m) in store.history.slots_from(i64::MIN) {
        for (dims, cell) in &m.cells {
            if cell.requests == 0 || !sessions.contains(&dims.session) {
                continue;
            }
            let s = seen.entry(dims.session).or_default();
            if !s.models.contains(&dims.model) {
                s.models.push(dims.model);
            }
            s.last = s
                .last
                .max(DateTime::from_timestamp(minute * 60, 0).unwrap_or_default());
        }
    }
    seen
}

/// costtop's cost of the given sessions since `start` (and their unpriced requests), per
/// session, and per local day.
pub(super) fn session_costs(
    store: &Store,
    zone: Zone,
    ids: &HashMap<u32, &str>,
    start: Option<DateTime<Utc>>,
) -> (HashMap<String, Priced>, BTreeMap<NaiveDate, Priced>) {
    let mut per_session: HashMap<String, Priced> = HashMap::default();
    let mut per_day: BTreeMap<NaiveDate, Priced> = BTreeMap::new();
    if ids.is_empty() {
        return (per_session, per_day);
    }
    let from = start.map_or(i64::MIN, |s| s.timestamp().div_euclid(60));
    // Days change rarely between minutes: the local day is recomputed only past its end.
    let mut day: Option<(NaiveDate, i64)> = None;
    for (minute, m) in store.history.slots_from(from) {
        let mut here: Priced = (Money::ZERO, 0);
        for (dims, cell) in &m.cells {
            if let Some(name) = ids.get(&dims.session) {
                let priced = (
                    Money(i128::from(cell.cost)),
                    u64::from(cell.unpriced_requests),
                );
                let sum = per_session.entry((*name).to_string()).or_default();
                sum.0 += priced.0;
                sum.1 += priced.1;
                here.0 += priced.0;
                here.1 += priced.1;
            }
        }
        if here == (Money::ZERO, 0) {
            continue;
        }
        let today = match day {
            Some((d, end)) if minute < end => d,
            _ => {
                let t = DateTime::from_timestamp(minute * 60, 0).unwrap_or_default();
                let d = local_day(zone, t);
                let end = zone.end_of_day(t).timestamp().div_euclid(60);
                day = Some((d, end));
                d
            }
        };
        let day = per_day.entry(today).or_default();
        day.0 += here.0;
        day.1 += here.1;
    }
    (per_session, per_day)
}

/// Whether a session's counted models include `model` (same id, or the same priced model
/// under another spelling, e.g. with a `[1m]` suffix).
pub(super) fn holds(store: &Store, prices: &PriceTable, seen: &[u32], model: &str) -> bool {
    if let Some(id) = store.strings.get(model)
        && seen.contains(&id)
    {
        return true;
    }
    let Some(family) = prices.lookup(model).map(|p| &p.family) else {
        return false;
    };
    seen.iter().any(|&id| {
        prices
            .lookup(store.strings.name(id))
            .is_some_and(|p| &p.family == family)
    })
}

/// The local day of `t`.
pub(super) fn local_day(zone: Zone, t: DateTime<Utc>) -> NaiveDate {
    zone.local(t).date_naive()
}
