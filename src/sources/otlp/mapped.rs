//! What one OTLP payload held, mapped: usage records, Claude Code's own cost figures, and
//! the counts the receiver reports as health.

use chrono::{DateTime, Utc};

use crate::usage::{ToolEstimate, UsageEvent};

/// What one payload held, mapped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapped {
    /// Usage records (`api_request` events, GenAI spans).
    pub events: Vec<UsageEvent>,
    /// Claude Code's own cost figures (`claude_code.cost.usage` data points).
    pub(crate) estimates: Vec<ToolEstimate>,
    /// Records costtop reads (usage events, cost data points, GenAI spans), accepted or not;
    /// records of no interest (other Claude Code events, other spans) are not counted.
    pub(crate) records: u64,
    /// Records refused: malformed, or of a kind costtop does not read.
    pub(crate) rejected: u64,
    /// Why the first refused record was refused.
    pub(crate) first_rejection: Option<String>,
    /// Counted records whose cache writes had no 5m/1h split (priced as 5-minute writes).
    pub(crate) ttl_assumed: u64,
    /// Anthropic LLM spans that name no token counts (counted among `rejected` too).
    pub(crate) llm_unreadable: u64,
    /// Identities of the resources that sent records (hashes).
    pub(crate) senders: Vec<u64>,
    /// The newest record time.
    pub(crate) last_event: Option<DateTime<Utc>>,
}

impl Mapped {
    /// Counts a refused record.
    pub(super) fn reject(&mut self, reason: impl FnOnce() -> String) {
        self.records += 1;
        self.rejected += 1;
        if self.first_rejection.is_none() {
            self.first_rejection = Some(reason());
        }
    }

    /// Counts an LLM span that cannot be read as usage (a refused record of its own kind).
    pub(super) fn unreadable_llm_span(&mut self, reason: impl FnOnce() -> String) {
        self.llm_unreadable += 1;
        self.reject(reason);
    }

    /// Counts an accepted usage record.
    pub(super) fn accept(&mut self, event: UsageEvent) {
        self.records += 1;
        self.last_event = self.last_event.max(Some(event.timestamp));
        self.events.push(event);
    }

    /// Counts an accepted estimate.
    pub(super) fn estimate(&mut self, estimate: ToolEstimate) {
        self.records += 1;
        self.estimates.push(estimate);
    }

    /// Notes a sender (each resource once).
    pub(super) fn sender(&mut self, identity: u64) {
        if !self.senders.contains(&identity) {
            self.senders.push(identity);
        }
    }

    /// Records accepted.
    pub(crate) fn accepted(&self) -> u64 {
        self.records - self.rejected
    }
}
