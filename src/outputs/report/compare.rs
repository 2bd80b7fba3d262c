//! `report --compare A B` as text and CSV: both periods, the change, its split into effects,
//! and one row per group; and the `--per` lines of the plain report.

use std::fmt::Write as _;

use super::{csv_field, write_row};
use crate::format::thousands;
use crate::pricing::{Money, round_usd};
use crate::snapshot::{CompareRow, CompareSnapshot, Effects, Snapshot};

/// What each effect stands for, in the order of [`Effects::NAMES`].
pub(crate) const MEANINGS: [&str; 7] = [
    "more or fewer requests",
    "requests moving between models (routing)",
    "cache hit ratio and write TTLs",
    "share of spend through the Batch API",
    "output tokens per request",
    "prompt tokens (and web searches) per request",
    "price changes on a date, fast mode, US-only, bands",
];

/// An amount with its sign: `+$1.20`, `-$0.40`, `$0.00`.
pub(crate) fn signed(m: Money) -> String {
    if m > Money::ZERO {
        format!("+{m}")
    } else {
        m.to_string()
    }
}

/// The comparison as aligned text.
pub(crate) fn render_table(snap: &Snapshot, c: &CompareSnapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "costtop report --compare · A {} → B {} · times in {}\n",
        c.a.label, c.b.label, snap.time_zone
    );
    let change = match c.delta_share {
        Some(share) => format!("{} ({:+.1}%)", signed(c.delta), share * 100.0),
        None => signed(c.delta),
    };
    let mut table = vec![
        vec![
            String::new(),
            format!("A {}", c.a.label),
            format!("B {}", c.b.label),
            "CHANGE".into(),
        ],
        vec![
            "Spend".into(),
            c.a.cost.to_string(),
            c.b.cost.to_string(),
            change,
        ],
        vec![
            "Requests".into(),
            thousands(c.a.requests),
            thousands(c.b.requests),
            format!("{:+}", i128::from(c.b.requests) - i128::from(c.a.requests)),
        ],
    ];
    if let Some(key) = &c.per {
        let per = |m: Option<Money>| m.map_or_else(|| "—".to_string(), |m| m.to_string());
        table.push(vec![
            format!("Per {key}"),
            per(c.a.cost_per_unit),
            per(c.b.cost_per_unit),
            c.delta_per_unit.map_or_else(|| "—".into(), signed),
        ]);
        table.push(vec![
            format!("{key} values"),
            thousands(c.a.units.unwrap_or(0)),
            thousands(c.b.units.unwrap_or(0)),
            String::new(),
        ]);
    }
    let w = widths(&table);
    for row in &table {
        write_row(&mut out, row, &w);
    }
    let _ = writeln!(
        out,
        "\nWhy: the change split into effects that add up to it exactly (Shapley, docs/reports.md)"
    );
    let mut why: Vec<Vec<String>> = Effects::NAMES
        .iter()
        .zip(c.effects.values())
        .zip(MEANINGS)
        .map(|((name, amount), meaning)| {
            vec![format!("  {name}"), signed(amount), meaning.to_string()]
        })
        .collect();
    why.push(vec![
        "  total".into(),
        signed(c.effects.sum()),
        String::new(),
    ]);
    let w = widths(&why);
    for row in &why {
        write_row(&mut out, row, &w);
    }
    for (side, s) in [("A", &c.a), ("B", &c.b)] {
        if s.unpriced_requests > 0 {
            let _ = writeln!(
                out,
                "UNPRICED  {} requests in {side} are of unpriced models and left out",
                thousands(s.unpriced_requests)
            );
        }
    }
    if c.volume_only {
        let _ = writeln!(
            out,
            "Note      a period has spend without requests (Admin API buckets): such a change \
             is counted as volume only"
        );
    }
    if !c.groups.is_empty() {
        let _ = writeln!(
            out,
            "\nBy {} (each row split on its own; the rows add up to the total)",
            c.by.as_deref().unwrap_or("")
        );
        out.push_str(&group_table(c));
    }
    out
}

fn widths(rows: &[Vec<String>]) -> Vec<usize> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn group_table(c: &CompareSnapshot) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = ["GROUP", "A", "B", "CHANGE"].map(String::from).to_vec();
    header.extend(Effects::NAMES.iter().map(|n| n.to_uppercase()));
    let mut rows = vec![header];
    rows.extend(c.groups.iter().map(row_cells));
    let total = total_cells("TOTAL", c);
    let w = widths(
        &rows
            .iter()
            .chain(std::iter::once(&total))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let rule: usize = w.iter().sum::<usize>() + 2 * (w.len() - 1);
    for (i, row) in rows.iter().enumerate() {
        write_row(&mut out, row, &w);
        if i == 0 {
            let _ = writeln!(out, "{}", "─".repeat(rule));
        }
    }
    let _ = writeln!(out, "{}", "─".repeat(rule));
    write_row(&mut out, &total, &w);
    out
}

/// The comparison as CSV: one line per group, then `TOTAL`.
pub(crate) fn render_csv(c: &CompareSnapshot) -> String {
    let mut out = format!("group,a_usd,b_usd,delta_usd,{}\n", Effects::NAMES.join(","));
    let usd = |m: Money| round_usd(m.usd()).to_string();
    let mut line = |key: &str, a: Money, b: Money, d: Money, e: &Effects| {
        let effects: Vec<String> = e.values().map(usd).to_vec();
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            csv_field(key),
            usd(a),
            usd(b),
            usd(d),
            effects.join(",")
        );
    };
    for r in &c.groups {
        line(&r.key, r.a_cost, r.b_cost, r.delta, &r.effects);
    }
    line("TOTAL", c.a.cost, c.b.cost, c.delta, &c.effects);
    out
}

/// A group's cells: key, A, B, change, then the effects in [`Effects::NAMES`] order.
pub(crate) fn row_cells(r: &CompareRow) -> Vec<String> {
    let mut row = vec![
        r.key.clone(),
        r.a_cost.to_string(),
        r.b_cost.to_string(),
        signed(r.delta),
    ];
    row.extend(r.effects.values().map(signed));
    row
}

/// The total's cells, as [`row_cells`] with `label` for the key.
pub(crate) fn total_cells(label: &str, c: &CompareSnapshot) -> Vec<String> {
    let mut total = vec![
        label.to_string(),
        c.a.cost.to_string(),
        c.b.cost.to_string(),
        signed(c.delta),
    ];
    total.extend(c.effects.values().map(signed));
    total
}
