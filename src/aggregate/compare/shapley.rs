//! The Shapley split of a change over seven factors, in integer picodollars.
//!
//! `cost[mask]` is what a group would have cost with the factors whose bit is set in `mask`
//! taken from period B and the others from A (so `cost[0]` is A's cost and `cost[127]` B's).
//! A factor's effect is its marginal contribution `cost[S ∪ {i}] − cost[S]` averaged over
//! every order in which the seven factors can change from A to B:
//!
//! ```text
//! effect_i = Σ over S ⊆ factors∖{i} of |S|!·(6−|S|)!/7! · (cost[S ∪ {i}] − cost[S])
//! ```
//!
//! The weights are multiples of 1/5040, so `5040 · effect_i` is an integer and the exact
//! effects add up to `cost[127] − cost[0]`. Each is rounded half away from zero to a
//! picodollar; what rounding leaves over (at most 3 pµ$) goes to the effect of the largest
//! magnitude, the first in [`Effects::NAMES`](crate::snapshot::Effects::NAMES) order on a
//! tie. Both rules commute with negation and swapping A and B maps `cost[mask]` to
//! `cost[127 ^ mask]`, so a swap negates every effect exactly.

/// The number of factors.
pub(super) const FACTORS: usize = 7;
/// The number of ways to take each factor from A or B.
pub(super) const MASKS: usize = 1 << FACTORS;

/// `k!·(6−k)!`: the weight of a coalition of `k` other factors, times 7! = 5040.
const WEIGHTS: [i128; FACTORS] = [720, 120, 48, 36, 48, 120, 720];
/// 7!.
const ORDERS: i128 = 5040;

/// The effects of the seven factors, exact integers adding up to `cost[127] − cost[0]`.
pub(super) fn split(cost: &[i128; MASKS]) -> [i128; FACTORS] {
    let mut scaled = [0_i128; FACTORS];
    for (i, sum) in scaled.iter_mut().enumerate() {
        let bit = 1 << i;
        for mask in (0..MASKS).filter(|m| m & bit == 0) {
            let others = mask.count_ones() as usize;
            *sum += WEIGHTS[others] * (cost[mask | bit] - cost[mask]);
        }
    }
    let mut effects = scaled.map(|n| round_half_away(n, ORDERS));
    let residue = cost[MASKS - 1] - cost[0] - effects.iter().sum::<i128>();
    // The largest magnitude; the first of equals (`max_by_key` keeps the last, so reverse).
    let largest = (0..FACTORS)
        .rev()
        .max_by_key(|&i| scaled[i].unsigned_abs())
        .unwrap_or(0);
    effects[largest] += residue;
    effects
}

/// `n / d` rounded half away from zero (`d` positive).
pub(super) fn round_half_away(n: i128, d: i128) -> i128 {
    let q = (n.abs() + d / 2) / d;
    if n < 0 { -q } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Costs from a function of the mask.
    fn costs(f: impl FnMut(usize) -> i128) -> [i128; MASKS] {
        std::array::from_fn(f)
    }

    #[test]
    fn a_factor_alone_takes_the_whole_change() {
        // Only factor 3 matters: 100 with A's value, 160 with B's.
        let c = costs(|m| if m & 8 == 0 { 100 } else { 160 });
        assert_eq!(split(&c), [0, 0, 0, 60, 0, 0, 0]);
    }

    #[test]
    fn two_factors_in_a_product_share_the_interaction_equally() {
        // cost = volume × price: 10 × 5 in A, 20 × 8 in B. Volume: ((20−10)·5 + (20−10)·8)/2
        // = 65; price: ((8−5)·10 + (8−5)·20)/2 = 45; 65 + 45 = 160 − 50.
        let c = costs(|m| {
            let volume = if m & 1 == 0 { 10 } else { 20 };
            let price = if m & 64 == 0 { 5 } else { 8 };
            volume * price
        });
        assert_eq!(split(&c), [65, 0, 0, 0, 0, 0, 45]);
    }

    #[test]
    fn effects_add_up_and_a_swap_negates_them_whatever_the_costs() {
        // A cost surface with no structure: every rounding and the residue are exercised.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..200 {
            let c = costs(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                i128::from(seed % 1_000_003) - 500_000
            });
            let e = split(&c);
            assert_eq!(e.iter().sum::<i128>(), c[MASKS - 1] - c[0]);
            let swapped = costs(|m| c[(MASKS - 1) ^ m]);
            assert_eq!(split(&swapped), e.map(|x| -x));
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away(5, 2), 3);
        assert_eq!(round_half_away(-5, 2), -3);
        assert_eq!(round_half_away(4, 3), 1);
        assert_eq!(round_half_away(-4, 3), -1);
    }
}
