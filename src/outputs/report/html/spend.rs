//! The page's spend: the headline figures, spend over time, and where the money goes (by
//! model, feature, project and the `--by` rows).

use maud::{Markup, html};

use super::svg::{Bar, Chart, bars, columns};
use super::{card, pair, table};
use crate::format::{percent, thousands};
use crate::money::Money;
use crate::outputs::report::{compare::signed, lower_bound_note};
use crate::snapshot::{GroupRow, Snapshot, Totals};

/// Most bars a breakdown chart draws (its table has every row).
const CHART_ROWS: usize = 12;

/// Spend, requests, projection, and with `--per` or `--compare` their headline too.
pub(super) fn headline(snap: &Snapshot) -> Markup {
    let t = &snap.totals;
    let spend = if t.cost_is_lower_bound {
        format!("≥ {}", t.cost)
    } else {
        t.cost.to_string()
    };
    let spend_note = if t.cost_is_lower_bound {
        lower_bound_note(snap)
    } else {
        "every model priced".to_string()
    };
    html! {
        section aria-label="Headline" {
            div.cards {
                (card("Spend", &spend, &spend_note))
                (card("Requests", &thousands(t.requests), &format!("{} output tokens", thousands(t.output_tokens))))
                @if snap.spend.month > Money::ZERO {
                    (card("Projected this month", &snap.spend.projected_month.to_string(),
                        &format!("{} so far this month", snap.spend.month)))
                }
                @if let Some(p) = &snap.per_unit {
                    (card(&format!("Per {}", p.key),
                        &p.cost_per_unit.map_or_else(|| "—".to_string(), |m| m.to_string()),
                        &format!("{} values of tag {}", thousands(p.units), p.key)))
                }
                @if let Some(c) = &snap.compare {
                    (card("Change A → B (below)", &signed(c.delta),
                        &c.delta_share.map_or_else(String::new, |s| format!("{:+.1}% on {}", s * 100.0, c.a.cost))))
                }
            }
        }
    }
}

/// Spend per local hour (records over two days or less) or per local day, as columns and a
/// table with a row per column and their total, which is the headline spend.
pub(super) fn over_time(snap: &Snapshot) -> Markup {
    let Some(over) = snap.spend_over_time.as_ref().filter(|o| !o.rows.is_empty()) else {
        return html! {};
    };
    let step = if over.daily { "day" } else { "hour" };
    // `2026-12-07 14:00` → `12-07 14:00`, `2026-12-07` → `12-07`.
    let label = |key: &str| key.get(5..).unwrap_or(key).to_string();
    let rows = &over.rows;
    let chart_bars: Vec<Bar> = rows
        .iter()
        .map(|r| {
            Bar::new(
                label(&r.key),
                r.totals.cost.usd(),
                r.totals.cost.to_string(),
            )
        })
        .collect();
    let peak = rows
        .iter()
        .max_by_key(|r| r.totals.cost)
        .unwrap_or(&rows[0]);
    let chart = columns(
        &Chart {
            id: "spend-over-time",
            title: "Spend over time",
            desc: format!(
                "Spend per {step} from {} to {}, {} in all; the busiest {step}, {}, cost {}.",
                rows[0].key,
                rows[rows.len() - 1].key,
                snap.totals.cost,
                peak.key,
                peak.totals.cost
            ),
        },
        &chart_bars,
        |v| Money::from_usd(v).to_string(),
    );
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.key.clone(),
                thousands(r.totals.requests),
                r.totals.cost.to_string(),
            ]
        })
        .collect();
    let total = [
        "Total".to_string(),
        thousands(snap.totals.requests),
        snap.totals.cost.to_string(),
    ];
    let caption = format!("One column per {step} ({}).", snap.time_zone);
    let head = if over.daily { "Day" } else { "Hour" };
    html! {
        section {
            h2 { "Spend over time" }
            (pair(&chart, &caption, &table(&[head, "Requests", "Spend"], &cells, Some(&total)), false))
        }
    }
}

/// By model, by feature, by project, and the `--by` rows when they are something else.
pub(super) fn breakdowns(snap: &Snapshot, by: &str) -> Markup {
    let models = crate::outputs::report::model_rows(snap);
    let group = |name: &str| snap.groups.iter().find(|g| g.by == name).map(|g| &g.rows);
    html! {
        section {
            h2 { "Where the money goes" }
            (breakdown("by-model", "By model", "model", &models))
            @if let Some(rows) = group("tag:feature") {
                (breakdown("by-feature", "By feature", "feature", rows))
            }
            @if let Some(rows) = group("project") {
                (breakdown("by-project", "By project", "project", rows))
            }
            @if !snap.rows.is_empty() && !["model", "project", "tag:feature"].contains(&by) {
                (breakdown("by-rows", &format!("By {by}"), by, &snap.rows))
            }
        }
    }
}

fn breakdown(id: &str, title: &str, noun: &str, rows: &[GroupRow]) -> Markup {
    if rows.is_empty() {
        return html! {};
    }
    let chart_rows: Vec<Bar> = rows
        .iter()
        .take(CHART_ROWS)
        .map(|r| {
            Bar::new(
                r.key.clone(),
                r.totals.cost.usd(),
                r.totals.cost.to_string(),
            )
        })
        .collect();
    let top = &rows[0];
    let desc = format!(
        "Spend by {noun}: {} {noun} values; the largest, {}, cost {} ({} of spend).",
        rows.len(),
        top.key,
        top.totals.cost,
        percent(top.share_of_cost)
    );
    let chart = bars(&Chart { id, title, desc }, &chart_rows);
    let caption = if rows.len() > CHART_ROWS {
        format!(
            "The {CHART_ROWS} largest of {} drawn; the table lists all.",
            rows.len()
        )
    } else {
        String::new()
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| row_cells(&r.key, &r.totals, r.share_of_cost))
        .collect();
    html! {
        h3 { (title) }
        (pair(&chart, &caption, &table(&[noun, "Requests", "Input", "Cache read", "Output", "Spend", "Share"], &cells, None), true))
    }
}

fn row_cells(key: &str, t: &Totals, share: f64) -> Vec<String> {
    vec![
        key.to_string(),
        thousands(t.requests),
        thousands(t.input_tokens),
        thousands(t.cache_read_tokens),
        thousands(t.output_tokens),
        t.cost.to_string(),
        percent(share),
    ]
}
