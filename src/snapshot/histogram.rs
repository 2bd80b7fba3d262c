//! The output-token histogram's buckets (log scale, two per octave), shared by the rollups,
//! the snapshot and `/metrics`.

use serde::{Deserialize, Serialize};

/// Inclusive upper bounds of the buckets: 1, 2, 3, 4, 6, 8, 12, 16, … 131,072, then "more".
pub(crate) const BOUNDS: [u64; 34] = {
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
pub(crate) const BUCKETS: usize = BOUNDS.len() + 1;

/// The bucket a value falls in.
pub(crate) fn bucket_of(value: u64) -> u8 {
    BOUNDS.partition_point(|&b| b < value) as u8
}

/// One histogram bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramBucket {
    /// Upper bound (inclusive) of the bucket, in tokens.
    pub(crate) le: u64,
    /// Requests in the bucket.
    pub count: u64,
}
