//! The audit's snapshot: one fold over the window's minutes (and the writes whose TTL ran
//! out since), grouped as the settings say, the p99 rule decided on the window's own
//! distribution, the levers summed and the opportunities ranked and put in words.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use foldhash::HashMap;

use super::cells::{Amounts, Skipped};
use super::grouping::Grouping;
use super::ladder::Route;
use super::reason::{Subject, sentence};
use super::state::Audit;
use crate::aggregate::store::{Dims, Store};
use crate::format::{percent, thousands};
use crate::pricing::Money;
use crate::snapshot::{
    AuditSnapshot, BOUNDS, BUCKETS, ESTIMATE_NOTE, Kind, Lever, Opportunity, SkippedCounts,
};
use crate::usage::Tier;

/// Opportunities saving less than this fraction (1/2,000 = 0.05%) of the window's spend are
/// noise, not listed.
const NOISE: i128 = 2_000;

/// Most opportunities a snapshot lists.
const MAX_OPPORTUNITIES: usize = 100;

/// Summed amounts of one (kind, group, model).
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    current: i128,
    saved: i128,
    combined: i128,
    requests: u64,
}

impl Acc {
    fn add(&mut self, a: &Amounts, halve_combined: bool) {
        self.current += i128::from(a.current);
        self.saved += i128::from(a.saved);
        let combined = i128::from(a.combined);
        self.combined += if halve_combined {
            combined / 2
        } else {
            combined
        };
        self.requests += u64::from(a.requests);
    }
}

/// What the window holds for the audit, before it is put in words.
#[derive(Default)]
struct Gathered {
    by_rule: HashMap<(Kind, u32, u32), Acc>,
    /// Requests per output bucket, by model id.
    histograms: Vec<[u64; BUCKETS]>,
    skipped: SkippedCounts,
}

/// The window's figures the audit needs from the rest of the snapshot.
pub(crate) struct WindowFigures {
    /// The first minute in the window.
    pub(crate) from_minute: i64,
    /// Priced spend in the window.
    pub(crate) total: Money,
    /// The batch tier's share of it.
    pub(crate) batch_share: f64,
}

/// The bucket holding the `q` quantile of `counts`, if any value was counted.
fn quantile_bucket(counts: &[u64; BUCKETS], q: f64) -> Option<usize> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0;
    counts.iter().position(|c| {
        seen += c;
        seen >= rank
    })
}

impl Audit {
    /// The audit over the window at `now`, over the records counted in `store`.
    pub(crate) fn snapshot(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        w: &WindowFigures,
    ) -> AuditSnapshot {
        let mut g = self.gather(store, now, w.from_minute);
        let p99: Vec<Option<usize>> = g
            .histograms
            .iter()
            .map(|counts| quantile_bucket(counts, 0.99))
            .collect();
        self.tail(store, &mut g, now, w.from_minute, &p99);
        let p99 = |model: u32| p99.get(model as usize).copied().flatten();
        let mut snap = AuditSnapshot {
            total_usd: w.total,
            group_by: self.group.to_string(),
            skipped: g.skipped,
            ladder: self.ladder.families(),
            async_groups: self.marks.iter().map(ToString::to_string).collect(),
            estimate_note: ESTIMATE_NOTE.to_string(),
            ..AuditSnapshot::default()
        };
        let mut potential = 0i128;
        // Savings under 1/NOISE of the window's spend are left out: a handful of answers a
        // few tokens past a p99 is not an opportunity anyone should act on.
        let floor = w.total.0 / NOISE;
        let mut ranked: Vec<(&(Kind, u32, u32), &Acc)> = g
            .by_rule
            .iter()
            .filter(|(_, a)| a.saved > 0 && a.saved >= floor)
            .collect();
        for ((kind, _, _), a) in &ranked {
            if !kind.in_potential() {
                continue;
            }
            let lever = snap.by_lever.get_mut(kind.lever());
            lever.savings_usd += Money(a.saved);
            lever.current_usd += Money(a.current);
            lever.requests += a.requests;
            lever.opportunities += 1;
            potential += a.combined;
        }
        let potential = Money(potential.clamp(0, w.total.0.max(0)));
        snap.potential_usd = potential;
        snap.with_all_levers_usd = w.total - potential;
        snap.potential_share = if w.total.0 > 0 {
            potential.0 as f64 / w.total.0 as f64
        } else {
            0.0
        };
        // What adds up to the potential first; alternatives after.
        let names = &store.strings;
        ranked.sort_by(|(ka, a), (kb, b)| {
            kb.0.in_potential()
                .cmp(&ka.0.in_potential())
                .then(b.saved.cmp(&a.saved))
                .then(ka.0.cmp(&kb.0))
                .then_with(|| names.name(ka.1).cmp(names.name(kb.1)))
                .then_with(|| names.name(ka.2).cmp(names.name(kb.2)))
        });
        snap.opportunities = ranked
            .into_iter()
            .take(MAX_OPPORTUNITIES)
            .map(|(&(kind, group, model), a)| {
                self.opportunity(store, kind, group, model, a, p99(model))
            })
            .collect();
        self.lever_notes(&mut snap, w.batch_share);
        snap
    }

