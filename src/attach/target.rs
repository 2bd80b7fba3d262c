//! Which costtop to attach to: its listener's URL (normalised to the listener's root, the
//! stream's URL built from it per view) and the bearer token, which nothing here prints.

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::snapshot::StreamView;

/// The listener's stream route.
const STREAM_PATH: &str = "api/v1/stream";

/// A bearer token; its `Debug` shows nothing of it, and nothing here prints it.
#[derive(Clone)]
struct Bearer(HeaderValue);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(…)")
    }
}

/// Which costtop to attach to: its listener's URL and the token it asks for.
#[derive(Debug, Clone)]
pub struct Target {
    base: Url,
    token: Option<Bearer>,
}

impl Target {
    /// `url` is the listener (`http://host:9871`, a path prefix behind a proxy, or the stream
    /// route itself); `token` its bearer token. Errors name the URL's problem, never the token.
    pub fn new(url: &str, token: Option<&str>) -> Result<Target, String> {
        let with_scheme = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let mut base = Url::parse(&with_scheme).map_err(|e| format!("URL {url:?}: {e}"))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(format!("URL {url:?}: use http://HOST:PORT or https://HOST"));
        }
        let path = base.path().trim_end_matches('/');
        let path = path.strip_suffix(STREAM_PATH).unwrap_or(path);
        let path = format!("{}/", path.trim_end_matches('/'));
        base.set_path(&path);
        base.set_query(None);
        base.set_fragment(None);
        let token = match token.map(str::trim) {
            None => None,
            Some("") => return Err("the token is empty".into()),
            Some(t) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {t}"))
                    .map_err(|_| "a token is one word of visible characters".to_owned())?;
                value.set_sensitive(true);
                Some(Bearer(value))
            }
        };
        Ok(Target { base, token })
    }

    /// The server as shown on screen: `host:port` and any path prefix, without credentials.
    pub fn server(&self) -> String {
        let host = self.base.host_str().unwrap_or("?");
        let port = self.base.port_or_known_default().unwrap_or(0);
        let prefix = self.base.path().trim_end_matches('/');
        let scheme = if self.base.scheme() == "https" {
            "https://"
        } else {
            ""
        };
        format!("{scheme}{host}:{port}{prefix}")
    }

    /// The stream's URL for `view`.
    pub fn stream_url(&self, view: &StreamView) -> Url {
        let mut url = self
            .base
            .join(STREAM_PATH)
            .unwrap_or_else(|_| self.base.clone());
        let mut query = Vec::new();
        if let Some(w) = view.window {
            query.push(("window", w.as_str().to_owned()));
        }
        if let Some(by) = &view.by {
            query.push(("by", by.to_string()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// The `Authorization` header, when a token was given.
    pub(super) fn authorization(&self) -> Option<HeaderValue> {
        self.token.as_ref().map(|t| t.0.clone())
    }

    /// The server is on this machine (no proxy is asked to reach it).
    pub(super) fn is_loopback(&self) -> bool {
        let host = self.base.host_str().unwrap_or("");
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}
