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

pub use decode::{DecodeError, Decoded, Encoding, Export, Signal, decode, decode_records};

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

/// Maps a request decoded record by record: the records refused by the decoder are counted
/// as refused beside those the mapping refuses.
pub fn map_decoded(decoded: &Decoded, now: DateTime<Utc>) -> Mapped {
    let mut out = map_export(&decoded.export, now);
    out.records += decoded.rejected;
    out.rejected += decoded.rejected;
    if out.first_rejection.is_none() {
        out.first_rejection.clone_from(&decoded.first_rejection);
    }
    out
}
