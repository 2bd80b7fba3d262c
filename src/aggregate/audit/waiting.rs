//! The cache writes of one thread still waiting for a read, at a cost per request that does not
//! grow with the thread: a few are scanned, many are indexed by what a read can reach (the
//! cache reads of the writing request) and by when their TTL ends.
//!
//! A read at `at` of `cache_read` cached tokens reaches the writes made at or before `at` by a
//! request that read fewer cached tokens. A write read within its TTL is done with — unless it
//! is a 1-hour write read only within 5 minutes of the thread's previous request, which waits
//! on for a read that needed the hour. A write whose TTL ends unread (or, for 1 hour, unneeded)
//! is handed back to be booked.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use foldhash::HashMap;

use super::pending::PendingWrite;

/// Writes scanned one by one; a thread holding more is indexed.
const FEW: usize = 16;

/// The writes of one thread waiting for a read.
#[derive(Debug, Clone)]
pub(super) enum Waiting {
    /// Up to [`FEW`] writes, scanned.
    Few(Vec<PendingWrite>),
    /// More, indexed.
    Many(Box<Index>),
}

impl Default for Waiting {
    fn default() -> Self {
        Waiting::Few(Vec::new())
    }
}

/// Many writes, by what a read can reach and by deadline.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    writes: HashMap<u64, PendingWrite>,
    /// Writes not read yet, by (cache reads of the writing request, arrival).
    unread: BTreeSet<(u64, u64)>,
    /// 1-hour writes read, so far only within 5 minutes of the thread's previous request.
    read_early: BTreeSet<(u64, u64)>,
    /// (deadline, arrival) of every write; entries of writes already done with are skipped.
    deadlines: BinaryHeap<Reverse<(i64, u64)>>,
    next: u64,
}

impl Waiting {
    /// Whether no write waits.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Waiting::Few(v) => v.is_empty(),
            Waiting::Many(ix) => ix.writes.is_empty(),
        }
    }

    /// Every waiting write.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = &PendingWrite> + '_> {
        match self {
            Waiting::Few(v) => Box::new(v.iter()),
            Waiting::Many(ix) => Box::new(ix.writes.values()),
        }
    }

    /// Adds a write.
    pub(crate) fn push(&mut self, w: PendingWrite) {
        match self {
            Waiting::Few(v) if v.len() < FEW => v.push(w),
            Waiting::Few(v) => {
                let mut ix = Box::<Index>::default();
                for w in v.drain(..).chain(std::iter::once(w)) {
                    ix.push(w);
                }
                *self = Waiting::Many(ix);
            }
            Waiting::Many(ix) => ix.push(w),
        }
    }

    /// Hands every write whose TTL is over at `at` (ms) to `settle`, and forgets it.
    pub(crate) fn expire(&mut self, at: i64, mut settle: impl FnMut(&PendingWrite)) {
        match self {
            Waiting::Few(v) => v.retain(|w| {
                let over = w.deadline() < at;
                if over {
                    settle(w);
                }
                !over
            }),
            Waiting::Many(ix) => {
                ix.expire(at, settle);
                if ix.writes.is_empty() {
                    *self = Waiting::default();
                }
            }
        }
    }

    /// A request at `at` read `cache_read` cached tokens; `late`: over 5 minutes after the
    /// thread's previous request.
    pub(crate) fn read(&mut self, at: i64, cache_read: u64, late: bool) {
        match self {
            Waiting::Few(v) => v.retain_mut(|w| {
                if w.at <= at && cache_read > w.read_before {
                    w.read = true;
                    w.needed_one_hour |= late;
                }
                !done(w)
            }),
            Waiting::Many(ix) => {
                ix.read(at, cache_read, late);
                if ix.writes.is_empty() {
                    *self = Waiting::default();
                }
            }
        }
    }

    /// Hands every write to `settle` and forgets them.
    pub(crate) fn settle_all(&mut self, mut settle: impl FnMut(&PendingWrite)) {
        self.iter().for_each(&mut settle);
        *self = Waiting::default();
    }
}

