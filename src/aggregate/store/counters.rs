//! Monotonic counters for `/metrics`: cumulative totals since start by model, service tier,
//! speed and opt-in tag labels, held at their high-water mark so that a record replaced by a
//! more complete copy never makes a series go down (Prometheus would read that as a reset).
//!
//! Each series keeps two sets of figures: the true cumulative totals (a replacement retracts
//! the old copy and adds the new one, exactly like the rollups) and the exported ones, which
//! only ever rise to meet the true totals. A placeholder's output tokens counted a moment too
//! early therefore stay counted until the true total passes them, and never more than that.

use std::sync::Arc;

use foldhash::HashMap;
use smallvec::SmallVec;

use super::intern::{Interner, TagSets};
use super::rollup::Contribution;
use crate::pricing::Money;
use crate::snapshot::{BUCKETS, CounterSeries, CounterSnapshot, ModelCounters};
use crate::usage::{Tier, Tokens};

/// Series per metric before new label values fold into `other`.
pub(crate) const DEFAULT_MAX_SERIES: usize = 500;

/// The label value (and model) that series beyond the cap fold into.
pub(crate) const OTHER: &str = "other";

/// Series past the cap that may still keep their model (with tag labels folded), before the
/// model folds into `other` too: bounds the metric at `max_series + OVERFLOW_ROOM + 6`.
const OVERFLOW_ROOM: usize = 50;

/// Interner id standing for [`OTHER`] in a series key.
const OTHER_ID: u32 = u32::MAX;

/// Which counters to keep: only runs with an HTTP listener ask for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterOptions {
    /// Tag keys that become extra labels (`--metrics-label feature`).
    pub labels: Vec<String>,
    /// Series per metric before new label values fold into `other`.
    pub max_series: usize,
}

impl Default for CounterOptions {
    fn default() -> Self {
        CounterOptions {
            labels: Vec::new(),
            max_series: DEFAULT_MAX_SERIES,
        }
    }
}

/// One series' identity: interned model and tag-label values (or [`OTHER_ID`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SeriesKey {
    model: u32,
    tier: Tier,
    fast: bool,
    labels: SmallVec<[u32; 2]>,
}

/// Money, requests and tokens of one series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Figures {
    cost: Money,
    requests: u64,
    tokens: Tokens,
}

impl Figures {
    fn apply(&mut self, c: &Contribution, add: bool) {
        let cost = c.cost.map_or(Money::ZERO, |x| x.total);
        if add {
            self.cost += cost;
            self.requests += c.requests;
            self.tokens += c.tokens;
        } else {
            self.cost -= cost;
            self.requests = self.requests.saturating_sub(c.requests);
            self.tokens -= c.tokens;
        }
    }

    /// Raises each figure to `truth` where `truth` is higher.
    fn raise_to(&mut self, truth: &Figures) {
        let (t, s) = (&truth.tokens, &mut self.tokens);
        self.cost = self.cost.max(truth.cost);
        self.requests = self.requests.max(truth.requests);
        s.input = s.input.max(t.input);
        s.cache_write_5m = s.cache_write_5m.max(t.cache_write_5m);
        s.cache_write_1h = s.cache_write_1h.max(t.cache_write_1h);
        s.cache_read = s.cache_read.max(t.cache_read);
        s.output = s.output.max(t.output);
        s.web_search_requests = s.web_search_requests.max(t.web_search_requests);
    }
}

/// True and exported figures of a series.
#[derive(Debug, Clone, Copy, Default)]
struct Series {
    truth: Figures,
    shown: Figures,
}

/// Per-model counters: unpriced requests and the output-token histogram.
#[derive(Debug, Clone)]
struct ModelSeries {
    unpriced_truth: u64,
    unpriced_shown: u64,
    /// True requests per histogram bucket (not cumulative).
    buckets: [u64; BUCKETS],
    output_sum: u64,
    /// Exported cumulative counts per bucket (the last is `+Inf`, the request count).
    shown_cumulative: [u64; BUCKETS],
    shown_sum: u64,
}

