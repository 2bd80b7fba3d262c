//! An export request taken apart record by record. Every OTLP signal has the same envelope —
//! request → resources (a resource, scopes, a schema URL) → scopes (a scope, records, a
//! schema URL) — in protobuf (fields 1, 2, 3 at both levels) and in JSON: the envelope is
//! walked without decoding what it holds, then each record, resource and scope is decoded on
//! its own. A record that does not decode is refused alone; a resource or scope that does not
//! decode refuses the records under it. Each record meets its decoder's nesting limit on its
//! own, so attribute values nested up to 32 levels deep are always accepted (about 40 in JSON
//! and 47 in protobuf before a record is refused).

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::{Metric, ResourceMetrics, ScopeMetrics};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use prost::bytes::Buf;
use prost::encoding::{DecodeContext, WireType, decode_key, decode_varint, skip_field};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::kinds::Encoding;

/// One signal's export request, built back from its decoded parts.
pub(super) trait Envelope: Sized {
    /// A record: a log record, a metric, a span.
    type Record: Message + Default + DeserializeOwned;
    /// JSON keys of the resources, the scopes and the records.
    const KEYS: [&'static str; 3];
    /// What a record is called in a refusal.
    const RECORD: &'static str;
    /// The request of these resources: (resource, schema URL, scopes: (scope, schema URL,
    /// records)).
    fn build(resources: Vec<Part<Self::Record>>) -> Self;
}

/// A resource and what is under it, decoded.
pub(super) type Part<R> = (
    Option<Resource>,
    String,
    Vec<(Option<InstrumentationScope>, String, Vec<R>)>,
);

/// Bytes of one part, not decoded yet.
#[derive(Clone, Copy)]
enum Raw<'a> {
    Proto(&'a [u8]),
    Json(&'a RawValue),
}

impl Raw<'_> {
    fn decode<T: Message + Default + DeserializeOwned>(self) -> Result<T, String> {
        match self {
            Raw::Proto(bytes) => T::decode(bytes).map_err(|e| e.to_string()),
            Raw::Json(raw) => serde_json::from_str(raw.get()).map_err(|e| e.to_string()),
        }
    }
}

#[derive(Default)]
struct RawScope<'a> {
    scope: Vec<Raw<'a>>,
    schema_url: String,
    records: Vec<Raw<'a>>,
}

#[derive(Default)]
struct RawResource<'a> {
    resource: Vec<Raw<'a>>,
    schema_url: String,
    scopes: Vec<RawScope<'a>>,
}

/// What was refused: how many records, and why the first.
#[derive(Default)]
struct Refused {
    count: u64,
    first: Option<String>,
}

impl Refused {
    fn add(&mut self, count: u64, why: impl FnOnce() -> String) {
        if count > 0 {
            self.count += count;
            self.first.get_or_insert_with(why);
        }
    }
}

/// Decodes `body` record by record: the request without the refused records, how many were
/// refused and why the first; `Err` when the envelope itself does not decode.
pub(super) fn decode<E: Envelope>(
    encoding: Encoding,
    body: &[u8],
) -> Result<(E, u64, Option<String>), String> {
    let raw = match encoding {
        Encoding::Protobuf => proto_envelope(body)?,
        Encoding::Json => json_envelope(body, E::KEYS)?,
    };
    let mut refused = Refused::default();
    let mut resources = Vec::with_capacity(raw.len());
    for (r, res) in raw.into_iter().enumerate() {
        let held = res.scopes.iter().map(|s| s.records.len() as u64).sum();
        let resource = match merged::<Resource>(&res.resource) {
            Ok(resource) => resource,
            Err(e) => {
                refused.add(held, || format!("resource {r}: {e}"));
                continue;
            }
        };
        let mut scopes = Vec::with_capacity(res.scopes.len());
        for (s, sc) in res.scopes.into_iter().enumerate() {
            let scope = match merged::<InstrumentationScope>(&sc.scope) {
                Ok(scope) => scope,
                Err(e) => {
                    let held = sc.records.len() as u64;
                    refused.add(held, || format!("resource {r} scope {s}: {e}"));
                    continue;
                }
            };
            let mut records = Vec::with_capacity(sc.records.len());
            for (n, raw) in sc.records.into_iter().enumerate() {
                match raw.decode::<E::Record>() {
                    Ok(record) => records.push(record),
                    Err(e) => refused.add(1, || format!("{} {n}: {e}", E::RECORD)),
                }
            }
            scopes.push((scope, sc.schema_url, records));
        }
        resources.push((resource, res.schema_url, scopes));
    }
    Ok((E::build(resources), refused.count, refused.first))
}

