//! The metric families of one scrape: counters from the aggregator's cumulative counters,
//! gauges from the rest of the snapshot, each written through the `prometheus-client`
//! encoder (which names, types and formats them for the scraper's format).

use std::collections::BTreeMap;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeCounterValue, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;

use super::labels::label_name;
use crate::snapshot::{CounterSeries, Snapshot, output_bounds};

/// Encodes one snapshot on each scrape.
#[derive(Debug)]
pub(super) struct SnapshotMetrics(pub(crate) Arc<Snapshot>);

pub(super) type Labels<'a> = Vec<(&'a str, &'a str)>;

/// Writes one metric family: a descriptor, then one sample per label set.
pub(super) fn family<'a, V: Copy>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    kind: MetricType,
    samples: impl IntoIterator<Item = (Labels<'a>, V)>,
    mut write: impl FnMut(&mut prometheus_client::encoding::MetricEncoder, V) -> std::fmt::Result,
) -> std::fmt::Result {
    let mut samples = samples.into_iter().peekable();
    if samples.peek().is_none() {
        return Ok(());
    }
    let mut metric = encoder.encode_descriptor(name, help, unit, kind)?;
    for (labels, value) in samples {
        write(&mut metric.encode_family(&labels)?, value)?;
    }
    Ok(())
}

pub(super) fn counter<'a, V: EncodeCounterValue + Copy>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    samples: impl IntoIterator<Item = (Labels<'a>, V)>,
) -> std::fmt::Result {
    family(
        encoder,
        name,
        help,
        unit,
        MetricType::Counter,
        samples,
        |m, v| m.encode_counter::<NoLabelSet, V, f64>(&v, None),
    )
}

pub(super) fn gauge<'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    samples: impl IntoIterator<Item = (Labels<'a>, f64)>,
) -> std::fmt::Result {
    family(
        encoder,
        name,
        help,
        unit,
        MetricType::Gauge,
        samples,
        |m, v| m.encode_gauge(&v),
    )
}

fn usd() -> Unit {
    Unit::Other("usd".into())
}

/// The labels every cost, request and token series carries.
fn series_labels<'a>(s: &'a CounterSeries, keys: &'a [String]) -> Labels<'a> {
    let mut labels = vec![
        ("model", &*s.model),
        ("tier", s.tier.as_str()),
        ("speed", if s.fast { "fast" } else { "standard" }),
    ];
    for (key, value) in keys.iter().zip(&s.labels) {
        labels.push((key.as_str(), value));
    }
    labels
}

impl Collector for SnapshotMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let snap = &*self.0;
        if let Some(c) = &snap.counters {
            encode_counters(&mut encoder, c)?;
        }
        encode_budgets(&mut encoder, snap)?;
        encode_org(&mut encoder, snap)?;
        encode_window(&mut encoder, snap)?;
        encode_sources(&mut encoder, snap)
    }
}

