//! OTLP/HTTP bodies in and out: protobuf or JSON export requests decoded with the
//! `opentelemetry-proto` types (prost, and its serde mapping for JSON) one record at a time,
//! so a bad record is refused alone (`envelope.rs`), and the responses (`response.rs`).
//!
//! JSON: the OTLP mapping writes lowerCamelCase keys, 64-bit integers as strings (numbers
//! are accepted too), trace and span ids in hex. Bodies written with the proto's own
//! snake_case field names are accepted as well: their keys are renamed before decoding (every
//! object key in OTLP JSON is a field name; attribute keys are values), which only costs
//! that detour for such bodies.

mod envelope;
mod kinds;
mod response;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

pub use kinds::{Encoding, Signal};
pub(crate) use response::{rpc_code, status_body, success_body};

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

/// An export request decoded record by record: what decoded, and the records that did not.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The request, without the records refused.
    pub export: Export,
    /// Records refused (log records, spans, metrics) that the rest of the payload could be
    /// decoded without.
    pub rejected: u64,
    /// Why the first was refused.
    pub first_rejection: Option<String>,
}

/// Decodes a body of `signal` in `encoding` record by record: a record that does not decode
/// (a bad value, nesting past the decoder's limit) is left out and counted, and so are the
/// records under a resource or scope that does not; a body whose envelope does not decode is
/// an error.
pub fn decode_records(
    signal: Signal,
    encoding: Encoding,
    body: &[u8],
) -> Result<Decoded, DecodeError> {
    let fail = |reason: String| DecodeError {
        signal: signal.as_str(),
        encoding: match encoding {
            Encoding::Protobuf => "protobuf",
            Encoding::Json => "JSON",
        },
        reason,
    };
    let renamed;
    let body = match encoding {
        Encoding::Json if memchr::memmem::find(body, b"\"resource_").is_some() => {
            renamed = snake_to_camel(body).map_err(fail)?;
            &renamed[..]
        }
        _ => body,
    };
    match signal {
        Signal::Logs => envelope::decode::<ExportLogsServiceRequest>(encoding, body)
            .map(|(r, n, why)| (Export::Logs(r), n, why)),
        Signal::Metrics => envelope::decode::<ExportMetricsServiceRequest>(encoding, body)
            .map(|(r, n, why)| (Export::Metrics(r), n, why)),
        Signal::Traces => envelope::decode::<ExportTraceServiceRequest>(encoding, body)
            .map(|(r, n, why)| (Export::Traces(r), n, why)),
    }
    .map(|(export, rejected, first_rejection)| Decoded {
        export,
        rejected,
        first_rejection,
    })
    .map_err(fail)
}

/// Decodes a body of `signal` in `encoding` whole: any record that does not decode is an
/// error (the receiver uses [`decode_records`]).
pub fn decode(signal: Signal, encoding: Encoding, body: &[u8]) -> Result<Export, DecodeError> {
    let decoded = decode_records(signal, encoding, body)?;
    match decoded.first_rejection {
        Some(reason) => Err(DecodeError {
            signal: signal.as_str(),
            encoding: match encoding {
                Encoding::Protobuf => "protobuf",
                Encoding::Json => "JSON",
            },
            reason,
        }),
        None => Ok(decoded.export),
    }
}

/// A JSON body with the proto's snake_case field names, renamed to lowerCamelCase.
fn snake_to_camel(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    camel_keys(&mut value);
    serde_json::to_vec(&value).map_err(|e| e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

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
}
