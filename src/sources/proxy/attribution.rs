//! Who made a call, read from what passes: `costtop-tag-<key>: <value>` request headers, the
//! body's `metadata.user_id` (tag `user`), the API key as a fingerprint (tag `key`: never the
//! key) and the client program from `User-Agent` (tag `client`).
//!
//! The fingerprint is the first 12 hex digits of HMAC-SHA-256 keyed with a fixed costtop
//! string: the same key gives the same fingerprint on every machine and run (so a fleet's
//! figures agree), and 48 bits of a keyed hash say nothing usable about the key. The key itself
//! is read here and nowhere kept.

use std::sync::Arc;

use hyper::HeaderMap;
use hyper::header;

use super::headers::COSTTOP_PREFIX;
use crate::usage::{Attribution, dedupe_key};

/// The key of the fingerprint's HMAC (public: it separates costtop's fingerprints from any
/// other hash of the key, it is not a secret).
const FINGERPRINT_KEY: &[u8] = b"costtop api key fingerprint v1";
/// Tags read from headers per request; more are ignored (and counted).
const MAX_HEADER_TAGS: usize = 16;
/// Longest tag name and value taken from a header.
const MAX_TAG_KEY: usize = 64;
const MAX_TAG_VALUE: usize = 256;

/// What the request's headers say about its caller.
#[derive(Debug, Clone, Default)]
pub(super) struct Caller {
    /// `costtop-tag-*` tags, sorted by key.
    tags: Vec<(Arc<str>, Arc<str>)>,
    /// The API key's fingerprint.
    key: Option<Arc<str>>,
    /// The client program.
    client: Option<Arc<str>>,
    /// Tag headers refused (too many, too long, not text).
    pub(super) refused_tags: u64,
}

impl Caller {
    /// Reads the caller from a request's headers.
    pub(super) fn read(headers: &HeaderMap) -> Caller {
        let mut caller = Caller::default();
        let tag_prefix = format!("{COSTTOP_PREFIX}tag-");
        for (name, value) in headers {
            let Some(key) = name.as_str().strip_prefix(&tag_prefix) else {
                continue;
            };
            let value = std::str::from_utf8(value.as_bytes()).map(str::trim);
            match value {
                Ok(v)
                    if !key.is_empty()
                        && key.len() <= MAX_TAG_KEY
                        && !v.is_empty()
                        && v.len() <= MAX_TAG_VALUE
                        && caller.tags.len() < MAX_HEADER_TAGS
                        && caller.tags.iter().all(|(k, _)| &**k != key) =>
                {
                    caller.tags.push((Arc::from(key), Arc::from(v)));
                }
                _ => caller.refused_tags += 1,
            }
        }
        caller.tags.sort();
        caller.key = api_key(headers).map(|k| Arc::from(fingerprint(k)));
        caller.client = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .and_then(client_name)
            .map(Arc::from);
        caller
    }

    /// One client for the count of clients: its program and key.
    pub(super) fn identity(&self) -> u64 {
        let text = |v: &Option<Arc<str>>| v.as_deref().unwrap_or("").as_bytes().to_vec();
        dedupe_key(&[b"client", &text(&self.client), &text(&self.key)])
    }

    /// The attribution of a record: the header tags, then `user` from the body (a header tag
    /// of that name wins), `key` and `client` (which no header can set). Tags `project` and
    /// `session` also fill the fields of that name, as in application logs.
    pub(super) fn attribution(&self, user: Option<&str>) -> Attribution {
        let mut tags = self.tags.clone();
        let mut put = |key: &str, value: Option<Arc<str>>, over: bool| {
            let Some(value) = value else { return };
            match tags.iter_mut().find(|(k, _)| &**k == key) {
                Some(slot) if over => slot.1 = value,
                Some(_) => {}
                None => tags.push((Arc::from(key), value)),
            }
        };
        put("user", user.filter(|u| !u.is_empty()).map(Arc::from), false);
        put("key", self.key.clone(), true);
        put("client", self.client.clone(), true);
        tags.sort();
        let find = |name: &str| {
            tags.iter()
                .find(|(k, _)| &**k == name)
                .map(|(_, v)| Arc::clone(v))
        };
        Attribution {
            project: find("project"),
            session: find("session"),
            tags,
        }
    }
}