    /// Whether savings on these dimensions would be halved again by the Batch API (records
    /// of groups marked async on the standard tier).
    fn halves(&self, dims: &Dims) -> bool {
        !self.marks.is_empty()
            && dims.tier == Tier::Standard
            && self.async_of.get(&(dims.project, dims.tags)) == Some(&true)
    }

    /// One fold over the window's audit cells and the writes that expired unsettled.
    fn gather(&self, store: &Store, now: DateTime<Utc>, from_minute: i64) -> Gathered {
        let mut g = Gathered::default();
        let mut groups = Grouping::new(&self.group, store);
        let mut skipped = Skipped::default();
        for m in self
            .minutes
            .from(store.history.covered_from(from_minute, now))
        {
            skipped.unpriced += m.skipped.unpriced;
            skipped.off_ladder += m.skipped.off_ladder;
            skipped.writes_without_session += m.skipped.writes_without_session;
            for (dims, slot, a) in &m.cells {
                if let Some(kind) = slot.kind() {
                    let halve = kind.lever() != Lever::Batch && self.halves(dims);
                    g.by_rule
                        .entry((kind, groups.of(dims), dims.model))
                        .or_default()
                        .add(a, halve);
                    continue;
                }
                let Some((bucket, simple)) = slot.request_cell() else {
                    continue;
                };
                let model = dims.model as usize;
                if g.histograms.len() <= model {
                    g.histograms.resize(model + 1, [0; BUCKETS]);
                }
                if let Some(c) = g.histograms[model].get_mut(usize::from(bucket)) {
                    *c += u64::from(a.requests);
                }
                if a.saved <= 0 {
                    continue;
                }
                let group = groups.of(dims);
                let whole = Amounts { combined: 0, ..*a };
                g.by_rule
                    .entry((Kind::WholeGroupDown, group, dims.model))
                    .or_default()
                    .add(&whole, false);
                if simple {
                    let candidates = Amounts {
                        combined: a.saved,
                        ..*a
                    };
                    g.by_rule
                        .entry((Kind::SimpleRequests, group, dims.model))
                        .or_default()
                        .add(&candidates, self.halves(dims));
                }
            }
        }
        for w in self.threads.expired(now.timestamp_millis()) {
            if w.minute() < from_minute {
                continue;
            }
            if let Some((kind, a)) = w.outcome(&store.model_prices) {
                g.by_rule
                    .entry((kind, groups.of(&w.dims), w.dims.model))
                    .or_default()
                    .add(&a, self.halves(&w.dims));
            }
        }
        g.skipped = SkippedCounts {
            unpriced_requests: u64::from(skipped.unpriced),
            off_ladder_requests: u64::from(skipped.off_ladder),
            writes_without_session: u64::from(skipped.writes_without_session),
        };
        g
    }

