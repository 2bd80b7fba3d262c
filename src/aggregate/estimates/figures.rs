//! Other tools' own cost figures, kept beside costtop's spend as a check and never added to
//! it: Claude Code's running totals per session and model (`cost-state` lines, its OTLP cost
//! metric, cumulative or delta) and the per-request `estimate` of counted records. Memory is
//! bounded: past a cap, the oldest figures are forgotten (and counted as dropped).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use foldhash::HashMap;

use crate::money::Money;
use crate::usage::{EstimateOrigin, Tokens, ToolEstimate, UsageEvent};

/// Most running totals and most delta buckets kept (each); a month of sessions stays far below.
const MAX_FIGURES: usize = 100_000;
/// Most request keys whose estimate is remembered for replacement by a more complete copy.
const MAX_REQUEST_KEYS: usize = 200_000;
/// Width of the time buckets deltas and per-request figures are summed in: every time zone's
/// offset is a multiple of it, so buckets never straddle a local midnight.
pub(super) const BUCKET_SECONDS: i64 = 900;

/// What a figure is about: one origin's view of one session (and user) and model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct FigureKey {
    /// Where it came from.
    pub(crate) origin: EstimateOrigin,
    /// The session (Claude Code's session id), when the source names one.
    pub(crate) session: Option<Arc<str>>,
    /// The user, when the source names one.
    pub(crate) user: Option<Arc<str>>,
    /// The model; `None`: every model of the session.
    pub(crate) model: Option<Arc<str>>,
}

/// A cost figure and what it says it covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Figure {
    /// When it was written (the latest, for running totals).
    pub(crate) at: DateTime<Utc>,
    /// The tool's cost.
    pub(crate) cost: Money,
    /// The tokens it says it counted.
    pub(crate) tokens: Tokens,
}

/// The estimates of requests in one session and time bucket, and costtop's price of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RequestSum {
    /// The writing tool's figures.
    pub(crate) estimate: Money,
    /// costtop's price of the same requests (priced ones).
    pub(crate) costtop: Money,
    /// Of those requests, the ones costtop cannot price (left out of `costtop`).
    pub(crate) unpriced: u64,
}

impl RequestSum {
    fn add(&mut self, f: &RequestFigure) {
        self.estimate += Money(f.estimate.into());
        self.costtop += f.costtop().unwrap_or_default();
        self.unpriced += u64::from(f.costtop().is_none());
    }

    fn retract(&mut self, f: &RequestFigure) {
        self.estimate -= Money(f.estimate.into());
        self.costtop -= f.costtop().unwrap_or_default();
        self.unpriced = self
            .unpriced
            .saturating_sub(u64::from(f.costtop().is_none()));
    }
}

/// The estimate of one request, remembered by its dedupe key: 32 bytes, as up to
/// [`MAX_REQUEST_KEYS`] of them are held (amounts in picodollars, saturated to 64 bits: over
/// nine million dollars a request; what is added is what is retracted, so sums stay exact).
#[derive(Debug, Clone, Copy)]
struct RequestFigure {
    /// Rank of the copy it came from: a more complete copy's figure replaces it.
    rank: u64,
    /// The writing tool's estimate.
    estimate: i64,
    /// costtop's price; [`UNPRICED`]: none.
    costtop: i64,
    /// Time bucket (see [`BUCKET_SECONDS`]), saturated to 32 bits.
    bucket: i32,
    /// Interned session.
    session: u32,
}

const _: () = assert!(size_of::<RequestFigure>() == 32);

/// A [`RequestFigure`]'s `costtop` when costtop cannot price the request.
const UNPRICED: i64 = i64::MIN;

/// `money` in 64 bits, saturated (never [`UNPRICED`]).
fn compact(money: Money) -> i64 {
    i64::try_from(money.0).unwrap_or(if money.0 < 0 { i64::MIN + 1 } else { i64::MAX })
}

