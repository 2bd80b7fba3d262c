//! A tiny deterministic random number generator (SplitMix64): same seed, same numbers, on
//! every platform and every run.

/// SplitMix64: a 64-bit state advanced by a constant, then mixed. Fast, and good enough
/// for a simulation (not for anything secret).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Mixes a 64-bit value into a well-spread one (SplitMix64's finaliser).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for one stream: the seed and any number of labels (minute, service…),
    /// so each stream is independent of how many numbers other streams drew.
    pub(crate) fn for_stream(seed: u64, labels: &[u64]) -> Rng {
        let state = labels
            .iter()
            .fold(mix(seed), |acc, l| mix(acc ^ mix(l.wrapping_add(GAMMA))));
        Rng(state)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform integer in `[0, n)` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A positive value around `median`, spread log-normally (`spread` 0.5 ≈ ×/÷ 1.6 at one
    /// sigma), as token counts are: most requests near the median, a long tail above.
    pub(crate) fn around(&mut self, median: f64, spread: f64) -> u64 {
        // Sum of three uniforms: a cheap bell curve with unit variance after scaling.
        let bell = (self.unit() + self.unit() + self.unit() - 1.5) * 2.0;
        (median * (spread * bell).exp()).round().max(1.0) as u64
    }

    /// How many events happen in an interval where `mean` are expected: the integer part,
    /// plus one more with the fractional part's probability, jittered ±25%.
    pub(crate) fn count(&mut self, mean: f64) -> u64 {
        let jittered = (mean * self.range(0.75, 1.25)).max(0.0);
        let whole = jittered.floor();
        whole as u64 + u64::from(self.chance(jittered - whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stream_gives_same_numbers() {
        let mut a = Rng::for_stream(7, &[1, 2]);
        let mut b = Rng::for_stream(7, &[1, 2]);
        let mut c = Rng::for_stream(7, &[2, 1]);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn unit_stays_in_range_and_averages_a_half() {
        let mut r = Rng::for_stream(1, &[]);
        let n = 10_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        assert!((sum / f64::from(n) - 0.5).abs() < 0.02);
    }

    #[test]
    fn count_matches_the_mean_on_average() {
        let mut r = Rng::for_stream(3, &[]);
        let total: u64 = (0..10_000).map(|_| r.count(2.4)).sum();
        let mean = total as f64 / 10_000.0;
        assert!((mean - 2.4).abs() < 0.1, "{mean}");
    }
}
