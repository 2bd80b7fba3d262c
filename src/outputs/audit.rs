//! `costtop audit`: the snapshot's audit as a cost review (a table of levers and
//! opportunities), CSV rows, or JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::report::{csv_field, records_span, write_row};
use crate::format::{percent, thousands};
use crate::pricing::{Money, round_usd};
use crate::snapshot::{AuditSnapshot, Lever, Snapshot, WindowSpan, per_day};

/// The audit as pretty JSON: `{as_of, window, time_zone, audit{…}}` (the `audit` object is
/// the one `watch` and `report --format json` carry).
pub(crate) fn render_json(snap: &Snapshot) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        as_of: chrono::DateTime<chrono::Utc>,
        window: &'a WindowSpan,
        time_zone: &'a str,
        audit: &'a AuditSnapshot,
    }
    let out = Out {
        as_of: snap.as_of,
        window: &snap.window,
        time_zone: &snap.time_zone,
        audit: &snap.audit,
    };
    serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// One CSV row per opportunity, then a `TOTAL` row (spend now, potential saving).
pub(crate) fn render_csv(snap: &Snapshot) -> String {
    let a = &snap.audit;
    let mut out = String::from(
        "lever,kind,group,model,requests,current_usd,savings_usd,in_potential,reason\n",
    );
    for o in &a.opportunities {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            o.lever.as_str(),
            o.kind.as_str(),
            csv_field(&o.group),
            csv_field(&o.model),
            o.requests,
            round_usd(o.current_usd.usd()),
            round_usd(o.savings_usd.usd()),
            o.in_potential,
            csv_field(&o.reason)
        );
    }
    let _ = writeln!(
        out,
        "TOTAL,,,,,{},{},true,{}",
        round_usd(a.total_usd.usd()),
        round_usd(a.potential_usd.usd()),
        csv_field(&with_all_levers(a))
    );
    out
}

/// "with all levers: $1,040.20 (−15.7%)".
pub(crate) fn with_all_levers(a: &AuditSnapshot) -> String {
    format!(
        "with all levers: {} (−{})",
        a.with_all_levers_usd,
        percent(a.potential_share)
    )
}

/// The cost review: spend now, each lever's saving with its top groups, the total with all
/// levers, every opportunity with its reason, and what the figures leave out.
pub(crate) fn render_table(snap: &Snapshot) -> String {
    let a = &snap.audit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "costtop audit · {} · grouped by {} · times in {}\n",
        records_span(snap),
        a.group_by,
        snap.time_zone
    );
    // A review of recorded usage runs at the rate of its records, not up to today.
    let last = snap.sources.iter().filter_map(|s| s.last_event).max();
    let rate = |m: Money| per_day(m, snap.window.start, last.unwrap_or(snap.window.end));
    let daily = |m: Money| rate(m).map_or(String::new(), |d| format!("  ({d}/day)"));
    let _ = writeln!(out, "Spend now  {}{}\n", a.total_usd, daily(a.total_usd));
    let header = ["LEVER", "SAVED", "SHARE", "PER DAY"].map(String::from);
    let rows: Vec<[String; 4]> = Lever::ALL
        .iter()
        .map(|&lever| {
            let s = a.by_lever.get(lever);
            [
                lever.as_str().to_string(),
                s.savings_usd.to_string(),
                share(s.savings_usd, a.total_usd),
                rate(s.savings_usd).map_or_else(|| "—".into(), |d| d.to_string()),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut head = String::new();
    write_row(&mut head, &header, &widths);
    let _ = writeln!(out, "{}  TOP GROUPS", head.trim_end());
    for (row, lever) in rows.iter().zip(Lever::ALL) {
        let mut line = String::new();
        write_row(&mut line, row, &widths);
        let groups: Vec<String> = a
            .top_groups(lever, 3)
            .into_iter()
            .map(|(g, m)| format!("{g} {m}"))
            .collect();
        let row = format!("{}  {}", line.trim_end(), groups.join(" · "));
        let _ = writeln!(out, "{}", row.trim_end());
    }
    let _ = writeln!(
        out,
        "\n{} — each lever applied after the ones before it, so nothing is counted twice\n",
        with_all_levers(a)
    );
    render_opportunities(&mut out, a);
    render_notes(&mut out, snap);
    out
}

fn share(part: Money, whole: Money) -> String {
    if whole.0 > 0 {
        percent(part.0 as f64 / whole.0 as f64)
    } else {
        "—".into()
    }
}

fn render_opportunities(out: &mut String, a: &AuditSnapshot) {
    if a.opportunities.is_empty() {
        let _ = writeln!(out, "No opportunities: nothing to save in these records.\n");
        return;
    }
    let header = ["LEVER", "GROUP", "MODEL", "REQUESTS", "NOW", "SAVED"].map(String::from);
    let rows: Vec<[String; 6]> = a
        .opportunities
        .iter()
        .map(|o| {
            [
                o.lever.as_str().to_string(),
                o.group.clone(),
                o.model.clone(),
                thousands(o.requests),
                o.current_usd.to_string(),
                o.savings_usd.to_string(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    // Text columns left-aligned, figures right-aligned.
    let line = |row: &[String; 6]| {
        let mut l = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let gap = if i == 0 { "" } else { "  " };
            let _ = if i < 3 {
                write!(l, "{gap}{cell:<w$}")
            } else {
                write!(l, "{gap}{cell:>w$}")
            };
        }
        l.trim_end().to_string()
    };
    for (title, in_potential) in [
        ("Opportunities, largest saving first", true),
        ("Alternatives, not added to the total", false),
    ] {
        let mut shown = rows
            .iter()
            .zip(&a.opportunities)
            .filter(|(_, o)| o.in_potential == in_potential)
            .peekable();
        if shown.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "{title}\n{}", line(&header));
        for (row, o) in shown {
            let _ = writeln!(out, "{}\n    {}", line(row), o.reason);
        }
        out.push('\n');
    }
}

fn render_notes(out: &mut String, snap: &Snapshot) {
    let a = &snap.audit;
    for lever in Lever::ALL {
        if let Some(note) = &a.by_lever.get(lever).note {
            let _ = writeln!(out, "{:<9} {note}", capitalised(lever.as_str()));
        }
    }
    if a.skipped.unpriced_requests > 0 {
        let _ = writeln!(
            out,
            "Unpriced  {} requests of models without a price: no opportunity was computed from an unknown price",
            thousands(a.skipped.unpriced_requests)
        );
    }
    let _ = writeln!(out, "\n{}", a.estimate_note);
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