impl RequestFigure {
    fn costtop(&self) -> Option<Money> {
        (self.costtop != UNPRICED).then(|| Money(self.costtop.into()))
    }

    fn bucket(&self) -> i64 {
        self.bucket.into()
    }
}

/// Everything known about other tools' cost figures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Estimates {
    /// The latest running total per key.
    pub(super) totals: HashMap<FigureKey, Figure>,
    /// Deltas summed per key and time bucket (the figure's `at` is the bucket's start).
    pub(super) deltas: HashMap<(FigureKey, i64), Figure>,
    /// Per-request estimates summed per (interned session, time bucket), beside costtop's
    /// price of the same requests.
    pub(super) request_sums: HashMap<(u32, i64), RequestSum>,
    /// The estimate each request key contributed to `request_sums`.
    requests: HashMap<u64, RequestFigure>,
    /// Requests a forked session repeats from the session that made them (key → the fork's
    /// interned session, model and costtop's price of the copy): Claude Code's running totals
    /// of a fork include them, so they are taken out of the fork's figures.
    inherited: HashMap<u64, (u32, u32, Money)>,
    /// Figures forgotten to bound memory.
    pub(super) dropped: u64,
}

/// The time bucket of `t`.
pub(super) fn bucket(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(BUCKET_SECONDS)
}

/// The start of a time bucket.
pub(super) fn bucket_start(bucket: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(bucket * BUCKET_SECONDS, 0).unwrap_or_default()
}

impl Estimates {
    /// Whether there is anything to show.
    pub(crate) fn is_empty(&self) -> bool {
        self.totals.is_empty() && self.deltas.is_empty() && self.request_sums.is_empty()
    }

    /// Takes another tool's figures: a running total replaces an older one of the same key
    /// (the last written counts); a delta adds to its bucket.
    pub(crate) fn apply(&mut self, estimates: Vec<ToolEstimate>) {
        for e in estimates {
            let key = FigureKey {
                origin: e.origin,
                session: e.session,
                user: e.user,
                model: e.model,
            };
            if e.cumulative {
                let figure = Figure {
                    at: e.at,
                    cost: e.cost,
                    tokens: e.tokens,
                };
                match self.totals.get_mut(&key) {
                    Some(old) if old.at > e.at => {}
                    Some(old) => *old = figure,
                    None => {
                        self.totals.insert(key, figure);
                    }
                }
            } else {
                let b = bucket(e.at);
                let sum = self.deltas.entry((key, b)).or_insert_with(|| Figure {
                    at: bucket_start(b),
                    ..Figure::default()
                });
                sum.cost += e.cost;
                sum.tokens += e.tokens;
            }
        }
        self.dropped += forget_oldest(&mut self.totals, |f| f.at);
        self.dropped += forget_oldest(&mut self.deltas, |f| f.at);
    }

    /// Notes the `estimate` of a record costtop counts (or of a copy of one), which costtop
    /// priced at `price` (`None`: unpriced): it counts once per request — the most complete
    /// copy that carries one wins, whichever copy costtop counts.
    pub(crate) fn record(&mut self, event: &UsageEvent, session: u32, price: Option<Money>) {
        let Some(estimate) = event.estimate else {
            return;
        };
        let b = bucket(event.timestamp);
        let figure = RequestFigure {
            rank: event.rank,
            estimate: compact(estimate),
            costtop: price.map_or(UNPRICED, compact),
            bucket: i32::try_from(b).unwrap_or(if b < 0 { i32::MIN } else { i32::MAX }),
            session,
        };
        if let Some(key) = event.key {
            match self.requests.get(&key) {
                Some(old) if old.rank >= figure.rank => return,
                Some(old) => {
                    let old = *old;
                    self.request_sums
                        .entry((old.session, old.bucket()))
                        .or_default()
                        .retract(&old);
                    self.requests.insert(key, figure);
                }
                None if self.requests.len() < MAX_REQUEST_KEYS => {
                    self.requests.insert(key, figure);
                }
                None => {}
            }
        }
        self.request_sums
            .entry((figure.session, figure.bucket()))
            .or_default()
            .add(&figure);
    }
}

