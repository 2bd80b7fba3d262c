//! The OTLP/HTTP receiver as a source: payloads of `/v1/logs`, `/v1/metrics` and
//! `/v1/traces` (protobuf or JSON) decoded and mapped to what the aggregator counts —
//! Claude Code's `api_request` events and OTel GenAI spans as usage records, Claude Code's
//! `cost.usage` metric as its own estimate (never spend). Mapping is pure (payload in,
//! records out); [`Receiver`] turns it into source messages and health.

mod attrs;
mod decode;
mod logs;
mod mapped;
mod metrics;
mod receiver;
mod spans;
#[cfg(test)]
mod testing;

use chrono::{DateTime, Utc};

pub use decode::{Encoding, Signal, decode};

pub use decode::Export;

pub use decode::DecodeError;

pub(crate) use decode::{rpc_code, status_body, success_body};
pub use mapped::Mapped;
pub use receiver::Receiver;

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
