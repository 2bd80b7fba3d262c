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

pub use spans::DEFAULT_SPAN_TAGS;

/// How payloads are mapped: which span attributes become tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapOptions {
    /// Span attributes copied to tags under their own name (`[otlp] span_tags`); every
    /// `costtop.tag.KEY` is copied as `KEY` besides.
    pub span_tags: Vec<String>,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            span_tags: DEFAULT_SPAN_TAGS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// The options of this process's receiver, set once from the config.
static OPTIONS: std::sync::OnceLock<MapOptions> = std::sync::OnceLock::new();

/// Sets how this process maps payloads (from the config file, before the listener starts);
/// the first setting stays.
pub fn set_map_options(options: MapOptions) {
    let _ = OPTIONS.set(options);
}

/// Maps a decoded export request with this process's options; `now` bounds plausible record
/// times.
pub fn map_export(export: &Export, now: DateTime<Utc>) -> Mapped {
    map_export_with(export, now, OPTIONS.get_or_init(MapOptions::default))
}

/// Maps a decoded export request; `now` bounds plausible record times.
pub fn map_export_with(export: &Export, now: DateTime<Utc>, options: &MapOptions) -> Mapped {
    let mut out = Mapped::default();
    match export {
        Export::Logs(req) => logs::map(req, now, &mut out),
        Export::Metrics(req) => metrics::map(req, now, &mut out),
        Export::Traces(req) => spans::map(req, now, &options.span_tags, &mut out),
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
