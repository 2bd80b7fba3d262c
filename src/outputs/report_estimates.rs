//! The report's "Claude Code's estimate" section, and the estimate column beside the rows of
//! `--by session` and `--by day`: Claude Code's own figures as a check, never spend.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::aggregate::Snapshot;
use crate::aggregate::snapshot::ClaudeCodeEstimates;
use crate::format::thousands;
use crate::pricing::Money;

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
                .map(|s| (s.session.clone(), s.estimate))
                .collect(),
        ),
        "day" => Some(
            e.by_day
                .iter()
                .map(|d| (d.day.to_string(), d.estimate))
                .collect(),
        ),
        _ => None,
    }
}

/// The section: totals beside costtop's, the largest sessions, the days, and what Claude Code
/// accounted for that no transcript line holds. Empty when Claude Code's figures were not read.
pub fn render(snap: &Snapshot) -> String {
    let e = &snap.claude_code_estimates;
    let mut out = String::new();
    if e.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nClaude Code's estimate (its own figures: a check, never added to the cost above)"
    );
    let _ = writeln!(
        out,
        "  Claude Code {} · costtop {} for the same {} ({})",
        e.estimate,
        bound(e.costtop, e.costtop_unpriced_requests),
        sessions(e.coverage.sessions),
        diff(e.difference_pct)
    );
    if e.costtop_unpriced_requests > 0 {
        let _ = writeln!(
            out,
            "  (costtop's figure leaves out {} it cannot price)",
            plural(e.costtop_unpriced_requests, "request")
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
        let _ = writeln!(
            out,
            "  {:<width$}  {:<11}  {:>12}  {:>12}  {:>8}",
            s.session,
            s.source.replace('_', "-"),
            s.estimate.to_string(),
            bound(s.costtop, s.costtop_unpriced_requests),
            diff(s.difference_pct)
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
        let _ = writeln!(
            out,
            "  {:<10}  {:>12}  {:>12}  {:>8}",
            d.day.to_string(),
            d.estimate.to_string(),
            d.costtop.to_string(),
            diff(d.difference_pct)
        );
    }
}

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

/// `+1.5%`, or `—` without an estimate to compare with.
fn diff(pct: Option<f64>) -> String {
    pct.map_or_else(|| "—".to_string(), |p| format!("{p:+.1}%"))
}

/// An amount, as a lower bound (`≥ $1.20`) when it leaves unpriced requests out.
fn bound(amount: Money, unpriced: u64) -> String {
    if unpriced > 0 {
        format!("≥ {amount}")
    } else {
        amount.to_string()
    }
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