/// A write read within its TTL that nothing can make an opportunity any more.
fn done(w: &PendingWrite) -> bool {
    w.read && (!w.one_hour || w.needed_one_hour)
}

impl Index {
    fn push(&mut self, w: PendingWrite) {
        let id = self.next;
        self.next += 1;
        self.deadlines.push(Reverse((w.deadline(), id)));
        if w.read {
            self.read_early.insert((w.read_before, id));
        } else {
            self.unread.insert((w.read_before, id));
        }
        self.writes.insert(id, w);
    }

    fn expire(&mut self, at: i64, mut settle: impl FnMut(&PendingWrite)) {
        while let Some(&Reverse((deadline, id))) = self.deadlines.peek() {
            if deadline >= at {
                break;
            }
            self.deadlines.pop();
            if let Some(w) = self.writes.remove(&id) {
                self.unread.remove(&(w.read_before, id));
                self.read_early.remove(&(w.read_before, id));
                settle(&w);
            }
        }
    }

    fn read(&mut self, at: i64, cache_read: u64, late: bool) {
        for (rb, id) in reached(&mut self.unread, cache_read) {
            let Some(w) = self.writes.get_mut(&id) else {
                continue;
            };
            if w.at > at {
                // Written after this read (it arrived late): still waiting.
                self.unread.insert((rb, id));
                continue;
            }
            w.read = true;
            w.needed_one_hour |= late;
            if done(w) {
                self.writes.remove(&id);
            } else {
                self.read_early.insert((rb, id));
            }
        }
        if !late {
            return;
        }
        for (rb, id) in reached(&mut self.read_early, cache_read) {
            match self.writes.get(&id) {
                Some(w) if w.at > at => {
                    self.read_early.insert((rb, id));
                }
                Some(_) => {
                    self.writes.remove(&id);
                }
                None => {}
            }
        }
    }
}

/// Takes out of `set` the entries a read of `cache_read` tokens reaches (read before < it).
fn reached(set: &mut BTreeSet<(u64, u64)>, cache_read: u64) -> BTreeSet<(u64, u64)> {
    let rest = set.split_off(&(cache_read, 0));
    std::mem::replace(set, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiting_write_stays_small() {
        // An hour of unread writes at 100 requests/s is 360,000 of them.
        assert!(
            size_of::<PendingWrite>() <= 128,
            "{}",
            size_of::<PendingWrite>()
        );
    }

    /// The same writes and reads through the scan and through the index end alike.
    #[test]
    fn the_index_settles_exactly_as_the_scan() {
        use crate::aggregate::audit::pending::testing::write;
        // (at, read_before, one_hour) writes, then reads (at, cache_read, late).
        let writes: Vec<PendingWrite> = (0..40)
            .map(|n| write(n * 1_000, 100 * (n as u64 % 7), n % 3 == 0))
            .collect();
        let reads = [
            (5_000, 300, false),
            (20_000, 50, true),
            (30_000, 1_000, false),
        ];
        let run = |few: bool| {
            let mut w = if few {
                Waiting::Few(Vec::new())
            } else {
                Waiting::Many(Box::default())
            };
            let mut settled = Vec::new();
            for x in &writes {
                if few {
                    let Waiting::Few(v) = &mut w else { panic!() };
                    v.push(x.clone());
                } else {
                    w.push(x.clone());
                }
            }
            for &(at, cache_read, late) in &reads {
                w.expire(at, |p| settled.push(p.clone()));
                w.read(at, cache_read, late);
            }
            w.expire(10_000_000, |p| settled.push(p.clone()));
            settled.sort_by_key(|p| (p.at, p.one_hour));
            assert!(w.is_empty());
            settled
        };
        let scanned = run(true);
        assert!(!scanned.is_empty());
        assert_eq!(run(false), scanned);
    }
}