/// A message sent as several parts (protobuf merges repeated non-repeated fields), or none.
fn merged<T: Message + Default + DeserializeOwned>(parts: &[Raw<'_>]) -> Result<Option<T>, String> {
    let mut out: Option<T> = None;
    for part in parts {
        match (part, &mut out) {
            (Raw::Proto(bytes), Some(t)) => t.merge(*bytes).map_err(|e| e.to_string())?,
            (Raw::Json(raw), _) if raw.get() == "null" => {}
            _ => out = Some(part.decode()?),
        }
    }
    Ok(out)
}

/// The length-delimited fields of one protobuf message, with their numbers (other fields
/// are skipped); broken framing is an error.
fn proto_fields(mut buf: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    let mut fields = Vec::new();
    while buf.has_remaining() {
        let (tag, wire) = decode_key(&mut buf).map_err(|e| e.to_string())?;
        if wire == WireType::LengthDelimited {
            let len = decode_varint(&mut buf).map_err(|e| e.to_string())?;
            let len = usize::try_from(len)
                .ok()
                .filter(|&n| n <= buf.len())
                .ok_or("a field runs past the end of its message")?;
            fields.push((tag, &buf[..len]));
            buf.advance(len);
        } else {
            skip_field(wire, tag, &mut buf, DecodeContext::default()).map_err(|e| e.to_string())?;
        }
    }
    Ok(fields)
}

fn proto_envelope(body: &[u8]) -> Result<Vec<RawResource<'_>>, String> {
    let mut resources = Vec::new();
    for (_, bytes) in proto_fields(body)?.into_iter().filter(|(tag, _)| *tag == 1) {
        let mut res = RawResource::default();
        for (tag, bytes) in proto_fields(bytes)? {
            match tag {
                1 => res.resource.push(Raw::Proto(bytes)),
                2 => {
                    let mut scope = RawScope::default();
                    for (tag, bytes) in proto_fields(bytes)? {
                        match tag {
                            1 => scope.scope.push(Raw::Proto(bytes)),
                            2 => scope.records.push(Raw::Proto(bytes)),
                            3 => scope.schema_url = String::from_utf8_lossy(bytes).into_owned(),
                            _ => {}
                        }
                    }
                    res.scopes.push(scope);
                }
                3 => res.schema_url = String::from_utf8_lossy(bytes).into_owned(),
                _ => {}
            }
        }
        resources.push(res);
    }
    Ok(resources)
}

/// A JSON object's fields as raw values (later duplicates win, as in serde).
type Object<'a> = std::collections::HashMap<String, &'a RawValue>;

fn json_envelope<'a>(body: &'a [u8], keys: [&str; 3]) -> Result<Vec<RawResource<'a>>, String> {
    let [resources_key, scopes_key, records_key] = keys;
    let top: Object<'a> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let list = |object: &Object<'a>, key: &str| -> Result<Vec<&'a RawValue>, String> {
        match object.get(key) {
            None => Ok(Vec::new()),
            Some(raw) if raw.get() == "null" => Ok(Vec::new()),
            Some(raw) => serde_json::from_str(raw.get()).map_err(|e| format!("{key}: {e}")),
        }
    };
    let text = |object: &Object<'a>, key: &str| -> String {
        object
            .get(key)
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
            .unwrap_or_default()
    };
    let mut resources = Vec::new();
    for raw in list(&top, resources_key)? {
        let object: Object<'a> =
            serde_json::from_str(raw.get()).map_err(|e| format!("{resources_key}: {e}"))?;
        let mut res = RawResource {
            resource: object
                .get("resource")
                .map(|r| Raw::Json(r))
                .into_iter()
                .collect(),
            schema_url: text(&object, "schemaUrl"),
            scopes: Vec::new(),
        };
        for raw in list(&object, scopes_key)? {
            let object: Object<'a> =
                serde_json::from_str(raw.get()).map_err(|e| format!("{scopes_key}: {e}"))?;
            res.scopes.push(RawScope {
                scope: object
                    .get("scope")
                    .map(|r| Raw::Json(r))
                    .into_iter()
                    .collect(),
                schema_url: text(&object, "schemaUrl"),
                records: list(&object, records_key)?
                    .into_iter()
                    .map(Raw::Json)
                    .collect(),
            });
        }
        resources.push(res);
    }
    Ok(resources)
}

impl Envelope for ExportLogsServiceRequest {
    type Record = LogRecord;
    const KEYS: [&'static str; 3] = ["resourceLogs", "scopeLogs", "logRecords"];
    const RECORD: &'static str = "log record";

    fn build(resources: Vec<Part<LogRecord>>) -> Self {
        let resource_logs = resources
            .into_iter()
            .map(|(resource, schema_url, scopes)| ResourceLogs {
                resource,
                schema_url,
                scope_logs: scopes
                    .into_iter()
                    .map(|(scope, schema_url, log_records)| ScopeLogs {
                        scope,
                        log_records,
                        schema_url,
                    })
                    .collect(),
            })
            .collect();
        ExportLogsServiceRequest { resource_logs }
    }
}

impl Envelope for ExportMetricsServiceRequest {
    type Record = Metric;
    const KEYS: [&'static str; 3] = ["resourceMetrics", "scopeMetrics", "metrics"];
    const RECORD: &'static str = "metric";

    fn build(resources: Vec<Part<Metric>>) -> Self {
        let resource_metrics = resources
            .into_iter()
            .map(|(resource, schema_url, scopes)| ResourceMetrics {
                resource,
                schema_url,
                scope_metrics: scopes
                    .into_iter()
                    .map(|(scope, schema_url, metrics)| ScopeMetrics {
                        scope,
                        metrics,
                        schema_url,
                    })
                    .collect(),
            })
            .collect();
        ExportMetricsServiceRequest { resource_metrics }
    }
}

impl Envelope for ExportTraceServiceRequest {
    type Record = Span;
    const KEYS: [&'static str; 3] = ["resourceSpans", "scopeSpans", "spans"];
    const RECORD: &'static str = "span";

    fn build(resources: Vec<Part<Span>>) -> Self {
        let resource_spans = resources
            .into_iter()
            .map(|(resource, schema_url, scopes)| ResourceSpans {
                resource,
                schema_url,
                scope_spans: scopes
                    .into_iter()
                    .map(|(scope, schema_url, spans)| ScopeSpans {
                        scope,
                        spans,
                        schema_url,
                    })
                    .collect(),
            })
            .collect();
        ExportTraceServiceRequest { resource_spans }
    }
}
