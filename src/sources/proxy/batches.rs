//! Message Batches through the proxy. A batch created through it is remembered with the
//! attribution of the request that created it (and each request's `metadata.user_id`, by
//! `custom_id`); its results, downloaded through the proxy, are counted once at the batch
//! tier with those tags, however often they are downloaded.
//!
//! The SDKs download results from the absolute `results_url` of the batch object, on the
//! upstream's host, which would bypass a base-URL proxy. So the proxy rewrites `results_url`
//! in the batch objects it passes (create, retrieve, list, cancel) to its own address — the
//! one change it makes to a body — and the download comes back through it. (Fetching the
//! results itself would mean holding the API key until the batch ends, for up to a day.)

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use memchr::memmem;
use serde_json::Value;

use crate::usage::Attribution;

/// Batches remembered; the oldest is forgotten past this.
const MAX_BATCHES: usize = 10_000;
/// Largest batch object (or page of them) rewritten; a larger one passes unchanged.
pub(super) const MAX_OBJECT_BYTES: usize = 4 << 20;

/// What is known about one batch.
#[derive(Debug, Default)]
struct Remembered {
    /// The attribution of the request that created it, when it was created through the proxy.
    attribution: Option<Attribution>,
    /// `metadata.user_id` of its requests, by `custom_id`.
    users: HashMap<String, String>,
    /// When it ended (from a batch object), the time its results are counted at.
    ended_at: Option<DateTime<Utc>>,
    /// Result keys counted so far, until one download was read whole.
    counted: HashSet<u64>,
    /// A download was read whole: later ones count nothing.
    complete: bool,
}

/// The proxy's memory of batches.
#[derive(Debug, Default)]
pub(super) struct Batches {
    book: Mutex<Book>,
}

#[derive(Debug, Default)]
struct Book {
    by_id: HashMap<String, Remembered>,
    order: VecDeque<String>,
}

impl Book {
    fn entry(&mut self, id: &str) -> &mut Remembered {
        if !self.by_id.contains_key(id) {
            if self.order.len() >= MAX_BATCHES
                && let Some(old) = self.order.pop_front()
            {
                self.by_id.remove(&old);
            }
            self.order.push_back(id.to_owned());
        }
        self.by_id.entry(id.to_owned()).or_default()
    }
}

/// How a results download is attributed and timed.
#[derive(Debug, Clone)]
pub(super) struct Download {
    /// The creating request's attribution, when the batch was created through the proxy.
    pub(super) attribution: Option<Attribution>,
    /// When the batch ended, when known.
    pub(super) ended_at: Option<DateTime<Utc>>,
    /// A download of it was already counted whole.
    pub(super) complete: bool,
}

impl Batches {
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A batch was created through the proxy.
    pub(super) fn created(&self, id: &str, attribution: Attribution, users: Vec<(String, String)>) {
        let mut book = self.book();
        let b = book.entry(id);
        b.attribution = Some(attribution);
        b.users.extend(users);
    }

    /// Batch objects passed (ids and end times).
    pub(super) fn seen(&self, objects: &[(String, Option<DateTime<Utc>>)]) {
        let mut book = self.book();
        for (id, ended_at) in objects {
            if ended_at.is_some() || book.by_id.contains_key(id) {
                let b = book.entry(id);
                b.ended_at = b.ended_at.or(*ended_at);
            }
        }
    }

    /// A results download of `id` starts.
    pub(super) fn download(&self, id: &str) -> Download {
        let mut book = self.book();
        let b = book.entry(id);
        Download {
            attribution: b.attribution.clone(),
            ended_at: b.ended_at,
            complete: b.complete,
        }
    }

    /// The user of one of the batch's requests.
    pub(super) fn user(&self, id: &str, custom_id: &str) -> Option<String> {
        self.book().by_id.get(id)?.users.get(custom_id).cloned()
    }

    /// Whether the result with `key` is counted now (false: a download already counted it).
    pub(super) fn count(&self, id: &str, key: u64) -> bool {
        let mut book = self.book();
        let b = book.entry(id);
        !b.complete && b.counted.insert(key)
    }

    /// A download of `id` was read whole: its results are all counted.
    pub(super) fn downloaded_whole(&self, id: &str) {
        let mut book = self.book();
        let b = book.entry(id);
        b.complete = true;
        b.counted = HashSet::new();
    }
}

/// The ids and end times of the batch objects in a body (one object, or a page of them).
pub(super) fn objects(body: &[u8]) -> Vec<(String, Option<DateTime<Utc>>)> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let one = |v: &Value| {
        let id = v.get("id")?.as_str()?.to_owned();
        let ended = v
            .get("ended_at")
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.to_utc());
        Some((id, ended))
    };
    match value.get("data").and_then(Value::as_array) {
        Some(page) => page.iter().filter_map(one).collect(),
        None => one(&value).into_iter().collect(),
    }
}

/// `body` with every `"results_url"` that starts with `upstream` (the upstream's base URL)
/// pointing at `origin` (the proxy's, as the client reached it) instead; `None` when there is
/// none to rewrite. Everything else stays byte for byte.
pub(super) fn rewrite_results_urls(body: &[u8], upstream: &str, origin: &str) -> Option<Vec<u8>> {
    let field = br#""results_url""#;
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    for at in memmem::find_iter(body, field) {
        let mut i = at + field.len();
        let skip = |i: &mut usize| {
            while body.get(*i).is_some_and(u8::is_ascii_whitespace) {
                *i += 1;
            }
        };
        skip(&mut i);
        if body.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        skip(&mut i);
        if body.get(i) != Some(&b'"') || !body[i + 1..].starts_with(upstream.as_bytes()) {
            continue;
        }
        let start = i + 1;
        out.extend_from_slice(&body[copied..start]);
        out.extend_from_slice(origin.as_bytes());
        copied = start + upstream.len();
    }
    if copied == 0 {
        return None;
    }
    out.extend_from_slice(&body[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_urls_on_the_upstream_point_at_the_proxy_and_nothing_else_changes() {
        let body = br#"{"data":[{"id":"msgbatch_1","results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results","ended_at":"2026-12-07T10:00:00Z"},{"id":"msgbatch_2","results_url":null},{"id":"msgbatch_3","results_url":"https://elsewhere.example/x"}]}"#;
        let out = rewrite_results_urls(body, "https://api.anthropic.com", "http://127.0.0.1:9872")
            .unwrap();
        let want = String::from_utf8_lossy(body)
            .replace("https://api.anthropic.com/v1", "http://127.0.0.1:9872/v1");
        assert_eq!(String::from_utf8_lossy(&out), want);
        assert!(rewrite_results_urls(b"{\"results_url\":null}", "https://a", "http://b").is_none());
        let seen = objects(body);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].0, "msgbatch_1");
        assert!(seen[0].1.is_some() && seen[1].1.is_none());
    }

    #[test]
    fn a_whole_download_counts_each_result_once_and_later_downloads_nothing() {
        let b = Batches::default();
        b.created("x", Attribution::default(), vec![("a".into(), "u1".into())]);
        assert_eq!(b.user("x", "a").as_deref(), Some("u1"));
        assert!(b.count("x", 1));
        assert!(!b.count("x", 1), "a second copy in a cut first download");
        assert!(b.count("x", 2));
        b.downloaded_whole("x");
        assert!(b.download("x").complete);
        assert!(!b.count("x", 3));
    }
}
