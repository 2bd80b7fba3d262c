//! What an OTLP/HTTP body is: its signal (by URL path) and its encoding (by `Content-Type`).

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