    /// The p99 rule, once each model's p99 bucket is known: the output of requests in the
    /// buckets above it, priced per token above the bucket's bound.
    fn tail(
        &self,
        store: &Store,
        g: &mut Gathered,
        now: DateTime<Utc>,
        from_minute: i64,
        p99: &[Option<usize>],
    ) {
        let mut groups = Grouping::new(&self.group, store);
        for m in self
            .minutes
            .from(store.history.covered_from(from_minute, now))
        {
            for (dims, slot, a) in &m.cells {
                let Some((bucket, _)) = slot.request_cell() else {
                    continue;
                };
                let Some(Some(at)) = p99.get(dims.model as usize) else {
                    continue;
                };
                if usize::from(bucket) <= *at {
                    continue;
                }
                let bound = i64::try_from(BOUNDS.get(*at).copied().unwrap_or(0)).unwrap_or(0);
                let saved = a.output - bound.saturating_mul(a.per_token);
                let tail = Amounts {
                    current: a.output,
                    saved,
                    combined: saved,
                    ..*a
                };
                g.by_rule
                    .entry((Kind::AboveP99, groups.of(dims), dims.model))
                    .or_default()
                    .add(&tail, self.halves(dims));
            }
        }
    }

    fn opportunity(
        &self,
        store: &Store,
        kind: Kind,
        group: u32,
        model: u32,
        a: &Acc,
        p99: Option<usize>,
    ) -> Opportunity {
        let family = |id: u32| {
            store
                .price(id)
                .map_or_else(|| store.strings.name(id).to_string(), |p| p.family.clone())
        };
        let to = match self.routes.get(model as usize) {
            Some(Some(Route::Down(rung))) => {
                self.ladder.rung(*rung).map(|r| r.price.family.clone())
            }
            _ => None,
        };
        let group = match store.strings.name(group) {
            "" => "(none)".to_string(),
            name => name.to_string(),
        };
        let model_name = family(model);
        let (current, saved) = (Money(a.current), Money(a.saved));
        let reason = sentence(&Subject {
            kind,
            group: &group,
            model: &model_name,
            to: to.as_deref(),
            p99: p99.and_then(|i| BOUNDS.get(i).copied()),
            requests: a.requests,
            current,
            saved,
        });
        Opportunity {
            lever: kind.lever(),
            kind,
            group,
            model: model_name,
            current_usd: current,
            savings_usd: saved,
            requests: a.requests,
            reason,
            in_potential: kind.in_potential(),
        }
    }

    /// What else each lever's figure needs said.
    fn lever_notes(&self, snap: &mut AuditSnapshot, batch_share: f64) {
        let s = snap.skipped;
        let mut routing = format!("ladder: {}", snap.ladder.join(" → "));
        if s.off_ladder_requests > 0 {
            let _ = write!(
                routing,
                "; {} requests on models whose tier is not on it were not judged",
                thousands(s.off_ladder_requests)
            );
        }
        snap.by_lever.routing.note = Some(routing);
        if s.writes_without_session > 0 {
            snap.by_lever.caching.note = Some(format!(
                "{} requests with cache writes have no session: the unread-write and 1-hour rules skipped them",
                thousands(s.writes_without_session)
            ));
        }
        let batch = &mut snap.by_lever.batch;
        batch.share_of_cost = Some(batch_share);
        batch.note = Some(if self.marks.is_empty() {
            format!(
                "no group is marked async (the Batch API carries {} of spend): list groups that can wait in the config, e.g. [audit] async = [\"feature=nightly-summaries\", \"project=reports\"]",
                percent(batch_share)
            )
        } else {
            format!("marked async: {}", snap.async_groups.join(", "))
        });
    }
}