impl Estimates {
    /// Notes that `session` holds a copy of request `key` made in another session (a fork):
    /// the copy's price (`None`: unpriced) is its inherited share, once per request.
    pub(crate) fn inherit(&mut self, key: u64, session: u32, model: u32, price: Option<Money>) {
        if self.inherited.len() < MAX_REQUEST_KEYS {
            self.inherited
                .insert(key, (session, model, price.unwrap_or_default()));
        }
    }

    /// What each (interned session, interned model) inherited from the sessions it forked.
    pub(super) fn inherited(&self) -> HashMap<(u32, u32), Money> {
        let mut out: HashMap<(u32, u32), Money> = HashMap::default();
        for &(session, model, cost) in self.inherited.values() {
            *out.entry((session, model)).or_default() += cost;
        }
        out
    }
}

/// Removes the oldest tenth of `map` when it holds more than [`MAX_FIGURES`]; returns how
/// many were removed.
fn forget_oldest<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    at: impl Fn(&V) -> DateTime<Utc>,
) -> u64 {
    if map.len() <= MAX_FIGURES {
        return 0;
    }
    let mut by_age: Vec<(DateTime<Utc>, K)> = map.iter().map(|(k, v)| (at(v), k.clone())).collect();
    let cut = map.len() - MAX_FIGURES * 9 / 10;
    by_age.select_nth_unstable_by_key(cut - 1, |(t, _)| *t);
    for (_, key) in &by_age[..cut] {
        map.remove(key);
    }
    cut as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn figure(session: &str, model: &str, minute: u32, usd: f64, cumulative: bool) -> ToolEstimate {
        ToolEstimate {
            origin: EstimateOrigin::CostState,
            session: Some(session.into()),
            user: None,
            model: Some(model.into()),
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, minute, 0).unwrap(),
            cost: Money::from_usd(usd),
            tokens: Tokens::default(),
            requests: None,
            cumulative,
        }
    }

    fn total(e: &Estimates) -> Money {
        e.totals.values().map(|f| f.cost).sum::<Money>()
            + e.deltas.values().map(|f| f.cost).sum::<Money>()
    }

    #[test]
    fn the_last_running_total_counts_and_deltas_add() {
        let mut e = Estimates::default();
        e.apply(vec![figure("s", "opus", 1, 0.5, true)]);
        e.apply(vec![figure("s", "opus", 2, 1.5, true)]);
        // Written earlier, read later (another file): not the last one.
        e.apply(vec![figure("s", "opus", 0, 0.25, true)]);
        assert_eq!(total(&e), Money::from_usd(1.5));
        let mut delta = figure("s", "opus", 3, 0.125, false);
        delta.origin = EstimateOrigin::OtlpMetric;
        e.apply(vec![delta.clone(), delta]);
        assert_eq!(total(&e), Money::from_usd(1.75));
    }

    #[test]
    fn memory_stays_bounded_by_forgetting_the_oldest() {
        let mut e = Estimates::default();
        let many: Vec<ToolEstimate> = (0..=MAX_FIGURES)
            .map(|n| {
                let mut f = figure(&n.to_string(), "m", 0, 0.01, true);
                f.at += chrono::Duration::seconds(n as i64);
                f
            })
            .collect();
        e.apply(many);
        assert_eq!(e.totals.len(), MAX_FIGURES * 9 / 10);
        // The newest figure is kept.
        assert!(
            e.totals
                .keys()
                .any(|k| k.session.as_deref() == Some("100000"))
        );
        assert_eq!(e.totals.len() as u64 + e.dropped, MAX_FIGURES as u64 + 1);
    }
}
