//! The report's "estimated vs billed" section: costtop's estimate per UTC day beside the
//! Admin API cost report's amount, and its list price and discount when the report gives them.

use std::fmt::Write as _;

use crate::snapshot::Snapshot;

/// Estimated vs billed per UTC day, when the Admin API cost report was read.
pub(super) fn render_reconciliation(snap: &Snapshot) -> String {
    let mut out = String::new();
    if snap.reconciliation.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nEstimated vs billed (Admin API cost report; UTC days)"
    );
    let lists = snap.reconciliation.iter().any(|d| d.list.is_some());
    let list_header = if lists { "          LIST DISCOUNT" } else { "" };
    let _ = writeln!(
        out,
        "{:<19}{:>14}{:>14}{list_header}{:>9}  largest billed item",
        "DAY", "ESTIMATED", "BILLED", "DIFF"
    );
    for d in &snap.reconciliation {
        let diff = d
            .difference_pct
            .map_or_else(|| "—".to_string(), |p| format!("{p:+.1}%"));
        let list = if lists {
            format!(
                "{:>14}{:>9}",
                d.list.map_or_else(|| "—".to_string(), |l| l.to_string()),
                d.discount_pct
                    .map_or_else(|| "—".to_string(), |p| format!("{p:.1}%"))
            )
        } else {
            String::new()
        };
        let item = d
            .items
            .first()
            .map_or(String::new(), |i| format!("{} {}", i.item, i.billed));
        let day = if d.partial {
            format!("{} (so far)", d.day)
        } else {
            d.day.to_string()
        };
        let _ = writeln!(
            out,
            "{:<19}{:>14}{:>14}{list}{:>9}  {item}",
            day,
            d.estimated.to_string(),
            d.billed.to_string(),
            diff
        );
    }
    out.push('\n');
    out
}
