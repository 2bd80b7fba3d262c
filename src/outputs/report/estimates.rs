//! The report's "Claude Code's estimate" section, and the estimate column beside the rows of
//! `--by session` and `--by day`: Claude Code's own figures as a check, never spend.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::format::thousands;
use crate::pricing::Money;
use crate::snapshot::{ClaudeCodeEstimates, Comparison, Snapshot};

/// Session rows shown in the section (`--by session` lists every one).
const SECTION_SESSIONS: usize = 10;
/// Day rows shown in the section, the most recent (`--by day` lists every one).
const SECTION_DAYS: usize = 31;

/// Header of the estimate column beside `--by session` and `--by day` rows.
pub(super) const COLUMN: &str = "CLAUDE CODE EST.";

/// Claude Code's estimate per row key, when the rows are sessions or days and it has figures.
pub(super) fn column(snap: &Snapshot, by: &str) -> Option<HashMap<String, Money>> {
    let e = &snap.claude_code_estimates;
    if e.is_empty() {
        return None;
    }
    match by {
        "session" => Some(
            e.by_session
                .iter()
                .map(|s| (s.session.clone(), s.figures.estimate))
                .collect(),
        ),
        "day" => Some(
            e.by_day
                .iter()
                .map(|d| (d.day.to_string(), d.figures.estimate))
                .collect(),
        ),
        _ => None,
    }
}

/// The section: totals beside costtop's, the largest sessions, the days, and what Claude Code
/// accounted for that no transcript line holds. Empty when Claude Code's figures were not read.
pub(crate) fn render(snap: &Snapshot) -> String {
    let e = &snap.claude_code_estimates;
    let mut out = String::new();
    if e.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nClaude Code's estimate (its own figures: a check, never added to the cost above)"
    );
    let [estimate, costtop, difference] = figures(&e.total);
    let _ = writeln!(
        out,
        "  Claude Code {estimate} · costtop {costtop} for the same {} ({difference})",
        sessions(e.coverage.sessions),
    );
    if e.total.costtop_unpriced_requests > 0 {
        let _ = writeln!(
            out,
            "  (costtop's figure leaves out {} it cannot price)",
            plural(e.total.costtop_unpriced_requests, "request")
        );
    }
    render_sessions(&mut out, e);
    render_days(&mut out, e);
    render_coverage(&mut out, e);
    out
}

fn render_sessions(out: &mut String, e: &ClaudeCodeEstimates) {
    let width = e
        .by_session
        .iter()
        .take(SECTION_SESSIONS)
        .map(|s| s.session.chars().count())
        .max()
        .unwrap_or(0)
        .max("SESSION".len());
    let _ = writeln!(
        out,
        "  {:<width$}  {:<11}  {:>12}  {:>12}  {:>8}",
        "SESSION", "FROM", "CLAUDE CODE", "COSTTOP", "DIFF"
    );
    for s in e.by_session.iter().take(SECTION_SESSIONS) {
        let [estimate, costtop, difference] = figures(&s.figures);
        let _ = writeln!(
            out,
            "  {:<width$}  {:<11}  {estimate:>12}  {costtop:>12}  {difference:>8}",
            s.session,
            s.source.replace('_', "-"),
        );
    }
    let more = (e.coverage.sessions as usize).saturating_sub(SECTION_SESSIONS);
    if more > 0 {
        let _ = writeln!(
            out,
            "  … {} more (report --by session lists every one)",
            sessions(more as u64)
        );
    }
}

fn render_days(out: &mut String, e: &ClaudeCodeEstimates) {
    let skip = e.by_day.len().saturating_sub(SECTION_DAYS);
    let _ = writeln!(
        out,
        "  {:<10}  {:>12}  {:>12}  {:>8}",
        "DAY", "CLAUDE CODE", "COSTTOP", "DIFF"
    );
    for d in &e.by_day[skip..] {
        let [estimate, costtop, difference] = figures(&d.figures);
        let _ = writeln!(
            out,
            "  {:<10}  {estimate:>12}  {costtop:>12}  {difference:>8}",
            d.day.to_string(),
        );
    }
}

/// What Claude Code's figures cover that no record does. (Compactions are said once, with
/// the sources, whether or not Claude Code's figures were read.)
fn render_coverage(out: &mut String, e: &ClaudeCodeEstimates) {
    let c = &e.coverage;
    if c.sessions_without_records > 0 {
        let _ = writeln!(
            out,
            "  {} with Claude Code's figures but no record costtop read",
            sessions(c.sessions_without_records)
        );
    }
    if !c.not_in_transcripts_by_model.is_empty() {
        let _ = writeln!(
            out,
            "  Not in any transcript line ({} by Claude Code: its own calls, e.g. session titles):",
            c.not_in_transcripts_cost
        );
        for m in &c.not_in_transcripts_by_model {
            let _ = writeln!(
                out,
                "    {} in {}: {} input, {} output, {} cache-read, {} cache-write tokens · {}",
                m.model,
                sessions(m.sessions),
                thousands(m.input_tokens),
                thousands(m.output_tokens),
                thousands(m.cache_read_tokens),
                thousands(m.cache_write_tokens),
                m.estimate
            );
        }
    }
    if c.dropped_figures > 0 {
        let _ = writeln!(
            out,
            "  {} old figures forgotten to bound memory",
            thousands(c.dropped_figures)
        );
    }
}

/// What the sources' `compact_boundary` lines say, when they counted any: Claude Code's
/// `/compact` summaries are billed, but no transcript line holds them.
pub(crate) fn compactions_note(snap: &Snapshot) -> Option<String> {
    let n: u64 = snap.sources.iter().map(|s| s.compactions).sum();
    let count = match n {
        0 => return None,
        1 => "1 compaction: its summary request is".to_string(),
        n => format!("{} compactions: their summary requests are", thousands(n)),
    };
    Some(format!(
        "{count} billed but in no transcript (see them with --proxy or Claude Code's OTLP \
         telemetry)"
    ))
}

/// Claude Code's estimate, costtop's figure (`≥ $1.20` when it leaves unpriced requests out)
/// and the difference (`+1.5%`, or `—` without an estimate to compare with).
fn figures(c: &Comparison) -> [String; 3] {
    let costtop = if c.costtop_unpriced_requests > 0 {
        format!("≥ {}", c.costtop)
    } else {
        c.costtop.to_string()
    };
    let difference = c
        .difference_pct
        .map_or_else(|| "—".to_string(), |p| format!("{p:+.1}%"));
    [c.estimate.to_string(), costtop, difference]
}

/// `1 session`, `3 sessions`.
fn sessions(n: u64) -> String {
    plural(n, "session")
}

/// `1 request`, `3 requests`.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}
