//! `--per tag:KEY` in the report's table: spend per distinct value of a tag, in total and per
//! `--by` row.

use std::fmt::Write as _;

use crate::format::{percent, thousands};
use crate::pricing::Money;
use crate::snapshot::PerUnit;

/// The `--per` lines of the plain report: spend per unit, and what no unit carries.
pub(crate) fn render(p: &PerUnit) -> String {
    let mut out = String::new();
    let per = p
        .cost_per_unit
        .map_or_else(|| "—".to_string(), |m| m.to_string());
    let total = p.cost + p.untagged_cost;
    let share = if total == Money::ZERO {
        0.0
    } else {
        p.cost.0 as f64 / total.0 as f64
    };
    let _ = writeln!(
        out,
        "Per unit  {per} per {} · {} spent over {} distinct values ({} of spend carries the tag; \
         {} without it is in no unit)",
        p.key,
        p.cost,
        thousands(p.units),
        percent(share),
        p.untagged_cost
    );
    for r in &p.rows {
        let per = r
            .cost_per_unit
            .map_or_else(|| "—".to_string(), |m| m.to_string());
        let _ = writeln!(
            out,
            "          {}: {per} per {} ({} values, {})",
            r.key,
            p.key,
            thousands(r.units),
            r.cost
        );
    }
    out
}
