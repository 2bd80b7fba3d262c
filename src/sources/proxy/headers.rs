//! Headers as they cross the proxy: everything passes unchanged but the hop-by-hop headers
//! (they describe one connection, not the message), `Host` (the upstream's is set from its
//! URL), and costtop's own `costtop-*` headers (its tags and token are for costtop only).

use hyper::HeaderMap;
use hyper::header::{self, HeaderName};

/// The prefix of costtop's own request headers, removed before forwarding.
pub(super) const COSTTOP_PREFIX: &str = "costtop-";

/// Hop-by-hop headers (RFC 9110 §7.6.1, and the non-standard ones proxies drop).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// A client's request headers as they go upstream.
pub(super) fn strip_request(headers: &mut HeaderMap) {
    strip_hop_by_hop(headers);
    headers.remove(header::HOST);
    let own: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with(COSTTOP_PREFIX))
        .cloned()
        .collect();
    for name in own {
        headers.remove(name);
    }
}

/// The upstream's response headers as they go back to the client.
pub(super) fn strip_response(headers: &mut HeaderMap) {
    strip_hop_by_hop(headers);
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Headers the `Connection` header names are hop-by-hop too.
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hop_by_hop_host_and_costtop_headers_are_removed() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("host", "127.0.0.1:9872"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("costtop-tag-feature", "chat"),
            ("costtop-token", "secret"),
            ("x-api-key", "sk-ant-x"),
            ("anthropic-version", "2023-06-01"),
            ("content-length", "12"),
        ] {
            h.append(HeaderName::from_static(k), v.parse().unwrap());
        }
        strip_request(&mut h);
        let mut left: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["anthropic-version", "content-length", "x-api-key"]);
    }
}
