//! Output-token histograms on log-scale buckets (two per octave), with percentiles.

use super::snapshot::HistogramBucket;

/// Inclusive upper bounds of the buckets: 1, 2, 3, 4, 6, 8, 12, 16, … 131,072, then "more".
pub const BOUNDS: [u64; 34] = {
    let mut b = [0u64; 34];
    b[0] = 1;
    b[1] = 2;
    let mut i = 2;
    let mut base = 2u64;
    while i < 34 {
        b[i] = base + base / 2;
        if i + 1 < 34 {
            b[i + 1] = base * 2;
        }
        base *= 2;
        i += 2;
    }
    b
};

/// Number of buckets, including the overflow bucket above the last bound.
pub const BUCKETS: usize = BOUNDS.len() + 1;

/// The bucket a value falls in.
pub fn bucket_of(value: u64) -> u8 {
    BOUNDS.partition_point(|&b| b < value) as u8
}

/// Counts per bucket, plus the largest value seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
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
    pub fn add(&mut self, bucket: u8, count: u64) {
        if let Some(c) = self.counts.get_mut(usize::from(bucket)) {
            *c += count;
        }
    }

    /// Notes a maximum candidate.
    pub fn observe_max(&mut self, value: u64) {
        self.max = self.max.max(value);
    }

    /// Merges another histogram in.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.max = self.max.max(other.max);
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Largest value seen.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The upper bound of the bucket holding the `q` quantile (0–1), capped at the maximum.
    pub fn quantile(&self, q: f64) -> u64 {
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
    pub fn buckets(&self) -> Vec<HistogramBucket> {
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
