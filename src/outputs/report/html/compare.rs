//! `--compare` on the page: period A's spend, the seven effects and period B's spend as a
//! waterfall, the effects and what they mean, and the groups' own splits.

use maud::{Markup, html};

use super::svg::{Bar, Chart, waterfall};
use super::{card, pair, table};
use crate::format::thousands;
use crate::outputs::report::compare::{MEANINGS, row_cells, signed, total_cells};
use crate::snapshot::{CompareSnapshot, Effects};

/// The comparison section.
pub(super) fn section(c: &CompareSnapshot) -> Markup {
    let steps: Vec<Bar> = Effects::NAMES
        .iter()
        .zip(c.effects.values())
        .map(|(name, m)| Bar::new(*name, m.usd(), signed(m)))
        .collect();
    let biggest = Effects::NAMES
        .iter()
        .zip(c.effects.values())
        .max_by_key(|(_, m)| m.0.unsigned_abs())
        .map_or_else(String::new, |(n, m)| {
            format!(" The largest effect is {n}, {}.", signed(m))
        });
    let chart = waterfall(
        &Chart {
            id: "compare-waterfall",
            title: "What changed and why",
            desc: format!(
                "Spend went from {} in {} to {} in {}, a change of {}, split into volume, mix, \
                 cache, batch, output, input and price effects that add up to it.{biggest}",
                c.a.cost,
                c.a.label,
                c.b.cost,
                c.b.label,
                signed(c.delta)
            ),
        },
        &Bar::new("A".to_string(), c.a.cost.usd(), c.a.cost.to_string()),
        &steps,
        &Bar::new("B".to_string(), c.b.cost.usd(), c.b.cost.to_string()),
    );
    let effect_rows: Vec<Vec<String>> = Effects::NAMES
        .iter()
        .zip(c.effects.values())
        .zip(MEANINGS)
        .map(|((n, m), meaning)| vec![(*n).to_string(), signed(m), meaning.to_string()])
        .collect();
    let total = ["Change".to_string(), signed(c.effects.sum()), String::new()];
    html! {
        section {
            h2 { "What changed and why: " (c.a.label) " → " (c.b.label) }
            div.cards {
                (card(&format!("A · {}", c.a.label), &c.a.cost.to_string(), &format!("{} requests", thousands(c.a.requests))))
                (card(&format!("B · {}", c.b.label), &c.b.cost.to_string(), &format!("{} requests", thousands(c.b.requests))))
                @if let (Some(key), Some(a), Some(b)) = (&c.per, c.a.cost_per_unit, c.b.cost_per_unit) {
                    (card(&format!("Per {key}"), &format!("{a} → {b}"),
                        &c.delta_per_unit.map_or_else(String::new, |d| format!("{} per {key}", signed(d)))))
                }
            }
            (pair(&chart, "Effects are Shapley values: each is its factor's change averaged over every order in which the factors could change, so they add up exactly and no order is favoured.",
                &table(&["Effect", "Amount", "What it measures"], &effect_rows, Some(&total)), false))
            @for (label, s) in [("A", &c.a), ("B", &c.b)] {
                @if s.unpriced_requests > 0 {
                    p.note { (thousands(s.unpriced_requests)) " requests of unpriced models in " (label) " are left out." }
                }
            }
            @if !c.groups.is_empty() {
                h3 { "By " (c.by.as_deref().unwrap_or("")) ", each split on its own" }
                (groups(c))
                p.note {
                    "The rows add up to the total, effect by effect. Work moving from one group to \
                     another is volume in both rows."
                }
            }
        }
    }
}

fn groups(c: &CompareSnapshot) -> Markup {
    let mut head = vec!["Group", "A", "B", "Change"];
    head.extend(Effects::NAMES);
    let per = c.per.is_some();
    if per {
        head.extend(["Units A", "Units B"]);
    }
    let rows: Vec<Vec<String>> = c
        .groups
        .iter()
        .map(|r| {
            let mut row = row_cells(r);
            if per {
                row.push(thousands(r.a_units.unwrap_or(0)));
                row.push(thousands(r.b_units.unwrap_or(0)));
            }
            row
        })
        .collect();
    let mut total = total_cells("Total", c);
    if per {
        total.push(thousands(c.a.units.unwrap_or(0)));
        total.push(thousands(c.b.units.unwrap_or(0)));
    }
    table(&head, &rows, Some(&total))
}