impl Default for ModelSeries {
    fn default() -> Self {
        ModelSeries {
            unpriced_truth: 0,
            unpriced_shown: 0,
            buckets: [0; BUCKETS],
            output_sum: 0,
            shown_cumulative: [0; BUCKETS],
            shown_sum: 0,
        }
    }
}

impl ModelSeries {
    fn apply(&mut self, c: &Contribution, add: bool) {
        let unpriced = if c.cost.is_none() { c.requests } else { 0 };
        let bucket = c.output_bucket.map(usize::from);
        if add {
            self.unpriced_truth += unpriced;
            if let Some(b) = bucket.and_then(|b| self.buckets.get_mut(b)) {
                *b += 1;
                self.output_sum += c.tokens.output;
            }
        } else {
            self.unpriced_truth = self.unpriced_truth.saturating_sub(unpriced);
            if let Some(b) = bucket.and_then(|b| self.buckets.get_mut(b)) {
                *b = b.saturating_sub(1);
                self.output_sum = self.output_sum.saturating_sub(c.tokens.output);
            }
        }
        self.unpriced_shown = self.unpriced_shown.max(self.unpriced_truth);
        // Holding each *cumulative* count at its high-water mark keeps the histogram valid:
        // a bound's count never exceeds a higher bound's, and `+Inf` never goes down.
        let mut running = 0;
        for (shown, n) in self.shown_cumulative.iter_mut().zip(self.buckets) {
            running += n;
            *shown = (*shown).max(running);
        }
        self.shown_sum = self.shown_sum.max(self.output_sum);
    }
}

/// The aggregator's monotonic counters (owned by `State`).
#[derive(Debug, Clone)]
pub(crate) struct Counters {
    options: CounterOptions,
    /// Interned ids of the label tag keys, in `options.labels` order.
    label_keys: Vec<u32>,
    series: HashMap<SeriesKey, Series>,
    models: HashMap<u32, ModelSeries>,
}

impl Counters {
    /// Empty counters; the label keys are interned so tag pairs can be matched by id.
    pub(crate) fn new(options: CounterOptions, strings: &mut Interner) -> Counters {
        let label_keys = options.labels.iter().map(|k| strings.intern(k)).collect();
        Counters {
            options,
            label_keys,
            series: HashMap::default(),
            models: HashMap::default(),
        }
    }

    /// Counts (`add`) or retracts one contribution. The model map is capped like the series.
    pub(crate) fn apply(&mut self, tags: &TagSets, c: &Contribution, add: bool) {
        let pairs = tags.pairs(c.dims.tags);
        let labels = self
            .label_keys
            .iter()
            .map(|key| pairs.iter().find(|(k, _)| k == key).map_or(0, |(_, v)| *v))
            .collect();
        let key = self.capped(SeriesKey {
            model: c.dims.model,
            tier: c.dims.tier,
            fast: c.fast,
            labels,
        });
        let series = self.series.entry(key).or_default();
        series.truth.apply(c, add);
        series.shown.raise_to(&series.truth);
        let model = if self.models.len() >= self.options.max_series
            && !self.models.contains_key(&c.dims.model)
        {
            OTHER_ID
        } else {
            c.dims.model
        };
        self.models.entry(model).or_default().apply(c, add);
    }

    /// The key a record is counted under: its own, or folded into `other` once the metric
    /// has `max_series` series (tag labels first, then the model). Series are never removed,
    /// so a record's retraction folds exactly as its addition did.
    fn capped(&self, mut key: SeriesKey) -> SeriesKey {
        let full = |k: &SeriesKey, room: usize| {
            self.series.len() >= self.options.max_series + room && !self.series.contains_key(k)
        };
        if full(&key, 0) {
            key.labels.iter_mut().for_each(|v| *v = OTHER_ID);
        }
        if full(&key, OVERFLOW_ROOM) {
            key.model = OTHER_ID;
        }
        key
    }