fn encode_counters(
    e: &mut DescriptorEncoder,
    c: &crate::snapshot::CounterSnapshot,
) -> std::fmt::Result {
    let keys: Vec<String> = c.label_keys.iter().map(|k| label_name(k)).collect();
    let keys = &keys[..];
    counter(
        e,
        "costtop_cost",
        "Cost of the usage counted since costtop started (priced models only)",
        Some(&usd()),
        c.series
            .iter()
            .map(|s| (series_labels(s, keys), s.cost.usd())),
    )?;
    counter(
        e,
        "costtop_requests",
        "API responses counted since costtop started (deduplicated)",
        None,
        c.series
            .iter()
            .map(|s| (series_labels(s, keys), s.requests)),
    )?;
    counter(
        e,
        "costtop_tokens",
        "Tokens counted since costtop started, by billing type",
        None,
        c.series.iter().flat_map(|s| {
            let t = s.tokens;
            [
                ("input", t.input),
                ("output", t.output),
                ("cache_write_5m", t.cache_write_5m),
                ("cache_write_1h", t.cache_write_1h),
                ("cache_read", t.cache_read),
            ]
            .into_iter()
            .map(move |(kind, n)| {
                let mut labels = series_labels(s, keys);
                labels.push(("type", kind));
                (labels, n)
            })
        }),
    )?;
    counter(
        e,
        "costtop_unpriced_requests",
        "Requests of models costtop has no price for (their cost is not in costtop_cost_usd_total)",
        None,
        c.models
            .iter()
            .filter(|m| m.unpriced_requests > 0)
            .map(|m| (vec![("model", &*m.model)], m.unpriced_requests)),
    )?;
    // Classic buckets at each power of two (every other bound of the aggregator's buckets).
    let bounds = output_bounds();
    family(
        e,
        "costtop_request_output",
        "Output tokens per request",
        Some(&Unit::Other("tokens".into())),
        MetricType::Histogram,
        c.models.iter().map(|m| (vec![("model", &*m.model)], m)),
        |metric, m| {
            let mut buckets = Vec::with_capacity(20);
            let mut below = 0;
            for (i, &bound) in bounds.iter().enumerate() {
                if bound.is_power_of_two() {
                    let cumulative = m.output_cumulative.get(i).copied().unwrap_or(below);
                    buckets.push((bound as f64, cumulative.saturating_sub(below)));
                    below = cumulative;
                }
            }
            let count = m.output_cumulative.last().copied().unwrap_or(0);
            metric.encode_histogram::<NoLabelSet>(m.output_sum as f64, count, &buckets, None)
        },
    )
}

/// The org's spend limits beside the budgets, and its rate limits with the latest minute's use.
fn encode_org(e: &mut DescriptorEncoder, snap: &Snapshot) -> std::fmt::Result {
    fn by(s: &crate::snapshot::SpendLimitStatus) -> Labels<'_> {
        vec![
            ("limit", &*s.name),
            ("scope", &*s.scope),
            ("period", &*s.period),
        ]
    }
    fn of(r: &crate::snapshot::RateLimitStatus) -> Labels<'_> {
        vec![("group", &*r.group), ("limiter", &*r.limit_type)]
    }
    let limits = &snap.org.spend_limits;
    let spent = limits.iter().map(|s| {
        let mut l = by(s);
        l.push(("spent_by", &*s.spent_source));
        (l, s.spent.usd())
    });
    let help = "Spent in the spend limit's current period (Anthropic's figure, or costtop's)";
    gauge(e, "costtop_spend_limit_spent", help, Some(&usd()), spent)?;
    let capped = limits.iter().filter_map(|s| Some((by(s), s.limit?.usd())));
    let help = "The organisation's spend limit per period (Spend Limits API)";
    gauge(e, "costtop_spend_limit", help, Some(&usd()), capped)?;
    let rates = &snap.org.rate_limits;
    let help = "A configured rate limit (Rate Limits API)";
    gauge(
        e,
        "costtop_rate_limit",
        help,
        None,
        rates.iter().map(|r| (of(r), r.limit as f64)),
    )?;
    let used = rates.iter().filter_map(|r| Some((of(r), r.used? as f64)));
    let help = "What the latest minute with data used of the rate limit";
    gauge(e, "costtop_rate_limit_used", help, None, used)
}

fn encode_budgets(e: &mut DescriptorEncoder, snap: &Snapshot) -> std::fmt::Result {
    type Field = fn(&crate::snapshot::BudgetStatus) -> f64;
    fn labels(b: &crate::snapshot::BudgetStatus) -> Labels<'_> {
        vec![("budget", b.name.as_str()), ("period", b.period.as_str())]
    }
    let b = &snap.budgets;
    let amounts: [(&str, &str, Field); 3] = [
        (
            "costtop_budget_spent",
            "Spent in the budget's current period",
            |b| b.spent_usd,
        ),
        (
            "costtop_budget_limit",
            "The budget's limit per period",
            |b| b.limit_usd,
        ),
        (
            "costtop_budget_projected",
            "Projected spend at the end of the budget's period",
            |b| b.projected_usd,
        ),
    ];
    for (name, help, field) in amounts {
        gauge(
            e,
            name,
            help,
            Some(&usd()),
            b.iter().map(|b| (labels(b), field(b))),
        )?;
    }
    gauge(
        e,
        "costtop_budget_state",
        "1 for the budget's current state (ok, warn or exceeded), 0 for the others",
        None,
        b.iter().flat_map(|b| {
            ["ok", "warn", "exceeded"].into_iter().map(move |state| {
                let mut l = labels(b);
                l.push(("state", state));
                (l, f64::from(u8::from(b.state == state)))
            })
        }),
    )?;
    let mut active: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for a in &snap.alarms {
        *active.entry((&a.kind, &a.severity)).or_default() += 1.0;
    }
    gauge(
        e,
        "costtop_alarms_active",
        "Active alarms by kind and severity",
        None,
        active
            .into_iter()
            .map(|((kind, severity), n)| (vec![("kind", kind), ("severity", severity)], n)),
    )
}

