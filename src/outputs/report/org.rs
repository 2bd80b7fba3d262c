//! The report's organisation sections, when the Admin API gave them: the org's spend limits
//! beside the budgets, rate-limit headroom, and Claude Code's own per-developer figures (also
//! the estimate column beside `--by actor` rows).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::format::{compact, thousands};
use crate::pricing::Money;
use crate::snapshot::{OrgSnapshot, Snapshot};

/// Developers listed in the Claude Code section.
const SECTION_ACTORS: usize = 20;

/// Claude Code's estimate per developer, for the column beside `--by actor` rows.
pub(super) fn actor_column(snap: &Snapshot) -> Option<HashMap<String, Money>> {
    let cc = &snap.org.claude_code;
    (!cc.is_empty()).then(|| cc.iter().map(|a| (a.actor.clone(), a.estimate)).collect())
}

/// The sections (empty when the Admin API gave none of it).
pub(crate) fn render(org: &OrgSnapshot) -> String {
    let mut out = String::new();
    if !org.spend_limits.is_empty() {
        let _ = writeln!(out, "\nSpend limits (Anthropic's, UTC periods)");
        let _ = writeln!(
            out,
            "{:<32}{:>7}{:>14}{:>14}{:>8}  {:<9} SPENT BY",
            "LIMIT", "PERIOD", "SPENT", "LIMIT", "USED", "STATE"
        );
        for s in &org.spend_limits {
            let limit = s
                .limit
                .map_or_else(|| "none".to_string(), |l| l.to_string());
            let used = s
                .share()
                .map_or_else(|| "—".to_string(), |u| format!("{:.0}%", u * 100.0));
            let _ = writeln!(
                out,
                "{:<32}{:>7}{:>14}{:>14}{:>8}  {:<9} {}",
                s.name,
                s.period,
                s.spent.to_string(),
                limit,
                used,
                s.state,
                s.spent_source
            );
        }
    }
    if !org.rate_limits.is_empty() {
        let _ = writeln!(
            out,
            "\nRate limits (configured; used: the latest minute with data)"
        );
        for r in &org.rate_limits {
            let used = match (r.used, r.share()) {
                (Some(u), Some(share)) => format!(
                    "{:.0}% of {} ({} at {})",
                    share * 100.0,
                    compact(r.limit),
                    compact(u),
                    r.minute
                        .map_or_else(String::new, |m| m.format("%H:%M UTC").to_string())
                ),
                _ => format!("{} (no minute data)", compact(r.limit)),
            };
            let _ = writeln!(out, "  {} {}: {used}", r.group, r.limit_type);
        }
    }
    if !org.claude_code.is_empty() {
        let _ = writeln!(
            out,
            "\nClaude Code Analytics (its own estimate per developer: a check, never added to \
             the cost above)"
        );
        let _ = writeln!(
            out,
            "{:<32}{:>6}{:>10}{:>14}{:>10}{:>9}{:>6}",
            "DEVELOPER", "DAYS", "SESSIONS", "ESTIMATE", "+LINES", "-LINES", "PRS"
        );
        for a in org.claude_code.iter().take(SECTION_ACTORS) {
            let _ = writeln!(
                out,
                "{:<32}{:>6}{:>10}{:>14}{:>10}{:>9}{:>6}",
                a.actor,
                a.days,
                thousands(a.sessions),
                a.estimate.to_string(),
                thousands(a.lines_added),
                thousands(a.lines_removed),
                a.pull_requests
            );
        }
        if org.claude_code.len() > SECTION_ACTORS {
            let _ = writeln!(
                out,
                "… and {} more (--format json lists every one)",
                org.claude_code.len() - SECTION_ACTORS
            );
        }
    }
    out
}
