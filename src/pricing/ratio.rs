//! Exact rational multipliers (fast mode ×6, US-only ×1.1, batch ×½, a derived cache price
//! ×1.25) and the exact reading of decimal figures from price files.

use super::Money;

/// A non-negative rational number `num / den`, exact for every multiplier of the price table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Ratio {
    /// Numerator.
    pub(crate) num: i128,
    /// Denominator, always positive.
    pub(crate) den: i128,
}

impl Ratio {
    /// Exactly one.
    pub(crate) const ONE: Ratio = Ratio { num: 1, den: 1 };
    /// Exactly one half (the batch tier).
    pub(crate) const HALF: Ratio = Ratio { num: 1, den: 2 };
    /// Exactly 1.1 (US-only inference, partner-cloud regional endpoints).
    pub(crate) const TEN_PERCENT_MORE: Ratio = Ratio { num: 11, den: 10 };

    /// `num / den`; `den` must be positive.
    pub(crate) const fn new(num: i128, den: i128) -> Ratio {
        Ratio { num, den }
    }

    /// The product of two ratios.
    #[must_use]
    pub(crate) fn times(self, other: Ratio) -> Ratio {
        Ratio {
            num: self.num * other.num,
            den: self.den * other.den,
        }
    }

    /// `tokens × unit × self`, rounded half up to a picodollar: the one rounding of a token
    /// category's cost.
    pub(crate) fn apply(self, tokens: u64, unit: Money) -> Money {
        let num = i128::from(tokens) * unit.0 * self.num;
        // The usual case (stated prices, no multiplier) needs no 128-bit division.
        if self.den == 1 {
            Money(num)
        } else {
            Money((num + self.den / 2).div_euclid(self.den))
        }
    }

    /// The value as a float, for display only.
    pub(crate) fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Reads a decimal figure (`2`, `1.5`, `0.125`) exactly, with at most `max_decimals`
    /// decimal places; `None` when it is negative, not finite, or finer than that.
    pub(crate) fn from_decimal(x: f64, max_decimals: u32) -> Option<Ratio> {
        if !x.is_finite() || x < 0.0 {
            return None;
        }
        let den = 10_i128.pow(max_decimals);
        let scaled = x * den as f64;
        let num = scaled.round();
        // A float read from a decimal literal is within a few ulps of it.
        if (scaled - num).abs() > 1e-6 * scaled.abs().max(1.0) || num > 1e30 {
            return None;
        }
        Some(Ratio::new(num as i128, den).reduced())
    }

    fn reduced(self) -> Ratio {
        let g = gcd(self.num, self.den).max(1);
        Ratio::new(self.num / g, self.den / g)
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_exactly_or_not_at_all() {
        assert_eq!(Ratio::from_decimal(2.0, 4), Some(Ratio::new(2, 1)));
        assert_eq!(Ratio::from_decimal(1.1, 4), Some(Ratio::new(11, 10)));
        assert_eq!(Ratio::from_decimal(0.125, 4), Some(Ratio::new(1, 8)));
        assert_eq!(Ratio::from_decimal(0.000_01, 4), None);
        assert_eq!(Ratio::from_decimal(-1.0, 4), None);
        assert_eq!(Ratio::from_decimal(f64::NAN, 4), None);
    }

    #[test]
    fn apply_rounds_half_up_once() {
        // 3 tokens × 1 picodollar × ½ = 1.5 → 2.
        assert_eq!(Ratio::HALF.apply(3, Money(1)), Money(2));
        assert_eq!(Ratio::new(11, 10).apply(1_000, Money(4)), Money(4_400));
    }
}
