//! The proxy's own answers, in the Anthropic API's error envelope
//! (`{"type":"error","error":{"type":…,"message":…}}`), so a client's SDK reports them as it
//! reports the API's: an unreachable or silent upstream, a refused request.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

/// One of the proxy's own answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    /// The HTTP status.
    pub(super) status: StatusCode,
    /// The API's error type for it (`api_error`, `invalid_request_error`, …).
    pub(super) kind: &'static str,
    /// What happened, for the client's error message (never a key or a body).
    pub(super) message: String,
}

impl Refusal {
    /// A refusal of `status` with the API's error `kind`.
    pub(super) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            kind,
            message: message.into(),
        }
    }

    /// The response the client gets.
    pub(super) fn response(&self) -> Response<Full<Bytes>> {
        let body = serde_json::json!({
            "type": "error",
            "error": {"type": self.kind, "message": format!("costtop proxy: {}", self.message)},
        });
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        *r.status_mut() = self.status;
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn refusals_use_the_apis_error_envelope() {
        let r = Refusal::new(StatusCode::BAD_GATEWAY, "api_error", "cannot reach x").response();
        assert_eq!(r.status(), 502);
        let body = r.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["type"], "api_error");
        assert_eq!(v["error"]["message"], "costtop proxy: cannot reach x");
    }
}
