//! A Message Batches object (or a page of them) on its way back through the proxy: read whole,
//! its ids remembered, its `results_url`s pointed at the proxy so the results are downloaded
//! through it (and counted at the batch tier, once).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};

use super::account::Exchange;
use super::batches::{self, Batches, MAX_OBJECT_BYTES};
use super::errors::Refusal;
use super::upstream::Upstream;

/// A batch object (or a page of them) on its way back: read whole (they are small), its
/// `results_url`s pointed at the proxy, its ids and end times remembered — with the creating
/// request's attribution when it was just created.
pub(super) struct BatchObject<'a> {
    pub(super) batches: &'a Batches,
    pub(super) upstream: &'a Upstream,
    pub(super) origin: &'a str,
    pub(super) created: bool,
}

impl BatchObject<'_> {
    /// The object as the client gets it, its `results_url`s pointing at the proxy.
    pub(super) async fn pass(
        &self,
        headers: &mut hyper::HeaderMap,
        body: Incoming,
        mut exchange: Exchange,
        idle: Duration,
    ) -> Result<Full<Bytes>, Refusal> {
        let cut = |why: String| Refusal::new(StatusCode::BAD_GATEWAY, "api_error", why);
        let limited = http_body_util::Limited::new(body, MAX_OBJECT_BYTES);
        let bytes = match tokio::time::timeout(idle, limited.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) => {
                return Err(cut(format!(
                    "reading a batch object from the upstream: {e}"
                )));
            }
            Err(_) => return Err(cut("the upstream went silent mid-body".to_owned())),
        };
        let gzipped = headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("gzip"));
        let plain = if gzipped {
            match crate::listener::body::gunzip(&bytes) {
                Ok(inflated) => Bytes::from(inflated),
                Err(_) => return Ok(Full::new(bytes)),
            }
        } else if headers.contains_key(header::CONTENT_ENCODING) {
            exchange
                .health()
                .failure("a batch object in another encoding: its results_url is not rewritten");
            return Ok(Full::new(bytes));
        } else {
            bytes.clone()
        };
        let objects = batches::objects(&plain);
        self.batches.seen(&objects);
        if self.created
            && let Some((id, _)) = objects.first()
        {
            let facts = exchange.wait_facts().await;
            let attribution = exchange.attribution();
            self.batches.created(id, attribution, facts.batch_users);
        }
        let base = self.upstream.base();
        let Some(rewritten) = batches::rewrite_results_urls(&plain, &base, self.origin) else {
            // Nothing to point at the proxy: sent back as received.
            return Ok(Full::new(bytes));
        };
        // Sent uncompressed, with its new length.
        headers.remove(header::CONTENT_ENCODING);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(rewritten.len()));
        Ok(Full::new(Bytes::from(rewritten)))
    }
}
