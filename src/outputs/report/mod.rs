//! `costtop report`: the snapshot as an aligned table, CSV, the JSON contract or an HTML page;
//! with `--compare`, the change between two periods split into effects.

pub(crate) mod compare;
mod estimates;
pub(crate) mod html;
mod org;
mod per_unit;
mod reconcile;

use std::fmt::Write as _;

use crate::pricing::{Money, tier_label};
use crate::snapshot::{GroupRow, Snapshot, Totals};

use crate::format::{percent, thousands};
pub(crate) use estimates::compactions_note;
use reconcile::render_reconciliation;

/// Column headers shared by the table and CSV.
const COLUMNS: [&str; 9] = [
    "requests",
    "input",
    "write_5m",
    "write_1h",
    "read",
    "output",
    "web_search",
    "cost_usd",
    "share",
];

/// The snapshot as pretty JSON (DESIGN.md §6).
pub(crate) fn render_json(snap: &Snapshot) -> String {
    serde_json::to_string_pretty(snap).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// One row per model, unpriced ones marked.
pub(crate) fn model_rows(snap: &Snapshot) -> Vec<GroupRow> {
    let key = |m: &crate::snapshot::ModelRow| {
        if m.priced {
            m.model.clone()
        } else {
            format!("{} (unpriced)", m.model)
        }
    };
    snap.by_model
        .iter()
        .map(|m| GroupRow {
            key: key(m),
            totals: m.totals,
            share_of_cost: m.share_of_cost,
        })
        .collect()
}

/// Rows of the report: the `--by` rows, or one per model.
fn rows(snap: &Snapshot) -> (String, Vec<GroupRow>) {
    if snap.rows.is_empty() {
        ("model".to_string(), model_rows(snap))
    } else {
        (String::new(), snap.rows.clone())
    }
}

/// The rows as CSV: a header, one line per row, and a `TOTAL` line.
pub(crate) fn render_csv(snap: &Snapshot, by: &str) -> String {
    let (default_by, rows) = rows(snap);
    let by = if by.is_empty() {
        default_by
    } else {
        by.to_string()
    };
    let mut out = format!("{},{}\n", csv_field(&by), COLUMNS.join(","));
    let total = GroupRow {
        key: "TOTAL".into(),
        totals: snap.totals,
        share_of_cost: 1.0,
    };
    for r in rows.iter().chain(std::iter::once(&total)) {
        let t = &r.totals;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{:.6}",
            csv_field(&r.key),
            t.requests,
            t.input_tokens,
            t.cache_write_5m_tokens,
            t.cache_write_1h_tokens,
            t.cache_read_tokens,
            t.output_tokens,
            t.web_search_requests,
            crate::pricing::round_usd(t.cost.usd()),
            r.share_of_cost
        );
    }
    out
}

