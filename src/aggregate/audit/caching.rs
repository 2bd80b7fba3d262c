//! The caching rules, which need a record's neighbours: per thread (a session's main line or
//! one sub-agent, on one model — each has its own cache), the previous request and the cache
//! writes still waiting for a read. A thread is dropped once nothing in it can change: its
//! last request is over an hour (the longest TTL) in the past and it went untouched for a
//! whole sweep; its writes are then settled into the minute cells.
//!
//!
//! Each request costs the same whatever its thread holds: waiting writes are indexed by what a
//! read can reach and by deadline ([`Waiting`]), and the writes of a thread left alone for a
//! sweep are settled as soon as the newest request is past their TTL, not an hour later.
//!
//! - (a) *uncached repeats*: a request that uses no cache at all with at least 1,024 uncached
//!   input tokens, within 5 minutes of another such request of the thread (for records
//!   without a session: of the same project, tags and model). Saved: the tokens both share
//!   (at most the smaller input) read from cache instead, less the 5-minute write that
//!   caching them the first time of a run costs.
//! - (b) *writes never read*: a write is read when a later request of the thread reads more
//!   cached tokens than the writing request did (it reached into what was written) within
//!   the write's TTL. Unread writes saved: their premium over plain input.
//! - (c) *1 h where 5 min would do*: a 1-hour write that was read, every read of it within
//!   5 minutes of the thread's previous request. Saved: the 1-hour minus the 5-minute price.

use foldhash::HashMap;

use super::cells::{Amounts, Skipped, Slot};
use super::minutes::AuditMinutes;
use super::pending::{FIVE_MINUTES, ONE_HOUR, Observed, PendingWrite, Prices, writes_of};
use super::pricer::{Pricer, after_routing};
use super::waiting::Waiting;
use crate::pricing::Money;
use crate::snapshot::Kind;
use crate::usage::EventKind;

/// The smallest prefix the API caches.
pub(super) const MIN_CACHEABLE: u64 = 1_024;
/// Requests between two sweeps for idle threads.
const SWEEP_EVERY: u32 = 4_096;

/// Which thread a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ThreadKey {
    session: u32,
    agent: u32,
    project: u32,
    tags: u32,
    model: u32,
}

/// The last uncached request of a thread, for rule (a).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    at: i64,
    input: u64,
    /// It was itself a repeat (its run has paid for the first write already).
    repeat: bool,
}

#[derive(Debug, Clone)]
struct Thread {
    last_at: i64,
    generation: u32,
    candidate: Option<Candidate>,
    pending: Waiting,
}

/// Every live thread.
#[derive(Debug, Clone, Default)]
pub(super) struct Threads {
    map: HashMap<ThreadKey, Thread>,
    /// The latest request time seen (ms): the sweep's clock.
    high_water: i64,
    counted: u32,
    generation: u32,
}

impl Threads {
    /// Threads held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Writes not yet settled whose TTL is over at `now` (ms): the snapshot books them.
    pub(crate) fn expired(&self, now: i64) -> impl Iterator<Item = &PendingWrite> {
        self.map
            .values()
            .flat_map(|t| t.pending.iter())
            .filter(move |w| w.deadline() < now)
    }

    fn observe(
        &mut self,
        minutes: &mut AuditMinutes,
        prices: &Prices,
        key: ThreadKey,
        r: &Observed<'_>,
    ) {
        let at = r.at;
        self.high_water = self.high_water.max(at);
        let generation = self.generation;
        let th = self.map.entry(key).or_insert_with(|| Thread {
            last_at: at,
            generation,
            candidate: None,
            pending: Waiting::default(),
        });
        th.generation = generation;
        let gap = at - th.last_at;
        let t = r.event.tokens;
        if !th.pending.is_empty() {
            th.pending.expire(at, |w| w.book(minutes, prices));
        }
        if t.cache_read > 0 && !th.pending.is_empty() {
            th.pending.read(at, t.cache_read, gap > FIVE_MINUTES);
        }
        repeat_rule(th, minutes, prices, r);
        if key.session != 0 {
            for w in writes_of(r) {
                th.pending.push(w);
            }
        }
        th.last_at = th.last_at.max(at);
        self.counted += 1;
        if self.counted.is_multiple_of(SWEEP_EVERY) {
            self.sweep(minutes, prices);
        }
    }

