//! The proxy's metric families, from its source status in the snapshot: requests by status
//! and by who answered, what it could not account for, cancellations, clients, and the
//! latency it added.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;

use super::families::{Labels, counter, family, gauge};
use crate::snapshot::{Snapshot, SourceStatus};
use crate::usage::ProxyCounts;

/// Encodes the proxy's families of one snapshot (nothing when no proxy runs).
fn source(s: &SourceStatus) -> Labels<'_> {
    vec![("source", s.name.as_str())]
}

#[derive(Debug)]
pub(super) struct ProxyMetrics(pub(super) Arc<Snapshot>);

impl Collector for ProxyMetrics {
    fn encode(&self, mut e: DescriptorEncoder) -> std::fmt::Result {
        let proxies: Vec<(&SourceStatus, &ProxyCounts)> = self
            .0
            .sources
            .iter()
            .filter_map(|s| Some((s, s.proxy.as_deref()?)))
            .collect();
        let e = &mut e;
        let statuses: Vec<(String, &SourceStatus, bool, u64)> = proxies
            .iter()
            .flat_map(|(s, p)| {
                p.by_status
                    .iter()
                    .map(move |c| (c.status.to_string(), *s, c.from_proxy, c.count))
            })
            .collect();
        counter(
            e,
            "costtop_proxy_requests",
            "Responses the proxy sent, by status and by who answered (upstream, or the proxy itself)",
            None,
            statuses.iter().map(|(status, s, own, n)| {
                let mut l = source(s);
                l.push(("status", status.as_str()));
                l.push(("answered_by", if *own { "proxy" } else { "upstream" }));
                (l, *n)
            }),
        )?;
        counter(
            e,
            "costtop_proxy_unaccounted",
            "Responses (or parts of them) the proxy passed on but could not count",
            None,
            proxies.iter().map(|(s, _)| (source(s), s.parse_errors)),
        )?;
        counter(
            e,
            "costtop_proxy_cancelled",
            "Exchanges the client ended before the response did (the upstream request was cancelled)",
            None,
            proxies.iter().map(|(s, p)| (source(s), p.cancelled)),
        )?;
        counter(
            e,
            "costtop_proxy_oversized_events",
            "Streamed usage events larger than the proxy reads (forwarded, not counted)",
            None,
            proxies.iter().map(|(s, p)| (source(s), p.oversized_events)),
        )?;
        gauge(
            e,
            "costtop_proxy_clients",
            "Distinct clients (program and API key fingerprint) seen by the proxy",
            None,
            proxies.iter().map(|(s, p)| (source(s), p.clients as f64)),
        )?;
        family(
            e,
            "costtop_proxy_added_latency",
            "Time the proxy added to a request: its own work before forwarding and after the upstream answered",
            Some(&Unit::Seconds),
            MetricType::Histogram,
            proxies.iter().map(|(s, p)| (source(s), *p)),
            |metric, p| {
                let h = &p.added_latency;
                let mut below = 0;
                let buckets: Vec<(f64, u64)> = h
                    .buckets_us
                    .iter()
                    .map(|(bound, cumulative)| {
                        let n = cumulative.saturating_sub(below);
                        below = *cumulative;
                        (*bound as f64 / 1e6, n)
                    })
                    .collect();
                let sum = h.sum_us as f64 / 1e6;
                metric.encode_histogram::<NoLabelSet>(sum, h.count, &buckets, None)
            },
        )
    }
}
