//! What the mapping tests share: a fixed "now" and a JSON payload decoded.

use chrono::{DateTime, Utc};

use super::decode::{Encoding, Export, Signal, decode};

/// 2026-12-01T22:00:00Z, just after the shared fixture's event.
pub(super) fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T22:00:00Z")
        .expect("time")
        .to_utc()
}

/// A JSON payload of `signal`, decoded.
pub(super) fn decoded(signal: Signal, json: &str) -> Export {
    decode(signal, Encoding::Json, json.as_bytes()).expect("decodes")
}
