//! The audit's storage: per minute, one small cell per (dimensions, kind of opportunity), the
//! way the rollups keep theirs, so opportunities follow any window and memory grows with
//! minutes × groups, not with records.

use crate::aggregate::store::Dims;
use crate::money::Money;
use crate::snapshot::Kind;

/// What a cell counts: a [`Kind`], or requests by output-histogram bucket and whether they
/// look simple. Request cells carry what every request adds (its cost, its saving one step
/// down the ladder, its output cost), from which the routing rules and the p99 rule — only
/// decidable once the window's p99 is known — are folded; one cell per request at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Slot(u8);

/// Slots from here on are request cells.
const REQUEST_BASE: u8 = 64;

impl Slot {
    /// The slot of a rule's cells.
    pub(crate) fn of(kind: Kind) -> Slot {
        Slot(kind as u8)
    }

    /// The slot of requests in output bucket `bucket`, simple-looking or not.
    pub(crate) fn requests(bucket: u8, simple: bool) -> Slot {
        Slot(REQUEST_BASE.saturating_add(bucket.saturating_mul(2)) + u8::from(simple))
    }

    /// The kind of a rule slot.
    pub(crate) fn kind(self) -> Option<Kind> {
        Kind::ALL.get(usize::from(self.0)).copied()
    }

    /// The output bucket of a request slot, and whether its requests look simple.
    pub(crate) fn request_cell(self) -> Option<(u8, bool)> {
        let i = self.0.checked_sub(REQUEST_BASE)?;
        Some((i / 2, i % 2 == 1))
    }
}

/// Money into a cell's `i64` picodollars, saturating (a minute's cell never nears it).
pub(super) fn picos(m: Money) -> i64 {
    i64::try_from(m.0).unwrap_or(if m.0 < 0 { i64::MIN } else { i64::MAX })
}

/// What one or more records add to an opportunity, in picodollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Amounts {
    /// What the affected spend costs now.
    pub(crate) current: i64,
    /// What the rule would save.
    pub(crate) saved: i64,
    /// What it saves after the levers applied before it (routing first, batch last).
    pub(crate) combined: i64,
    /// Request slots: the output's cost.
    pub(crate) output: i64,
    /// Request slots: the sum of each request's output cost per token, in picodollars (the
    /// excess above a p99 is priced with it).
    pub(crate) per_token: i64,
    /// Requests (or writes) counted.
    pub(crate) requests: u32,
}

impl Amounts {
    /// An opportunity of one record that saves all it can.
    pub(crate) fn one(current: Money, saved: Money, combined: Money) -> Amounts {
        Amounts {
            current: picos(current),
            saved: picos(saved),
            combined: picos(combined),
            output: 0,
            per_token: 0,
            requests: 1,
        }
    }

    fn apply(&mut self, o: &Amounts, add: bool) {
        let sign = if add { 1 } else { -1 };
        self.current += sign * o.current;
        self.saved += sign * o.saved;
        self.combined += sign * o.combined;
        self.output += sign * o.output;
        self.per_token += sign * o.per_token;
        if add {
            self.requests += o.requests;
        } else {
            self.requests = self.requests.saturating_sub(o.requests);
        }
    }
}

/// Records the audit could not judge, per minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Skipped {
    /// Requests of unpriced models: no opportunity from an unknown price.
    pub(crate) unpriced: u32,
    /// Requests on models whose tier is not on the ladder.
    pub(crate) off_ladder: u32,
    /// Requests with cache writes but no session: the write rules cannot follow them.
    pub(crate) writes_without_session: u32,
}

impl Skipped {
    fn apply(&mut self, o: &Skipped, add: bool) {
        if add {
            self.unpriced += o.unpriced;
            self.off_ladder += o.off_ladder;
            self.writes_without_session += o.writes_without_session;
        } else {
            self.unpriced = self.unpriced.saturating_sub(o.unpriced);
            self.off_ladder = self.off_ladder.saturating_sub(o.off_ladder);
            self.writes_without_session = self
                .writes_without_session
                .saturating_sub(o.writes_without_session);
        }
    }
}

/// Cells a minute scans before it indexes them: past this, a minute of many sessions would
/// cost each record a scan of all the others (quadratic in the sessions of one minute).
const SCAN_LIMIT: usize = 16;

/// Everything the audit counted in one minute.
#[derive(Debug, Clone, Default)]
pub(super) struct AuditMinute {
    /// One cell per (dimensions, slot).
    pub(crate) cells: Vec<(Dims, Slot, Amounts)>,
    /// Records it could not judge.
    pub(crate) skipped: Skipped,
    /// Where each cell is in `cells`, once there are more than [`SCAN_LIMIT`] (empty before).
    index: foldhash::HashMap<(Dims, Slot), u32>,
}

impl AuditMinute {
    /// Adds (or retracts) amounts in the cell of `dims` and `slot`.
    pub(crate) fn apply(&mut self, dims: Dims, slot: Slot, amounts: &Amounts, add: bool) {
        match self.position(dims, slot) {
            Some(i) => self.cells[i].2.apply(amounts, add),
            None if add => self.push(dims, slot, *amounts),
            None => {}
        }
    }

    /// Where the cell of `dims` and `slot` is: a scan while there are few, the index after.
    fn position(&self, dims: Dims, slot: Slot) -> Option<usize> {
        if self.index.is_empty() {
            self.cells
                .iter()
                .position(|(d, s, _)| *s == slot && *d == dims)
        } else {
            self.index.get(&(dims, slot)).map(|&i| i as usize)
        }
    }

    /// A new cell, indexed once the minute holds more than [`SCAN_LIMIT`].
    fn push(&mut self, dims: Dims, slot: Slot, amounts: Amounts) {
        self.cells.push((dims, slot, amounts));
        if self.cells.len() > SCAN_LIMIT {
            if self.index.is_empty() {
                self.index = self
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(i, (d, s, _))| ((*d, *s), i as u32))
                    .collect();
            } else {
                self.index
                    .insert((dims, slot), (self.cells.len() - 1) as u32);
            }
        }
    }

    /// Adds (or retracts) skipped records.
    pub(crate) fn skip(&mut self, skipped: &Skipped, add: bool) {
        self.skipped.apply(skipped, add);
    }

    /// Adds everything `other` counted (an hour taking in its minutes): one pass over each.
    pub(crate) fn merge(&mut self, other: &AuditMinute) {
        for (dims, slot, amounts) in &other.cells {
            self.apply(*dims, *slot, amounts, true);
        }
        self.skipped.apply(&other.skipped, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_keep_kinds_and_buckets_apart() {
        for kind in Kind::ALL {
            assert_eq!(Slot::of(kind).kind(), Some(kind));
        }
        for kind in Kind::ALL {
            assert_eq!(Slot::of(kind).request_cell(), None);
        }
        assert_eq!(Slot::requests(34, true).request_cell(), Some((34, true)));
        assert_eq!(Slot::requests(7, false).request_cell(), Some((7, false)));
        assert_eq!(Slot::requests(7, false).kind(), None);
    }
}
