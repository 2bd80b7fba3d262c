//! Each opportunity in one plain sentence ("412 classify requests on Opus 5.5 with ≤ 256
//! output tokens: $38.10 → $9.52 on Sonnet 5.5").

use super::caching::MIN_CACHEABLE;
use super::rules::{SIMPLE_OUTPUT, SIMPLE_PROMPT};
use crate::format::thousands;
use crate::pricing::Money;
use crate::snapshot::Kind;

/// What a sentence is about.
pub(super) struct Subject<'a> {
    /// The rule.
    pub(crate) kind: Kind,
    /// The group's name (`(none)` is left out of sentences).
    pub(crate) group: &'a str,
    /// The model's family name.
    pub(crate) model: &'a str,
    /// Routing: the family one step down.
    pub(crate) to: Option<&'a str>,
    /// Output: the model's p99 in the window.
    pub(crate) p99: Option<u64>,
    /// Requests (or writes) affected.
    pub(crate) requests: u64,
    /// What they cost now.
    pub(crate) current: Money,
    /// What the rule saves.
    pub(crate) saved: Money,
}

/// "412 classify requests" (or "3 requests in /home/dev/api" for a path): a count, the
/// group, and the noun in the right number.
fn counted(n: u64, group: &str, one: &str, many: &str) -> String {
    let noun = if n == 1 { one } else { many };
    let n = thousands(n);
    if group == "(none)" || group.is_empty() {
        format!("{n} {noun}")
    } else if group.contains('/') {
        format!("{n} {noun} in {group}")
    } else {
        format!("{n} {group} {noun}")
    }
}

/// The sentence for one opportunity.
pub(super) fn sentence(s: &Subject<'_>) -> String {
    let (model, to) = (s.model, s.to.unwrap_or("the next tier"));
    let after = s.current - s.saved;
    let (now, saved) = (s.current, s.saved);
    let what = |one: &str, many: &str| counted(s.requests, s.group, one, many);
    match s.kind {
        Kind::SimpleRequests => format!(
            "{} on {model} with ≤ {SIMPLE_OUTPUT} output and < {} prompt tokens: {now} → {after} on {to}",
            what("request", "requests"),
            thousands(SIMPLE_PROMPT),
        ),
        Kind::WholeGroupDown => format!(
            "all {} on {model} one tier down on {to}: {now} → {after} (an alternative, not in the total)",
            what("request", "requests"),
        ),
        Kind::UncachedRepeats => format!(
            "{} on {model} resent ≥ {} uncached input tokens within 5 minutes: {now} of input, up to {saved} less read from the cache",
            what("request", "requests"),
            thousands(MIN_CACHEABLE),
        ),
        Kind::WritesNeverRead => format!(
            "{} on {model} never read within their TTL: {now} paid, {saved} of it over plain input",
            what("cache write", "cache writes"),
        ),
        Kind::OneHourWrites => format!(
            "{} on {model} read only within 5 minutes of the previous request: {now} → {after} as 5-minute writes",
            what("1-hour cache write", "1-hour cache writes"),
        ),
        Kind::AsyncStandardTier => format!(
            "{} on {model} in a group marked async: {now} → {after} through the Batch API",
            what("standard-tier request", "standard-tier requests"),
        ),
        Kind::MaxTokensStops => format!(
            "{} on {model} stopped at max_tokens: {saved} of cut-off output, likely paid again on retry",
            what("response", "responses"),
        ),
        Kind::AboveP99 => format!(
            "{} on {model} ran past its p99 of {} output tokens: {saved} for the tokens above it (set max_tokens near the p99)",
            what("response", "responses"),
            thousands(s.p99.unwrap_or(0)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_reads_like_the_issue_says() {
        let s = Subject {
            kind: Kind::SimpleRequests,
            group: "classify",
            model: "Opus 5.5",
            to: Some("Sonnet 5.5"),
            p99: None,
            requests: 412,
            current: Money::from_usd(38.10),
            saved: Money::from_usd(28.58),
        };
        assert_eq!(
            sentence(&s),
            "412 classify requests on Opus 5.5 with ≤ 256 output and < 8,000 prompt tokens: $38.10 → $9.52 on Sonnet 5.5"
        );
        let one = Subject {
            kind: Kind::MaxTokensStops,
            group: "(none)",
            requests: 1,
            ..s
        };
        assert!(
            sentence(&one).starts_with("1 response on Opus 5.5"),
            "{}",
            sentence(&one)
        );
    }
}
