//! Request bodies under limits: at most 16 MiB as sent, checked while reading (a body
//! without `Content-Length`, sent in chunks, counts as it arrives), and at most 64 MiB once
//! gunzipped, checked while inflating, so a gzip bomb stops at the limit instead of taking
//! memory. A body must keep arriving: after a grace period, at an average of at least
//! [`MIN_RATE`], or the sender is cut off. Bodies read at once share a budget of
//! [`MAX_BUFFERED_BYTES`], taken as their bytes arrive and held until the payload is done with,
//! so bodies can be read before a decoding slot is taken without memory growing with senders.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, timeout_at};

/// Largest body accepted as sent (compressed or not).
pub(crate) const MAX_BODY_BYTES: usize = 16 << 20;
/// Largest body accepted once decompressed.
pub(crate) const MAX_INFLATED_BYTES: usize = 64 << 20;
/// Bytes of bodies held at once, across every request of a listener.
pub(crate) const MAX_BUFFERED_BYTES: usize = 4 * MAX_BODY_BYTES;
/// Time any body gets before its rate counts.
pub(crate) const BODY_GRACE: Duration = Duration::from_secs(10);
/// Least average rate, in bytes per second, of a body still arriving after [`BODY_GRACE`].
pub(crate) const MIN_RATE: u64 = 8 << 10;

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
    /// Malformed framing, such as a bad chunk size (HTTP 400).
    #[error("malformed body: {0}")]
    Malformed(String),
    /// The sender stalled, was too slow, or the connection failed (HTTP 408).
    #[error("{0}")]
    Incomplete(String),
    /// Too many bodies are being read at once (HTTP 503).
    #[error("too many bodies arriving at once: retry later")]
    Busy,
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

/// A body read whole, holding its share of the listener's buffer budget until dropped.
#[derive(Debug)]
pub(crate) struct Received {
    /// The body as sent.
    pub(crate) bytes: bytes::Bytes,
    _budget: OwnedSemaphorePermit,
}

/// Reads the body as sent, refusing it early when `Content-Length` already says it is too
/// large and as soon as the bytes received pass the limit otherwise; cuts off a sender slower
/// than the rate floor; takes its bytes from `budget` as they arrive.
pub(crate) async fn read(
    headers: &HeaderMap,
    mut body: Body,
    budget: &Arc<Semaphore>,
) -> Result<Received, BodyError> {
    let too_large = || BodyError::TooLarge(format!("body over {} MiB", MAX_BODY_BYTES >> 20));
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let start = Instant::now();
    let mut held = Arc::clone(budget)
        .try_acquire_many_owned(0)
        .map_err(|_| BodyError::Busy)?;
    let mut bytes = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    loop {
        // The floor: what has arrived buys time at MIN_RATE, after the grace period.
        let allowed =
            start + BODY_GRACE + Duration::from_millis(bytes.len() as u64 * 1000 / MIN_RATE);
        let frame = match timeout_at(allowed, body.frame()).await {
            Err(_) => {
                return Err(BodyError::Incomplete(format!(
                    "the body arrived too slowly ({} bytes in {} s; at least {} KiB/s after {} s)",
                    bytes.len(),
                    start.elapsed().as_secs(),
                    MIN_RATE >> 10,
                    BODY_GRACE.as_secs()
                )));
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(failed(&e)),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // Trailers.
        };
        if bytes.len() + data.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        let n = u32::try_from(data.len()).map_err(|_| too_large())?;
        let more = timeout_at(allowed, Arc::clone(budget).acquire_many_owned(n))
            .await
            .map_err(|_| BodyError::Busy)?
            .map_err(|_| BodyError::Busy)?;
        held.merge(more);
        bytes.extend_from_slice(&data);
    }
    Ok(Received {
        bytes: bytes.into(),
        _budget: held,
    })
}

/// A failed read: malformed framing (an I/O error of invalid input or data under hyper's
/// error), or a connection that broke.
fn failed(e: &axum::Error) -> BodyError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
            )
        {
            return BodyError::Malformed(io.to_string());
        }
        source = err.source();
    }
    BodyError::Incomplete(format!("reading the body failed: {e}"))
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
