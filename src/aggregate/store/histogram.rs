//! Output-token histograms on the snapshot's log-scale buckets, with percentiles.

use crate::snapshot::{BOUNDS, BUCKETS, HistogramBucket};

/// Counts per bucket, plus the largest value seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Histogram {
    counts: [u64; BUCKETS],
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: [0; BUCKETS],
            max: 0,
        }
    }
}

impl Histogram {
    /// Adds `count` values in `bucket`.
    pub(crate) fn add(&mut self, bucket: u8, count: u64) {
        if let Some(c) = self.counts.get_mut(usize::from(bucket)) {
            *c += count;
        }
    }

    /// Notes a maximum candidate.
    pub(crate) fn observe_max(&mut self, value: u64) {
        self.max = self.max.max(value);
    }

    /// Values counted.
    pub(crate) fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Largest value seen.
    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// The upper bound of the bucket holding the `q` quantile (0–1), capped at the maximum.
    pub(crate) fn quantile(&self, q: f64) -> u64 {
        let n = self.count();
        if n == 0 {
            return 0;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let bound = BOUNDS.get(i).copied().unwrap_or(u64::MAX);
                return bound.min(self.max);
            }
        }
        self.max
    }

    /// Non-empty buckets for the snapshot, from the first to the last non-empty one.
    pub(crate) fn buckets(&self) -> Vec<HistogramBucket> {
        let first = self.counts.iter().position(|&c| c > 0);
        let last = self.counts.iter().rposition(|&c| c > 0);
        match (first, last) {
            (Some(a), Some(b)) => (a..=b)
                .map(|i| HistogramBucket {
                    le: BOUNDS.get(i).copied().unwrap_or(u64::MAX),
                    count: self.counts[i],
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::bucket_of;

    #[test]
    fn bounds_are_two_per_octave() {
        assert_eq!(&BOUNDS[..8], &[1, 2, 3, 4, 6, 8, 12, 16]);
        assert_eq!(BOUNDS[33], 131_072);
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(5), 4);
        assert_eq!(bucket_of(6), 4);
        assert_eq!(bucket_of(1_000_000), 34);
    }

    #[test]
    fn quantiles_report_bucket_bounds_capped_at_max() {
        let mut h = Histogram::default();
        for v in [10, 10, 10, 10, 10, 10, 10, 10, 10, 5000] {
            h.add(bucket_of(v), 1);
            h.observe_max(v);
        }
        assert_eq!(h.quantile(0.5), 12);
        assert_eq!(h.quantile(0.9), 12);
        assert_eq!(h.quantile(0.99), 5000);
        assert_eq!(h.max(), 5000);
    }
}
