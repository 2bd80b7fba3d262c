//! Number formatting shared by money, the report and the screen.

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: impl Into<u128>) -> String {
    let n: u128 = n.into();
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Token counts in a few characters: `950`, `12.3k`, `456k`, `4.5M`, `1.2G`.
pub(crate) fn compact(n: u64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    let v = n as f64;
    for (scale, unit) in UNITS {
        if v >= scale {
            let x = v / scale;
            return if x >= 99.95 {
                format!("{x:.0}{unit}")
            } else {
                format!("{x:.1}{unit}")
            };
        }
    }
    n.to_string()
}

/// A 0–1 fraction as a percentage with one decimal.
pub(crate) fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_for_humans() {
        assert_eq!(thousands(1_234_567_u64), "1,234,567");
        assert_eq!(thousands(12_u64), "12");
        assert_eq!(compact(950), "950");
        assert_eq!(compact(12_345), "12.3k");
        assert_eq!(compact(4_560_000), "4.6M");
        assert_eq!(compact(456_000), "456k");
        assert_eq!(percent(0.8734), "87.3%");
    }
}
