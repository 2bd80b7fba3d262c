//! What the organisation's Admin API said beyond usage, as the latest word of each kind:
//! spend limits, rate limits, and Claude Code's per-developer days.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::usage::{ClaudeCodeDay, OrgUpdate, RateLimitGroup, SpendLimitReading};

/// Most Claude Code rows kept (developers × days); the oldest days go first.
const MAX_CLAUDE_CODE_ROWS: usize = 100_000;

/// The latest spend limits, rate limits and Claude Code days.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgState {
    /// Every spend limit in force.
    pub(crate) spend_limits: Vec<SpendLimitReading>,
    /// Every configured rate limit.
    pub(crate) rate_limits: Vec<RateLimitGroup>,
    /// Claude Code's figures by (UTC day, developer).
    pub(crate) claude_code: BTreeMap<(NaiveDate, String), ClaudeCodeDay>,
    /// Rows forgotten to stay within [`MAX_CLAUDE_CODE_ROWS`].
    pub(crate) dropped_rows: u64,
}

impl OrgState {
    /// Takes an update: lists replace the previous lists; Claude Code rows replace the rows
    /// of the days they cover. Returns whether anything changed.
    pub(crate) fn apply(&mut self, update: OrgUpdate) -> bool {
        match update {
            OrgUpdate::SpendLimits(limits) => replace(&mut self.spend_limits, limits),
            OrgUpdate::RateLimits(limits) => replace(&mut self.rate_limits, limits),
            OrgUpdate::ClaudeCode { days, rows } => {
                let before = self.claude_code.len();
                for day in &days {
                    self.claude_code.retain(|(d, _), _| d != day);
                }
                let removed = before != self.claude_code.len();
                let added = !rows.is_empty();
                for row in rows.into_iter().filter(|r| days.contains(&r.day)) {
                    self.claude_code.insert((row.day, row.actor.clone()), row);
                }
                while self.claude_code.len() > MAX_CLAUDE_CODE_ROWS {
                    self.claude_code.pop_first();
                    self.dropped_rows += 1;
                }
                removed || added
            }
        }
    }
}

fn replace<T: PartialEq>(slot: &mut Vec<T>, new: Vec<T>) -> bool {
    if *slot == new {
        return false;
    }
    *slot = new;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::usage::Tokens;

    fn row(day: u32, actor: &str, cents: &str) -> ClaudeCodeDay {
        ClaudeCodeDay {
            day: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            actor: actor.into(),
            sessions: 1,
            lines: (0, 0),
            commits: 0,
            pull_requests: 0,
            estimated_cost: Money::from_cents_str(cents).unwrap(),
            tokens: Tokens::default(),
        }
    }

    #[test]
    fn a_day_read_again_replaces_its_rows_only() {
        let mut org = OrgState::default();
        let (d1, d2) = (row(1, "a@x", "100").day, row(2, "a@x", "1").day);
        assert!(org.apply(OrgUpdate::ClaudeCode {
            days: vec![d1, d2],
            rows: vec![
                row(1, "a@x", "100"),
                row(1, "b@x", "50"),
                row(2, "a@x", "7")
            ],
        }));
        assert!(org.apply(OrgUpdate::ClaudeCode {
            days: vec![d1],
            rows: vec![row(1, "a@x", "120")],
        }));
        let kept: Vec<(u32, &str, Money)> = org
            .claude_code
            .values()
            .map(|r| {
                (
                    chrono::Datelike::day(&r.day),
                    r.actor.as_str(),
                    r.estimated_cost,
                )
            })
            .collect();
        let cents = |s: &str| Money::from_cents_str(s).unwrap();
        assert_eq!(kept, [(1, "a@x", cents("120")), (2, "a@x", cents("7"))]);
        assert!(!org.apply(OrgUpdate::SpendLimits(Vec::new())));
    }
}
