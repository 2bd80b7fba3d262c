//! What the receiver answers, as the OTLP/HTTP spec asks: an export response with
//! partial-success counts, or a `google.rpc.Status` for a refused payload, in the request's
//! own encoding.

use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;

use super::kinds::{Encoding, Signal};

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