/// A CSV field, quoted when it must be.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The aligned text report: a table of rows with a total, then cache, batch, output-token,
/// unpriced-model and source-health summaries.
pub(crate) fn render_table(snap: &Snapshot, by: &str) -> String {
    let (default_by, rows) = rows(snap);
    let by = if by.is_empty() {
        default_by
    } else {
        by.to_string()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "costtop report · {} · times in {}\n",
        records_span(snap),
        snap.time_zone
    );

    let header: Vec<String> = std::iter::once(by.to_uppercase())
        .chain(
            [
                "REQUESTS",
                "INPUT",
                "WRITE 5m",
                "WRITE 1h",
                "CACHE READ",
                "OUTPUT",
                "COST",
                "SHARE",
            ]
            .map(String::from),
        )
        .collect();
    let tiers = by == "tier";
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let key = if tiers { tier_label(&r.key) } else { &r.key };
            let mut row = cells(key, &r.totals, r.share_of_cost);
            if r.key.ends_with(" (unpriced)") {
                row[7] = "unpriced".into();
                row[8] = "—".into();
            }
            row
        })
        .collect();
    let mut total = cells(
        "TOTAL",
        &snap.totals,
        if snap.totals.cost == Money::ZERO {
            0.0
        } else {
            1.0
        },
    );
    if snap.totals.cost_is_lower_bound {
        total[7] = format!("≥ {}", snap.totals.cost);
    }
    let mut header = header;
    let estimate_column = if by == "actor" {
        org::actor_column(snap)
    } else {
        estimates::column(snap, &by)
    };
    if let Some(estimates) = estimate_column {
        header.push(estimates::COLUMN.to_string());
        for (row, r) in table.iter_mut().zip(&rows) {
            row.push(
                estimates
                    .get(&r.key)
                    .map_or_else(|| "—".to_string(), Money::to_string),
            );
        }
        total.push(if by == "actor" {
            estimates.values().copied().sum::<Money>().to_string()
        } else {
            snap.claude_code_estimates.total.estimate.to_string()
        });
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in table.iter().chain(std::iter::once(&total)) {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    write_row(&mut out, &header, &widths);
    let rule: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    let _ = writeln!(out, "{}", "─".repeat(rule));
    for row in table.drain(..) {
        write_row(&mut out, &row, &widths);
    }
    let _ = writeln!(out, "{}", "─".repeat(rule));
    write_row(&mut out, &total, &widths);
    out.push('\n');

    let c = &snap.cache;
    let _ = writeln!(
        out,
        "Cache     hit ratio {} · {:.1} reads per write · net savings {}{}",
        percent(c.hit_ratio),
        c.reads_per_write,
        c.net_savings,
        if c.net_savings < Money::ZERO {
            "  ← caching is losing money"
        } else {
            ""
        }
    );
    let b = &snap.batch;
    let _ = writeln!(
        out,
        "Batch     {} of spend · {} of requests ({}) · saved {}",
        percent(b.share_of_cost),
        percent(b.share_of_requests),
        thousands(b.requests),
        b.savings
    );
    let o = &snap.output_tokens;
    let _ = writeln!(
        out,
        "Output    p50 {} · p90 {} · p99 {} · max {} tokens · {} stopped at max_tokens",
        thousands(o.p50),
        thousands(o.p90),
        thousands(o.p99),
        thousands(o.max),
        percent(o.max_tokens_share)
    );
    if snap.totals.web_search_requests > 0 {
        let _ = writeln!(
            out,
            "Web       {} searches",
            thousands(snap.totals.web_search_requests)
        );
    }
    out.push('\n');
    if snap.unpriced_models.is_empty() {
        let _ = writeln!(out, "Unpriced  none: every model is in the price table");
    } else {
        let _ = writeln!(out, "UNPRICED  {}", lower_bound_note(snap));
        for u in &snap.unpriced_models {
            let _ = writeln!(
                out,
                "UNPRICED  {}: {}, {} tokens NOT included in the cost above \
                 (add its prices under [prices] in the config, or `costtop prices --update`)",
                u.model,
                plural(u.requests, "request"),
                thousands(u.tokens)
            );
        }
    }
    if let Some(p) = &snap.per_unit {
        out.push_str(&per_unit::render(p));
    }
    out.push_str(&render_reconciliation(snap));
    out.push_str(&org::render(&snap.org));
    out.push_str(&estimates::render(snap));
    out.push_str(&render_sources(snap));
    out
}

/// One line per source: files, lines, parse errors (with the first one's place) and state.
pub(crate) fn render_sources(snap: &Snapshot) -> String {
    let mut out = String::new();
    for s in &snap.sources {
        // The price table's warnings are no input: said as they are.
        if s.name == "prices" {
            if let Some(reason) = &s.reason {
                let _ = writeln!(out, "Prices    {reason}");
            }
            continue;
        }
        let errors = if s.parse_errors == 0 {
            "no parse errors".to_string()
        } else {
            format!(
                "{} parse errors (first: {})",
                thousands(s.parse_errors),
                s.first_error.as_deref().unwrap_or("?")
            )
        };
        let state = s
            .reason
            .as_ref()
            .or(s.note.as_ref())
            .map_or(String::new(), |r| format!(" · {r}"));
        let _ = writeln!(
            out,
            "Source    {} · {} files · {} lines · {errors}{state}",
            s.name,
            thousands(s.files),
            thousands(s.lines)
        );
    }
    if let Some(note) = compactions_note(snap) {
        let _ = writeln!(out, "Note      {note}");
    }
    out
}

/// Why the total is a lower bound: "5.9% of requests unpriced (1 of 17) …".
pub(crate) fn lower_bound_note(snap: &Snapshot) -> String {
    let t = &snap.totals;
    let share = if t.requests == 0 {
        String::new()
    } else {
        format!(
            "{} of requests unpriced ({} of {}); ",
            percent(t.unpriced_requests as f64 / t.requests as f64),
            thousands(t.unpriced_requests),
            thousands(t.requests)
        )
    };
    format!(
        "{share}the cost is a lower bound (≥ {}) · prices checked {}",
        t.cost, snap.prices_checked
    )
}

/// `1 request`, `3 requests`.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

fn cells(key: &str, t: &Totals, share: f64) -> Vec<String> {
    vec![
        key.to_string(),
        thousands(t.requests),
        thousands(t.input_tokens),
        thousands(t.cache_write_5m_tokens),
        thousands(t.cache_write_1h_tokens),
        thousands(t.cache_read_tokens),
        thousands(t.output_tokens),
        t.cost.to_string(),
        percent(share),
    ]
}

/// One aligned row: the first cell left-aligned, the others right-aligned.
pub(crate) fn write_row(out: &mut String, row: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (i, (c, w)) in row.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        if i == 0 {
            let _ = write!(line, "{c:<w$}");
        } else {
            let _ = write!(line, "{c:>w$}");
        }
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

/// `records 2026-11-20 00:00 → 2026-11-20 23:59`, in the snapshot's time zone.
pub(crate) fn records_span(snap: &Snapshot) -> String {
    let last = snap.sources.iter().filter_map(|s| s.last_event).max();
    match (snap.window.start, last) {
        (Some(s), Some(e)) => format!(
            "records {} → {}",
            local(snap, s, MINUTE),
            local(snap, e, MINUTE)
        ),
        (Some(s), None) => format!("records from {}", local(snap, s, MINUTE)),
        _ => "no records".to_string(),
    }
}

/// A time to the minute.
const MINUTE: &str = "%Y-%m-%d %H:%M";

/// `t` in the snapshot's time zone, written with `format` (chrono's strftime).
pub(crate) fn local(snap: &Snapshot, t: chrono::DateTime<chrono::Utc>, format: &str) -> String {
    let zone: crate::time::Zone = snap.time_zone.parse().unwrap_or_default();
    zone.local(t).format(format).to_string()
}
