//! `Money`: exact amounts in picodollars, shared by pricing, sources (billed costs) and every
//! output. Dollars appear only at the edge ([`Money::usd`], `Display`, JSON).

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact amount of money in picodollars (10⁻¹² USD). One token at $1 per million
/// tokens costs exactly 1,000,000 picodollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i128);

/// Picodollars in one dollar.
pub(crate) const PICOS_PER_USD: i128 = 1_000_000_000_000;

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// From a dollar amount, rounded to the nearest picodollar (config and price files).
    pub fn from_usd(usd: f64) -> Money {
        Money((usd * PICOS_PER_USD as f64).round() as i128)
    }

    /// From whole cents given as a decimal string, e.g. the Admin API's `"123.45"` (cents).
    pub fn from_cents_str(s: &str) -> Option<Money> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 10
        {
            return None;
        }
        // One cent is 10^10 picodollars: the fraction has at most 10 digits.
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut frac_picos: i128 = 0;
        if !frac.is_empty() {
            frac_picos = frac.parse::<i128>().ok()? * 10_i128.pow(10 - frac.len() as u32);
        }
        let picos = whole.checked_mul(10_000_000_000)?.checked_add(frac_picos)?;
        Some(Money(if neg { -picos } else { picos }))
    }

    /// The amount in dollars, for display and JSON only.
    pub fn usd(self) -> f64 {
        self.0 as f64 / PICOS_PER_USD as f64
    }

    /// The amount split over `n` (cost per unit), rounded half away from zero to a
    /// picodollar; `None` when `n` is zero.
    pub(crate) fn per(self, n: u64) -> Option<Money> {
        let n = i128::from(n);
        (n > 0).then(|| {
            let half = n / 2;
            if self.0 >= 0 {
                Money((self.0 + half) / n)
            } else {
                Money(-((-self.0 + half) / n))
            }
        })
    }

    /// Rounded to the nearest cent, as whole cents.
    pub fn cents(self) -> i128 {
        let unit = PICOS_PER_USD / 100;
        let half = unit / 2;
        if self.0 >= 0 {
            (self.0 + half) / unit
        } else {
            -((-self.0 + half) / unit)
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// Dollars with cents; more digits below a dollar so small spends stay visible
/// (`$1,234.56`, `$0.0421`, `$0.000125`).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let usd = self.usd();
        let sign = if usd < 0.0 { "-" } else { "" };
        let abs = usd.abs();
        if abs >= 1.0 || abs == 0.0 {
            let cents = self.cents().unsigned_abs();
            let dollars = crate::format::thousands(cents / 100);
            write!(f, "{sign}${dollars}.{:02}", cents % 100)
        } else if abs >= 0.01 {
            write!(f, "{sign}${abs:.4}")
        } else {
            write!(f, "{sign}${abs:.6}")
        }
    }
}

/// Serialised as a JSON number of dollars.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(round_usd(self.usd()))
    }
}

/// Read back from a JSON number of dollars (a snapshot received from another costtop), to
/// the nearest picodollar: what [`Serialize`] wrote, it writes again unchanged.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let usd = f64::deserialize(d)?;
        if usd.is_finite() {
            Ok(Money::from_usd(usd))
        } else {
            Err(serde::de::Error::custom(
                "an amount of dollars must be finite",
            ))
        }
    }
}

/// Rounds a dollar amount for JSON to 10 decimal places, so output is stable and free of
/// binary noise such as `0.30000000000000004`.
pub fn round_usd(usd: f64) -> f64 {
    (usd * 1e10).round() / 1e10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_dollars_and_small_amounts() {
        assert_eq!(Money::from_usd(1234.567).to_string(), "$1,234.57");
        assert_eq!(Money::from_usd(0.0421).to_string(), "$0.0421");
        assert_eq!(Money::from_usd(0.000_125).to_string(), "$0.000125");
        assert_eq!(Money::ZERO.to_string(), "$0.00");
        assert_eq!(Money::from_usd(-2.5).to_string(), "-$2.50");
    }

    #[test]
    fn an_amount_splits_over_units_rounding_half_away_from_zero() {
        assert_eq!(Money(10).per(4), Some(Money(3)));
        assert_eq!(Money(-10).per(4), Some(Money(-3)));
        assert_eq!(Money(9).per(4), Some(Money(2)));
        assert_eq!(Money(7).per(0), None);
    }

    #[test]
    fn cents_strings_parse_exactly() {
        assert_eq!(
            Money::from_cents_str("123.45"),
            Some(Money::from_usd(1.2345))
        );
        assert_eq!(Money::from_cents_str("7"), Some(Money::from_usd(0.07)));
        assert_eq!(Money::from_cents_str("abc"), None);
        assert_eq!(Money::from_cents_str(""), None);
    }
}