/// The API key a request carries: `x-api-key`, else `Authorization: Bearer …` (the Python
/// SDK sends its key that way).
fn api_key(headers: &HeaderMap) -> Option<&str> {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
            auth.strip_prefix("Bearer ")
                .or_else(|| auth.strip_prefix("bearer "))
        })?
        .trim();
    (!key.is_empty()).then_some(key)
}

/// The fingerprint of an API key: 12 hex digits of a keyed hash, never reversible.
pub(super) fn fingerprint(key: &str) -> String {
    use std::fmt::Write;
    let mac = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, FINGERPRINT_KEY);
    let tag = ring::hmac::sign(&mac, key.as_bytes());
    tag.as_ref()[..6].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The client program from a `User-Agent`: Claude Code, the Python and TypeScript SDKs by
/// name, anything else by its first product token (lowercase, at most 32 characters of
/// letters, digits, `.`, `_`, `-`).
fn client_name(user_agent: &str) -> Option<String> {
    let product = user_agent.split_whitespace().next()?;
    let name = product.split('/').next().unwrap_or(product);
    let known = match name {
        "claude-cli" | "claude-code" => Some("claude-code"),
        "Anthropic" | "AsyncAnthropic" if user_agent.contains("/Python") => {
            Some("anthropic-python")
        }
        "Anthropic" if user_agent.contains("/JS") => Some("anthropic-typescript"),
        _ => None,
    };
    if let Some(known) = known {
        return Some(known.to_owned());
    }
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(32)
        .collect::<String>()
        .to_ascii_lowercase();
    (!clean.is_empty()).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn tags_user_key_and_client_make_the_attribution() {
        let key = "sk-ant-api03-secret-secret-secret";
        let h = headers(&[
            ("costtop-tag-feature", "chat"),
            ("costtop-tag-project", "support-bot"),
            ("costtop-tag-key", "forged"),
            ("x-api-key", key),
            ("user-agent", "Anthropic/Python 2.10.0"),
        ]);
        let caller = Caller::read(&h);
        let a = caller.attribution(Some("u-7"));
        let tags: Vec<(&str, &str)> = a.tags.iter().map(|(k, v)| (&**k, &**v)).collect();
        let print = fingerprint(key);
        assert_eq!(
            tags,
            [
                ("client", "anthropic-python"),
                ("feature", "chat"),
                ("key", print.as_str()),
                ("project", "support-bot"),
                ("user", "u-7"),
            ]
        );
        assert_eq!(a.project.as_deref(), Some("support-bot"));
        assert_eq!(print.len(), 12);
        assert!(!format!("{a:?}").contains("secret"));
        // The bearer form is the same key.
        let bearer = Caller::read(&headers(&[("authorization", &format!("Bearer {key}"))]));
        assert_eq!(bearer.key, caller.key);
    }

    #[test]
    fn clients_are_named_from_their_user_agent() {
        let name = |ua: &str| client_name(ua);
        assert_eq!(
            name("claude-cli/2.1.328 (external, cli)").as_deref(),
            Some("claude-code")
        );
        assert_eq!(
            name("AsyncAnthropic/Python 2.10.0").as_deref(),
            Some("anthropic-python")
        );
        assert_eq!(
            name("Anthropic/JS 1.17.0").as_deref(),
            Some("anthropic-typescript")
        );
        assert_eq!(name("curl/8.5.0").as_deref(), Some("curl"));
        assert_eq!(name("Mozilla/5.0 (X11)").as_deref(), Some("mozilla"));
        assert_eq!(name("   ").as_deref(), None);
    }

    #[test]
    fn too_many_or_too_long_tag_headers_are_refused_and_counted() {
        let mut pairs: Vec<(String, String)> = (0..20)
            .map(|i| (format!("costtop-tag-t{i:02}"), "v".to_owned()))
            .collect();
        pairs.push(("costtop-tag-long".into(), "x".repeat(300)));
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let caller = Caller::read(&headers(&refs));
        assert_eq!(caller.tags.len(), MAX_HEADER_TAGS);
        assert_eq!(caller.refused_tags, 5);
    }
}