    /// The exported figures with names resolved, sorted for stable output.
    pub(crate) fn export(&self, strings: &Interner) -> CounterSnapshot {
        let name = |id: u32| -> Arc<str> {
            match id {
                OTHER_ID => Arc::from(OTHER),
                0 => Arc::from(""),
                _ => strings.arc(id),
            }
        };
        let mut series: Vec<CounterSeries> = self
            .series
            .iter()
            .map(|(k, s)| CounterSeries {
                model: name(k.model),
                tier: k.tier,
                fast: k.fast,
                labels: k.labels.iter().map(|&v| name(v)).collect(),
                cost: s.shown.cost,
                requests: s.shown.requests,
                tokens: s.shown.tokens,
            })
            .collect();
        series.sort_by(|a, b| {
            (&a.model, a.tier, a.fast, &a.labels).cmp(&(&b.model, b.tier, b.fast, &b.labels))
        });
        let mut models: Vec<ModelCounters> = self
            .models
            .iter()
            .map(|(&id, m)| ModelCounters {
                model: name(id),
                unpriced_requests: m.unpriced_shown,
                output_cumulative: m.shown_cumulative.to_vec(),
                output_sum: m.shown_sum,
            })
            .collect();
        models.sort_by(|a, b| a.model.cmp(&b.model));
        CounterSnapshot {
            label_keys: self.options.labels.clone(),
            series,
            models,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::store::rollup::Dims;
    use crate::pricing::Cost;
    use crate::snapshot::{BOUNDS, bucket_of};

    fn contribution(model: u32, output: u64, cost_picos: i128, tags: u32) -> Contribution {
        Contribution {
            dims: Dims {
                model,
                project: 0,
                session: 0,
                tags,
                tier: Tier::Standard,
            },
            tokens: Tokens {
                input: 10,
                output,
                ..Tokens::default()
            },
            requests: 1,
            cost: Some(Cost {
                total: Money(cost_picos),
                ..Cost::default()
            }),
            output_bucket: Some(bucket_of(output)),
            max_tokens: false,
            fast: false,
        }
    }

    fn counters(labels: &[&str], max_series: usize) -> (Counters, Interner, TagSets) {
        let mut strings = Interner::new();
        strings.intern("opus");
        let options = CounterOptions {
            labels: labels.iter().map(ToString::to_string).collect(),
            max_series,
        };
        (
            Counters::new(options, &mut strings),
            strings,
            TagSets::default(),
        )
    }

    #[test]
    fn a_replacement_that_lowers_a_figure_holds_it_until_the_truth_passes_it() {
        let (mut c, strings, tags) = counters(&[], 10);
        // A placeholder with 900 output tokens replaced by a final record with 40.
        c.apply(&tags, &contribution(1, 900, 50, 0), true);
        c.apply(&tags, &contribution(1, 900, 50, 0), false);
        c.apply(&tags, &contribution(1, 40, 30, 0), true);
        let s = c.export(&strings);
        assert_eq!(s.series[0].tokens.output, 900);
        assert_eq!(s.series[0].cost, Money(50));
        assert_eq!(s.series[0].requests, 1);
        // Later records raise the truth above the mark: the counter follows it exactly.
        c.apply(&tags, &contribution(1, 1000, 100, 0), true);
        let s = c.export(&strings);
        assert_eq!(s.series[0].tokens.output, 1040);
        assert_eq!(s.series[0].cost, Money(130));
        assert_eq!(s.series[0].requests, 2);
        let m = &s.models[0];
        assert_eq!(*m.output_cumulative.last().unwrap(), 2);
        // The placeholder's bucket (≤ 1024) is held at one while the truth there is two.
        let le_1024 = BOUNDS.iter().position(|&b| b == 1024).unwrap();
        assert_eq!(m.output_cumulative[le_1024], 2);
        assert!(m.output_cumulative.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn label_values_beyond_the_cap_fold_into_other() {
        let (mut c, mut strings, mut tags) = counters(&["feature"], 3);
        let key = strings.intern("feature");
        for n in 0..10 {
            let value = strings.intern(&format!("f{n}"));
            let set = tags.intern(&[(key, value)]);
            c.apply(&tags, &contribution(1, 5, 1, set), true);
        }
        let s = c.export(&strings);
        let labels: Vec<&str> = s.series.iter().map(|x| &*x.labels[0]).collect();
        assert_eq!(labels, ["f0", "f1", "f2", "other"]);
        assert_eq!(s.series.iter().map(|x| x.requests).sum::<u64>(), 10);
        assert_eq!(s.series[3].requests, 7);
    }
}
