//! OTLP/HTTP bodies in and out: protobuf or JSON export requests decoded with the
//! `opentelemetry-proto` types (prost, and its serde mapping for JSON), and the responses the
//! OTLP/HTTP spec asks for — an export response with partial-success counts, or a
//! `google.rpc.Status` for a refused payload — in the request's own encoding.
//!
//! JSON: the OTLP mapping writes lowerCamelCase keys, 64-bit integers as strings (numbers
//! are accepted too), trace and span ids in hex. Bodies written with the proto's own
//! snake_case field names are accepted as well: their keys are renamed before decoding (every
//! object key in OTLP JSON is a field name; attribute keys are values), which only costs
//! that detour for such bodies.

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use serde::de::DeserializeOwned;

/// The three OTLP signals costtop receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `/v1/logs`: Claude Code's events.
    Logs,
    /// `/v1/metrics`: Claude Code's metrics.
    Metrics,
    /// `/v1/traces`: GenAI spans.
    Traces,
}

impl Signal {
    /// The signal's name, as in its URL path.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
        }
    }
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json`.
    Json,
}

impl Encoding {
    /// The encoding a `Content-Type` names (parameters such as `charset` are ignored).
    pub(crate) fn from_content_type(content_type: &str) -> Option<Encoding> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    /// The `Content-Type` of a response in this encoding.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// A decoded export request.
#[derive(Debug, Clone, PartialEq)]
pub enum Export {
    /// Logs.
    Logs(ExportLogsServiceRequest),
    /// Metrics.
    Metrics(ExportMetricsServiceRequest),
    /// Traces.
    Traces(ExportTraceServiceRequest),
}

/// A body that is not an export request of its signal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("undecodable OTLP {signal} {encoding}: {reason}")]
pub struct DecodeError {
    signal: &'static str,
    encoding: &'static str,
    reason: String,
}

/// Decodes a body of `signal` in `encoding`.
pub fn decode(signal: Signal, encoding: Encoding, body: &[u8]) -> Result<Export, DecodeError> {
    let fail = |reason: String| DecodeError {
        signal: signal.as_str(),
        encoding: match encoding {
            Encoding::Protobuf => "protobuf",
            Encoding::Json => "JSON",
        },
        reason,
    };
    match (signal, encoding) {
        (Signal::Logs, Encoding::Protobuf) => ExportLogsServiceRequest::decode(body)
            .map(Export::Logs)
            .map_err(|e| fail(e.to_string())),
        (Signal::Metrics, Encoding::Protobuf) => ExportMetricsServiceRequest::decode(body)
            .map(Export::Metrics)
            .map_err(|e| fail(e.to_string())),
        (Signal::Traces, Encoding::Protobuf) => ExportTraceServiceRequest::decode(body)
            .map(Export::Traces)
            .map_err(|e| fail(e.to_string())),
        (Signal::Logs, Encoding::Json) => json(body).map(Export::Logs).map_err(fail),
        (Signal::Metrics, Encoding::Json) => json(body).map(Export::Metrics).map_err(fail),
        (Signal::Traces, Encoding::Json) => json(body).map(Export::Traces).map_err(fail),
    }
}

/// A JSON export request, camelCase directly, snake_case keys through a rename.
fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    if memchr::memmem::find(body, b"\"resource_").is_none() {
        return serde_json::from_slice(body).map_err(|e| e.to_string());
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    camel_keys(&mut value);
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Renames every object key from snake_case to lowerCamelCase, in place.
fn camel_keys(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                camel_keys(&mut v);
                map.insert(camel(&key), v);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(camel_keys),
        _ => {}
    }
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The success response: an export response, with partial-success counts when some records
/// were rejected.
pub(crate) fn success_body(
    signal: Signal,
    encoding: Encoding,
    rejected: u64,
    message: &str,
) -> Vec<u8> {
    let rejected = i64::try_from(rejected).unwrap_or(i64::MAX);
    let message = message.to_string();
    let partial = rejected > 0;
    macro_rules! body {
        ($response:ident, $partial:ident, $field:ident, $json:literal) => {{
            match encoding {
                Encoding::Protobuf => $response {
                    partial_success: partial.then(|| $partial {
                        $field: rejected,
                        error_message: message,
                    }),
                }
                .encode_to_vec(),
                // Full success is `{}`; the count is a 64-bit integer, so a string in JSON.
                Encoding::Json if !partial => b"{}".to_vec(),
                Encoding::Json => serde_json::json!({
                    "partialSuccess": { $json: rejected.to_string(), "errorMessage": message }
                })
                .to_string()
                .into_bytes(),
            }
        }};
    }
    match signal {
        Signal::Logs => body!(
            ExportLogsServiceResponse,
            ExportLogsPartialSuccess,
            rejected_log_records,
            "rejectedLogRecords"
        ),
        Signal::Metrics => body!(
            ExportMetricsServiceResponse,
            ExportMetricsPartialSuccess,
            rejected_data_points,
            "rejectedDataPoints"
        ),
        Signal::Traces => body!(
            ExportTraceServiceResponse,
            ExportTracePartialSuccess,
            rejected_spans,
            "rejectedSpans"
        ),
    }
}

/// `google.rpc.Status`: what an OTLP/HTTP server answers with a 4xx or 5xx.
#[derive(Clone, PartialEq, Message, serde::Serialize)]
struct RpcStatus {
    /// A `google.rpc.Code` (3: invalid argument, 16: unauthenticated, …).
    #[prost(int32, tag = "1")]
    code: i32,
    /// Why.
    #[prost(string, tag = "2")]
    message: String,
}

/// `google.rpc.Code` values used in refusals.
pub(crate) mod rpc_code {
    /// The payload is invalid.
    pub(crate) const INVALID_ARGUMENT: i32 = 3;
    /// The server is busy; retry later.
    pub(crate) const UNAVAILABLE: i32 = 14;
    /// Too large or too many.
    pub(crate) const RESOURCE_EXHAUSTED: i32 = 8;
}

/// The body of a refusal: a `google.rpc.Status` with `message`.
pub(crate) fn status_body(encoding: Encoding, code: i32, message: &str) -> Vec<u8> {
    let status = RpcStatus {
        code,
        message: message.to_string(),
    };
    match encoding {
        Encoding::Protobuf => status.encode_to_vec(),
        Encoding::Json => serde_json::to_vec(&status).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_name_an_encoding() {
        assert_eq!(
            Encoding::from_content_type("application/x-protobuf"),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            Encoding::from_content_type("Application/JSON; charset=utf-8"),
            Some(Encoding::Json)
        );
        assert_eq!(Encoding::from_content_type("text/plain"), None);
    }

    #[test]
    fn snake_case_and_camel_case_json_decode_alike() {
        let camel = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"5","body":{"stringValue":"x"}}]}]}]}"#;
        let snake = br#"{"resource_logs":[{"scope_logs":[{"log_records":[{"time_unix_nano":5,"body":{"string_value":"x"}}]}]}]}"#;
        let a = decode(Signal::Logs, Encoding::Json, camel).unwrap();
        let b = decode(Signal::Logs, Encoding::Json, snake).unwrap();
        assert_eq!(a, b);
        let Export::Logs(req) = a else { panic!() };
        assert_eq!(
            req.resource_logs[0].scope_logs[0].log_records[0].time_unix_nano,
            5
        );
    }

    #[test]
    fn garbage_and_wrong_types_are_decode_errors() {
        for body in [&b"{"[..], b"[1,2]", b"{\"resourceLogs\":7}", b"\xff\xfe"] {
            assert!(
                decode(Signal::Logs, Encoding::Json, body).is_err(),
                "{body:?}"
            );
        }
        assert!(decode(Signal::Logs, Encoding::Protobuf, b"\x0a\xff\xff\xff").is_err());
        // A protobuf export request decodes whole or not at all.
        let mut bytes = ExportLogsServiceRequest::default().encode_to_vec();
        bytes.extend_from_slice(b"\x0a\x05ab");
        assert!(decode(Signal::Logs, Encoding::Protobuf, &bytes).is_err());
    }

    #[test]
    fn partial_success_counts_round_trip() {
        let body = success_body(Signal::Traces, Encoding::Protobuf, 2, "2 spans refused");
        let r = ExportTraceServiceResponse::decode(&body[..]).unwrap();
        let p = r.partial_success.unwrap();
        assert_eq!(
            (p.rejected_spans, p.error_message.as_str()),
            (2, "2 spans refused")
        );
        let json = success_body(Signal::Logs, Encoding::Json, 0, "");
        let r: ExportLogsServiceResponse = serde_json::from_slice(&json).unwrap();
        assert!(r.partial_success.is_none());
        // A 64-bit count is a string in OTLP JSON.
        let json = success_body(Signal::Metrics, Encoding::Json, 3, "why");
        let r: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            r,
            serde_json::json!({"partialSuccess": {"rejectedDataPoints": "3", "errorMessage": "why"}})
        );
    }
}
