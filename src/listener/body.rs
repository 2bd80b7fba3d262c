//! Request bodies under limits: at most 16 MiB as sent, checked while reading (a body
//! without `Content-Length`, sent in chunks, counts as it arrives), and at most 64 MiB once
//! gunzipped, checked while inflating, so a gzip bomb stops at the limit instead of taking
//! memory; a sender that stalls mid-body is cut off after a timeout.

use std::io::Read;
use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http_body_util::{BodyExt, Limited};

/// Largest body accepted as sent (compressed or not).
pub(crate) const MAX_BODY_BYTES: usize = 16 << 20;
/// Largest body accepted once decompressed.
pub(crate) const MAX_INFLATED_BYTES: usize = 64 << 20;
/// Time a sender gets to deliver its whole body.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BodyError {
    /// Over a size limit (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// A `Content-Encoding` other than gzip or identity (HTTP 415).
    #[error("unsupported Content-Encoding {0:?} (send gzip or none)")]
    Encoding(String),
    /// Not valid gzip (HTTP 400).
    #[error("the gzip body is corrupt: {0}")]
    Corrupt(String),
    /// The sender stalled or the connection failed (HTTP 408).
    #[error("{0}")]
    Incomplete(String),
}

/// Whether the body is gzipped; an unsupported encoding is an error.
pub(crate) fn gzipped(headers: &HeaderMap) -> Result<bool, BodyError> {
    match headers
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim())
    {
        None | Some("" | "identity") => Ok(false),
        Some(e) if e.eq_ignore_ascii_case("gzip") || e.eq_ignore_ascii_case("x-gzip") => Ok(true),
        Some(other) => Err(BodyError::Encoding(other.to_string())),
    }
}

/// Reads the body as sent, refusing it early when `Content-Length` already says it is too
/// large, and as soon as the bytes received pass the limit otherwise.
pub(crate) async fn read(headers: &HeaderMap, body: Body) -> Result<bytes::Bytes, BodyError> {
    let too_large = || BodyError::TooLarge(format!("body over {} MiB", MAX_BODY_BYTES >> 20));
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let collect = Limited::new(body, MAX_BODY_BYTES).collect();
    match tokio::time::timeout(BODY_TIMEOUT, collect).await {
        Err(_) => Err(BodyError::Incomplete(format!(
            "the body did not arrive within {} s",
            BODY_TIMEOUT.as_secs()
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(BodyError::Incomplete(format!(
            "reading the body failed: {e}"
        ))),
    }
}

/// Inflates a gzip body (every member), stopping with an error as soon as the output would
/// pass [`MAX_INFLATED_BYTES`]. Memory is the output so far plus one small buffer.
pub(crate) fn gunzip(compressed: &[u8]) -> Result<Vec<u8>, BodyError> {
    let mut decoder = flate2::read::MultiGzDecoder::new(compressed);
    let mut out: Vec<u8> = Vec::with_capacity((compressed.len() * 4).min(MAX_INFLATED_BYTES));
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let n = decoder
            .read(&mut chunk)
            .map_err(|e| BodyError::Corrupt(e.to_string()))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > MAX_INFLATED_BYTES {
            return Err(BodyError::TooLarge(format!(
                "body over {} MiB once decompressed",
                MAX_INFLATED_BYTES >> 20
            )));
        }
        if out.capacity() < out.len() + n {
            // Double, but never past the limit.
            let grow = out.len().max(n).min(MAX_INFLATED_BYTES - out.len());
            out.reserve_exact(grow);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_round_trips_and_a_bomb_stops_at_the_limit() {
        assert_eq!(gunzip(&gzip(b"hello")).unwrap(), b"hello");
        let bomb = gzip(&vec![0u8; MAX_INFLATED_BYTES + 1]);
        assert!(bomb.len() < 1 << 20, "a bomb is small: {}", bomb.len());
        assert!(matches!(gunzip(&bomb), Err(BodyError::TooLarge(_))));
        assert!(matches!(gunzip(b"not gzip"), Err(BodyError::Corrupt(_))));
    }

    #[test]
    fn only_gzip_and_identity_are_accepted() {
        let mut h = HeaderMap::new();
        assert_eq!(gzipped(&h), Ok(false));
        h.insert(CONTENT_ENCODING, "GZIP".parse().unwrap());
        assert_eq!(gzipped(&h), Ok(true));
        h.insert(CONTENT_ENCODING, "br".parse().unwrap());
        assert!(matches!(gzipped(&h), Err(BodyError::Encoding(_))));
    }
}
