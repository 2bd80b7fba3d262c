//! The OTLP/HTTP receiver as a source: payloads of `/v1/logs`, `/v1/metrics` and
//! `/v1/traces` (protobuf or JSON) decoded and mapped to what the aggregator counts —
//! Claude Code's `api_request` events and OTel GenAI spans as usage records, Claude Code's
//! `cost.usage` metric as its own estimate (never spend). Mapping is pure (payload in,
//! records out); [`Receiver`] turns it into source messages and health.

mod attrs;
mod decode;
mod logs;
mod metrics;
mod receiver;
mod spans;

use chrono::{DateTime, Utc};

pub use decode::{
    DecodeError, Encoding, Export, Signal, decode, rpc_code, status_body, success_body,
};
pub use receiver::{Receiver, SOURCE_NAME};

use crate::usage::{ToolEstimate, UsageEvent};

/// What one payload held, mapped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapped {
    /// Usage records (`api_request` events, GenAI spans).
    pub events: Vec<UsageEvent>,
    /// Claude Code's own cost figures (`claude_code.cost.usage` data points).
    pub estimates: Vec<ToolEstimate>,
    /// Records costtop reads (usage events, cost data points, GenAI spans), accepted or not;
    /// records of no interest (other Claude Code events, other spans) are not counted.
    pub records: u64,
    /// Records refused: malformed, or of a kind costtop does not read.
    pub rejected: u64,
    /// Why the first refused record was refused.
    pub first_rejection: Option<String>,
    /// Counted records whose cache writes had no 5m/1h split (priced as 5-minute writes).
    pub ttl_assumed: u64,
    /// Identities of the resources that sent records (hashes).
    pub senders: Vec<u64>,
    /// The newest record time.
    pub last_event: Option<DateTime<Utc>>,
}

impl Mapped {
    /// Counts a refused record.
    fn reject(&mut self, reason: impl FnOnce() -> String) {
        self.records += 1;
        self.rejected += 1;
        if self.first_rejection.is_none() {
            self.first_rejection = Some(reason());
        }
    }

    /// Counts an accepted usage record.
    fn accept(&mut self, event: UsageEvent) {
        self.records += 1;
        self.last_event = self.last_event.max(Some(event.timestamp));
        self.events.push(event);
    }

    /// Counts an accepted estimate.
    fn estimate(&mut self, estimate: ToolEstimate) {
        self.records += 1;
        self.estimates.push(estimate);
    }

    /// Notes a sender (each resource once).
    fn sender(&mut self, identity: u64) {
        if !self.senders.contains(&identity) {
            self.senders.push(identity);
        }
    }

    /// Records accepted.
    pub fn accepted(&self) -> u64 {
        self.records - self.rejected
    }
}

/// Maps a decoded export request; `now` bounds plausible record times.
pub fn map_export(export: &Export, now: DateTime<Utc>) -> Mapped {
    let mut out = Mapped::default();
    match export {
        Export::Logs(req) => logs::map(req, now, &mut out),
        Export::Metrics(req) => metrics::map(req, now, &mut out),
        Export::Traces(req) => spans::map(req, now, &mut out),
    }
    out
}

/// What the mapping tests share: a fixed "now" and a JSON payload mapped.
#[cfg(test)]
pub(crate) mod testing {
    use chrono::{DateTime, Utc};

    use super::{Encoding, Mapped, Signal, decode, map_export};

    /// 2026-12-01T22:00:00Z, just after the shared fixture's event.
    pub fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T22:00:00Z")
            .expect("time")
            .to_utc()
    }

    /// A JSON payload of `signal`, decoded and mapped.
    pub fn mapped(signal: Signal, json: &str) -> Mapped {
        map_export(
            &decode(signal, Encoding::Json, json.as_bytes()).expect("decodes"),
            now(),
        )
    }
}