    /// Settles the writes of threads left alone since the last sweep whose TTL the newest
    /// request is past, and drops threads nothing can change any more.
    fn sweep(&mut self, minutes: &mut AuditMinutes, prices: &Prices) {
        self.generation += 1;
        let (generation, high_water) = (self.generation, self.high_water);
        self.map.retain(|_, th| {
            if th.generation + 1 >= generation {
                return true;
            }
            if th.last_at + ONE_HOUR + FIVE_MINUTES < high_water {
                th.pending.settle_all(|w| w.book(minutes, prices));
                return false;
            }
            if !th.pending.is_empty() {
                th.pending.expire(high_water, |w| w.book(minutes, prices));
            }
            true
        });
    }
}

/// Rule (a): a request without any cache use, repeating a recent one's uncached input.
fn repeat_rule(th: &mut Thread, minutes: &mut AuditMinutes, prices: &Prices, r: &Observed<'_>) {
    let t = r.event.tokens;
    if t.cache_writes() > 0 || t.cache_read > 0 {
        th.candidate = None;
        return;
    }
    if t.input < MIN_CACHEABLE {
        return;
    }
    let previous = th.candidate.filter(|c| r.at - c.at <= FIVE_MINUTES);
    th.candidate = Some(Candidate {
        at: r.at,
        input: t.input,
        repeat: previous.is_some(),
    });
    let Some(previous) = previous else { return };
    let price = prices.get(r.dims.model as usize).and_then(Option::as_ref);
    let mut p = Pricer::new(price, r.event, r.cost);
    let shared = previous.input.min(t.input);
    let as_read = p.with(|e| {
        e.tokens.input -= shared;
        e.tokens.cache_read += shared;
    });
    let mut saved = p.now - as_read;
    if !previous.repeat {
        let written = p.with(|e| {
            e.tokens.input -= shared;
            e.tokens.cache_write_5m += shared;
        });
        saved -= written - p.now;
    }
    if saved > Money::ZERO {
        let current = p.now - p.with(|e| e.tokens.input -= shared);
        let combined = after_routing(r.routed, saved);
        minutes.at(r.minute).apply(
            r.dims,
            Slot::of(Kind::UncachedRepeats),
            &Amounts::one(current, saved, combined),
            true,
        );
    }
}

impl Threads {
    /// Runs the caching rules on the first copy of a request (`agent`: the value of its
    /// `agent` tag, 0 without one: a sub-agent has its own cache).
    pub(crate) fn count(
        &mut self,
        minutes: &mut AuditMinutes,
        prices: &Prices,
        r: &Observed<'_>,
        agent: u32,
    ) {
        let (event, dims) = (r.event, r.dims);
        let has_price = prices.get(dims.model as usize).is_some_and(Option::is_some);
        if event.kind != EventKind::Request || !has_price {
            return;
        }
        let t = &event.tokens;
        let key = if dims.session == 0 {
            if t.cache_writes() > 0 {
                let skipped = Skipped {
                    writes_without_session: 1,
                    ..Skipped::default()
                };
                minutes.at(r.minute).skip(&skipped, true);
            }
            let uncached = t.input >= MIN_CACHEABLE && t.cache_writes() == 0 && t.cache_read == 0;
            if !uncached {
                return;
            }
            ThreadKey {
                session: 0,
                agent: 0,
                project: dims.project,
                tags: dims.tags,
                model: dims.model,
            }
        } else {
            ThreadKey {
                session: dims.session,
                agent,
                project: 0,
                tags: 0,
                model: dims.model,
            }
        };
        self.observe(minutes, prices, key, r);
    }
}
