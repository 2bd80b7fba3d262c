//! The page's cost review and what it stands on: the audit's opportunities with their
//! reasons, spend per unit (`--per`), unpriced models, the bill, and the sources read.

use maud::{Markup, html};

use super::svg::{Bar, Chart, bars};
use super::{card, pair, table};
use crate::format::{percent, thousands};
use crate::outputs::audit::with_all_levers;
use crate::outputs::report::compactions_note;
use crate::pricing::tier_label;
use crate::snapshot::{Lever, PerUnit, Snapshot};

/// The audit: each lever's saving, and every opportunity with its reason.
pub(super) fn audit(snap: &Snapshot) -> Markup {
    let a = &snap.audit;
    let levers: Vec<Bar> = Lever::ALL
        .iter()
        .map(|l| {
            let s = a.by_lever.get(*l);
            Bar::new(l.as_str(), s.savings_usd.usd(), s.savings_usd.to_string())
        })
        .collect();
    let chart = bars(
        &Chart {
            id: "audit-levers",
            title: "What each lever would save",
            desc: format!(
                "Savings the audit found per lever over the period: {} in all of {} spent ({}).",
                a.potential_usd,
                a.total_usd,
                with_all_levers(a)
            ),
        },
        &levers,
    );
    let lever_rows: Vec<Vec<String>> = Lever::ALL
        .iter()
        .map(|l| {
            let s = a.by_lever.get(*l);
            vec![
                l.as_str().to_string(),
                s.current_usd.to_string(),
                s.savings_usd.to_string(),
                thousands(s.opportunities),
                s.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let opportunities: Vec<Vec<String>> = a
        .opportunities
        .iter()
        .map(|o| {
            vec![
                o.group.clone(),
                o.lever.as_str().to_string(),
                o.model.clone(),
                thousands(o.requests),
                o.current_usd.to_string(),
                o.savings_usd.to_string(),
                if o.in_potential {
                    o.reason.clone()
                } else {
                    format!("{} (an alternative, not added up)", o.reason)
                },
            ]
        })
        .collect();
    html! {
        section {
            h2 { "Cost review: opportunities" }
            div.cards {
                (card("Could save", &a.potential_usd.to_string(), &format!("{} of spend", percent(a.potential_share))))
                (card("With all levers", &a.with_all_levers_usd.to_string(), &format!("grouped by {}", a.group_by)))
            }
            (pair(&chart, "Each lever on its own; together they are applied one after another.",
                &table(&["Lever", "Affected spend", "Saving", "Opportunities", "Note"], &lever_rows, None), true))
            @if !opportunities.is_empty() {
                h3 { "Opportunities, largest saving first" }
                (table(&["Group", "Lever", "Model", "Requests", "Spend now", "Saving", "Why"], &opportunities, None))
            }
            p.note { (a.estimate_note) }
        }
    }
}

/// `--per tag:KEY`: spend per distinct value, in total and per `--by` row.
pub(super) fn per_unit(p: &PerUnit) -> Markup {
    let per = |m: Option<crate::money::Money>| m.map_or_else(|| "—".to_string(), |m| m.to_string());
    let rows: Vec<Vec<String>> = p
        .rows
        .iter()
        .map(|r| {
            vec![
                r.key.clone(),
                thousands(r.units),
                r.cost.to_string(),
                per(r.cost_per_unit),
            ]
        })
        .collect();
    let total = [
        "All".to_string(),
        thousands(p.units),
        p.cost.to_string(),
        per(p.cost_per_unit),
    ];
    html! {
        section {
            h2 { "Spend per " (p.key) }
            p {
                (per(p.cost_per_unit)) " per " (p.key) ": " (p.cost) " spent by records tagged "
                (p.key) " over " (thousands(p.units)) " distinct values. "
                (p.untagged_cost) " was spent by records without the tag and is in no unit's cost."
            }
            (table(&["Row", "Values", "Tagged spend", "Per unit"], &rows, Some(&total)))
        }
    }
}

/// Unpriced models, estimated vs billed, and the sources read.
pub(super) fn sources(snap: &Snapshot) -> Markup {
    let unpriced: Vec<Vec<String>> = snap
        .unpriced_models
        .iter()
        .map(|u| vec![u.model.clone(), thousands(u.requests), thousands(u.tokens)])
        .collect();
    let bill: Vec<Vec<String>> = snap
        .reconciliation
        .iter()
        .map(|d| {
            vec![
                d.day.to_string(),
                d.estimated.to_string(),
                d.billed.to_string(),
                d.difference_pct
                    .map_or_else(|| "—".into(), |p| format!("{p:+.1}%")),
            ]
        })
        .collect();
    let sources: Vec<Vec<String>> = snap
        .sources
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                thousands(s.files),
                thousands(s.lines),
                thousands(s.parse_errors),
                s.reason.clone().unwrap_or_else(|| "ok".into()),
            ]
        })
        .collect();
    let tiers: Vec<String> = snap
        .groups
        .iter()
        .find(|g| g.by == "tier")
        .map(|g| {
            g.rows
                .iter()
                .map(|r| tier_label(&r.key).to_string())
                .collect()
        })
        .unwrap_or_default();
    html! {
        section {
            h2 { "What the figures stand on" }
            @if !unpriced.is_empty() {
                h3 { "Unpriced models (not in the spend above)" }
                (table(&["Model", "Requests", "Tokens"], &unpriced, None))
            }
            @if !bill.is_empty() {
                h3 { "Estimated vs billed (Admin API cost report, UTC days)" }
                (table(&["Day", "Estimated", "Billed", "Difference"], &bill, None))
            }
            h3 { "Sources" }
            (table(&["Source", "Files", "Lines", "Parse errors", "State"], &sources, None))
            @if !tiers.is_empty() {
                p.note { "Service tiers seen: " (tiers.join(", ")) "." }
            }
            @if let Some(note) = compactions_note(snap) {
                p.note { (note) "." }
            }
        }
    }
}