fn encode_window(e: &mut DescriptorEncoder, snap: &Snapshot) -> std::fmt::Result {
    let window = || vec![("window", snap.window.name.as_str())];
    gauge(
        e,
        "costtop_cache_hit_ratio",
        "Cache reads over all input tokens in the current window",
        None,
        [(window(), snap.cache.hit_ratio)],
    )?;
    gauge(
        e,
        "costtop_batch_cost_ratio",
        "Batch API share of spend in the current window",
        None,
        [(window(), snap.batch.share_of_cost)],
    )?;
    gauge(
        e,
        "costtop_batch_requests_ratio",
        "Batch API share of requests in the current window",
        None,
        [(window(), snap.batch.share_of_requests)],
    )?;
    let s = &snap.spend;
    for (name, help, value) in [
        ("costtop_spend_today", "Spend since local midnight", s.today),
        (
            "costtop_spend_month",
            "Spend since the first of the month",
            s.month,
        ),
        (
            "costtop_spend_projected_today",
            "Projected spend at the end of the day",
            s.projected_today,
        ),
        (
            "costtop_spend_projected_month",
            "Projected spend at the end of the month",
            s.projected_month,
        ),
    ] {
        gauge(e, name, help, Some(&usd()), [(vec![], value.usd())])?;
    }
    gauge(
        e,
        "costtop_burn_rate_usd_per_hour",
        "Spend per hour over the last 15 minutes",
        None,
        [(vec![], snap.burn_rate_usd_per_hour)],
    )
}

fn encode_sources(e: &mut DescriptorEncoder, snap: &Snapshot) -> std::fmt::Result {
    fn name(s: &crate::snapshot::SourceStatus) -> Labels<'_> {
        vec![("source", s.name.as_str())]
    }
    let src = &snap.sources;
    gauge(
        e,
        "costtop_source_up",
        "1 while the source reads normally (ok or done), 0 when stale or failing",
        None,
        src.iter().map(|s| {
            let up = matches!(s.state.as_str(), "ok" | "done");
            (name(s), f64::from(u8::from(up)))
        }),
    )?;
    gauge(
        e,
        "costtop_source_lag",
        "Age of the newest record the source read",
        Some(&Unit::Seconds),
        src.iter().filter_map(|s| {
            let lag = (snap.as_of - s.last_event?).num_milliseconds().max(0);
            Some((name(s), lag as f64 / 1000.0))
        }),
    )?;
    counter(
        e,
        "costtop_source_records",
        "Lines, buckets or OTLP records the source read",
        None,
        src.iter().map(|s| (name(s), s.lines)),
    )?;
    counter(
        e,
        "costtop_source_parse_errors",
        "Lines or OTLP records the source could not read (OTLP: rejected records)",
        None,
        src.iter().map(|s| (name(s), s.parse_errors)),
    )?;
    counter(
        e,
        "costtop_source_rejected_payloads",
        "OTLP payloads refused whole (undecodable, too large, unauthorised, nothing usable)",
        None,
        src.iter()
            .filter_map(|s| Some((name(s), s.receiver?.rejected_payloads))),
    )?;
    gauge(
        e,
        "costtop_source_senders",
        "Distinct OTLP senders seen",
        None,
        src.iter()
            .filter_map(|s| Some((name(s), s.receiver?.senders as f64))),
    )
}
