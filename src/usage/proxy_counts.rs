//! What the proxy reports beside its records and accounting failures: where it listens and
//! forwards, the requests it passed by status, its clients, cancellations, and the latency it
//! added. Carried in its [`SourceHealth`](super::SourceHealth) to the snapshot, the sources
//! pane, the JSON `sources[]` and `/metrics`.

use serde::{Deserialize, Serialize};

/// Upper bounds (microseconds) of the added-latency histogram's buckets; the last is +Inf.
pub(crate) const LATENCY_BOUNDS_US: [u64; 10] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000, 250_000,
];

/// The proxy's counts (cumulative since it started).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProxyCounts {
    /// The address it listens on (`127.0.0.1:9872`).
    pub listen: String,
    /// The upstream it forwards to (`api.anthropic.com`, with a port or path when it has one).
    pub upstream: String,
    /// Requests received (forwarded, or answered by the proxy itself).
    pub requests: u64,
    /// Distinct clients seen: client program and API key fingerprint.
    pub clients: u64,
    /// Responses with an error status (from the upstream, or the proxy's own 4xx/5xx).
    pub errors: u64,
    /// Exchanges the client gave up on before the response ended (the upstream request was
    /// cancelled; nothing was counted for them).
    pub cancelled: u64,
    /// Streams whose `message_start` or `message_delta` was larger than the proxy reads:
    /// forwarded, not counted.
    pub oversized_events: u64,
    /// Responses by status and by who answered.
    pub by_status: Vec<StatusCount>,
    /// What the proxy added to each request's latency (its own work before forwarding and
    /// after the upstream answered).
    pub added_latency: LatencyHistogram,
}

/// Responses of one status from one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    /// The HTTP status.
    pub status: u16,
    /// `true`: the proxy answered itself (unreachable upstream, refused request); `false`:
    /// the upstream's answer, passed on.
    pub from_proxy: bool,
    /// Responses.
    pub count: u64,
}

/// A cumulative histogram of durations, in microseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Cumulative counts at each of [`LATENCY_BOUNDS_US`]'s bounds (the `+Inf` bucket is
    /// `count`).
    pub buckets_us: Vec<(u64, u64)>,
    /// Sum of all observations.
    pub sum_us: u64,
    /// Observations.
    pub count: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            buckets_us: LATENCY_BOUNDS_US.iter().map(|b| (*b, 0)).collect(),
            sum_us: 0,
            count: 0,
        }
    }
}

impl LatencyHistogram {
    /// Counts one observation.
    pub(crate) fn observe(&mut self, micros: u64) {
        self.count += 1;
        self.sum_us = self.sum_us.saturating_add(micros);
        for (bound, n) in &mut self.buckets_us {
            if micros <= *bound {
                *n += 1;
            }
        }
    }
}

impl ProxyCounts {
    /// Counts one response of `status`.
    pub(crate) fn answered(&mut self, status: u16, from_proxy: bool) {
        if status >= 400 {
            self.errors += 1;
        }
        if let Some(s) = self
            .by_status
            .iter_mut()
            .find(|s| s.status == status && s.from_proxy == from_proxy)
        {
            s.count += 1;
        } else {
            self.by_status.push(StatusCount {
                status,
                from_proxy,
                count: 1,
            });
            self.by_status.sort_by_key(|s| (s.status, s.from_proxy));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_statuses_sorted() {
        let mut h = LatencyHistogram::default();
        for us in [10, 60, 60, 300_000] {
            h.observe(us);
        }
        assert_eq!(h.buckets_us[0], (50, 1));
        assert_eq!(h.buckets_us[1], (100, 3));
        assert_eq!(h.buckets_us[9], (250_000, 3));
        assert_eq!((h.count, h.sum_us), (4, 300_130));
        let mut c = ProxyCounts::default();
        for (status, own) in [(200, false), (502, true), (200, false), (429, false)] {
            c.answered(status, own);
        }
        let order: Vec<(u16, u64)> = c.by_status.iter().map(|s| (s.status, s.count)).collect();
        assert_eq!(order, [(200, 2), (429, 1), (502, 1)]);
        assert_eq!(c.errors, 2);
    }
}
