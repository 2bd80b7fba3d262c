//! Where the proxy forwards: the upstream's base URL (`https://api.anthropic.com`, or another
//! gateway with a path of its own), and the HTTP client that reaches it — hyper's pooled
//! client over rustls (HTTP/1.1, or HTTP/2 when the upstream offers it), which streams
//! bodies both ways and cancels a request when its response is dropped.

use std::time::Duration;

use hyper::Uri;
use hyper::http::uri::{Authority, Scheme};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::body::Outbound;

/// The upstream unless `--upstream` or `[proxy] upstream` names another.
pub(crate) const DEFAULT_UPSTREAM: &str = "https://api.anthropic.com";

/// Time to open a connection to the upstream.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle pooled connection is kept.
const POOL_IDLE: Duration = Duration::from_secs(90);
/// Idle connections kept per upstream host.
const POOL_MAX_IDLE: usize = 64;

/// The client the proxy forwards with.
pub(super) type UpstreamClient = Client<HttpsConnector<HttpConnector>, Outbound>;

/// A parsed upstream base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upstream {
    scheme: Scheme,
    authority: Authority,
    /// A path before every forwarded path (no trailing slash; empty for none).
    prefix: String,
}

impl Upstream {
    /// Reads `http(s)://host[:port][/path]`; anything else (another scheme, a query, user
    /// information) is refused with the reason.
    pub(crate) fn parse(url: &str) -> Result<Upstream, String> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        let scheme = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS || *s == Scheme::HTTP => s.clone(),
            _ => {
                return Err(format!(
                    "{url:?}: the upstream must be an http:// or https:// URL"
                ));
            }
        };
        let Some(authority) = uri.authority().cloned() else {
            return Err(format!("{url:?} names no host"));
        };
        if authority.as_str().contains('@') {
            return Err(format!("{url:?}: credentials in the URL are refused"));
        }
        if uri.query().is_some() {
            return Err(format!("{url:?}: the upstream cannot have a query"));
        }
        Ok(Upstream {
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// `scheme://authority[/prefix]`: how the upstream writes its own absolute URLs.
    pub(crate) fn base(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.prefix)
    }

    /// The upstream as shown on the sources line: host, port when not the scheme's, path.
    pub(crate) fn display(&self) -> String {
        format!("{}{}", self.authority, self.prefix)
    }

    /// The upstream URL of a request's `path_and_query`.
    pub(super) fn uri(&self, path_and_query: &str) -> Result<Uri, hyper::http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(format!("{}{path_and_query}", self.prefix))
            .build()
    }
}

/// A pooled client for the upstream: rustls with the Mozilla roots, HTTP/1.1 and HTTP/2
/// (by ALPN), keep-alive.
pub(super) fn client() -> UpstreamClient {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.set_nodelay(true);
    http.enforce_http(false);
    let https = HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE)
        .pool_max_idle_per_host(POOL_MAX_IDLE)
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(https)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_are_http_urls_with_an_optional_path() {
        let u = Upstream::parse("https://api.anthropic.com").unwrap();
        assert_eq!(u.base(), "https://api.anthropic.com");
        assert_eq!(u.display(), "api.anthropic.com");
        assert_eq!(
            u.uri("/v1/messages?beta=true").unwrap().to_string(),
            "https://api.anthropic.com/v1/messages?beta=true"
        );
        let g = Upstream::parse("http://127.0.0.1:4000/anthropic/").unwrap();
        assert_eq!(g.base(), "http://127.0.0.1:4000/anthropic");
        assert_eq!(
            g.uri("/v1/messages").unwrap().to_string(),
            "http://127.0.0.1:4000/anthropic/v1/messages"
        );
        for bad in [
            "ftp://x",
            "api.anthropic.com",
            "https://u:p@x",
            "https://x/?a=1",
            "",
        ] {
            assert!(Upstream::parse(bad).is_err(), "{bad}");
        }
    }
}
