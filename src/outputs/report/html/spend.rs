//! The page's spend: the headline figures, spend over time, and where the money goes (by
//! model, feature, project and the `--by` rows).

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::svg::{Bar, Chart, bars, columns};
use super::{card, pair, table};
use crate::format::{percent, thousands};
use crate::money::Money;
use crate::outputs::report::{compare::signed, local, lower_bound_note};
use crate::snapshot::{GroupRow, SeriesPoint, Snapshot, Totals};

/// Most bars a breakdown chart draws (its table has every row).
const CHART_ROWS: usize = 12;
/// Most rows the spend-over-time table lists before it sums steps together.
const TABLE_ROWS: usize = 48;

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

/// Spend per step of the snapshot's series, trimmed to the records, as columns and a table.
pub(super) fn over_time(snap: &Snapshot) -> Markup {
    let points = trimmed(&snap.series);
    if points.is_empty() {
        return html! {};
    }
    let daily = snap.series_step_seconds >= 86_400;
    let label = |t: DateTime<Utc>| {
        let fmt = if daily { "%m-%d" } else { "%m-%d %H:%M" };
        local(snap, t, fmt)
    };
    let chart_bars: Vec<Bar> = points
        .iter()
        .map(|p| Bar::new(label(p.start), p.cost.usd(), p.cost.to_string()))
        .collect();
    let peak = points
        .iter()
        .max_by_key(|p| p.cost)
        .map_or(Money::ZERO, |p| p.cost);
    let step = step_name(snap.series_step_seconds);
    let chart = columns(
        &Chart {
            id: "spend-over-time",
            title: "Spend over time",
            desc: format!(
                "Spend per {step} from {} to {}, {} in all; the busiest {step} cost {peak}.",
                label(points[0].start),
                label(points[points.len() - 1].start),
                snap.totals.cost
            ),
        },
        &chart_bars,
        |v| Money::from_usd(v).to_string(),
    );
    let group = points.len().div_ceil(TABLE_ROWS);
    let rows: Vec<Vec<String>> = points
        .chunks(group)
        .map(|c| {
            let cost: Money = c.iter().map(|p| p.cost).sum();
            let requests: u64 = c.iter().map(|p| p.requests).sum();
            vec![label(c[0].start), thousands(requests), cost.to_string()]
        })
        .collect();
    let caption = if group > 1 {
        format!("One column per {step}; the table sums {group} of them per row.")
    } else {
        format!("One column per {step}.")
    };
    html! {
        section {
            h2 { "Spend over time" }
            (pair(&chart, &caption, &table(&["From", "Requests", "Spend"], &rows, None), false))
        }
    }
}

/// The series without the empty steps before the first record and after the last.
fn trimmed(series: &[SeriesPoint]) -> &[SeriesPoint] {
    let busy = |p: &SeriesPoint| p.requests > 0 || p.cost != Money::ZERO;
    let Some(first) = series.iter().position(busy) else {
        return &[];
    };
    let last = series.iter().rposition(busy).unwrap_or(first);
    &series[first..=last]
}

fn step_name(seconds: i64) -> String {
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 3_600 && s % 3_600 == 0 => plural(s / 3_600, "hour"),
        s if s >= 60 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        unit.to_string()
    } else {
        format!("{n} {unit}s")
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
