//! One usage record ([`UsageEvent`]) and its parts: token counts, tier, stop reason,
//! attribution, billed iterations, and the dedupe keys records are matched by.

use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Token counts of one request (or one Admin API bucket), split the way they are billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tokens {
    /// Uncached input tokens.
    pub input: u64,
    /// Cache writes with the 5-minute TTL (billed at input × 1.25).
    pub cache_write_5m: u64,
    /// Cache writes with the 1-hour TTL (billed at input × 2).
    pub cache_write_1h: u64,
    /// Cache reads (billed at input × 0.1).
    pub cache_read: u64,
    /// Output tokens.
    pub output: u64,
    /// Server-side web searches (billed per request, not per token).
    pub web_search_requests: u64,
}

impl Tokens {
    /// Everything the model read: uncached input, cache writes and cache reads.
    pub(crate) fn total_input(&self) -> u64 {
        self.input + self.cache_write_5m + self.cache_write_1h + self.cache_read
    }

    /// All tokens of the request; used to rank streamed duplicates by completeness.
    pub fn total(&self) -> u64 {
        self.total_input() + self.output
    }

    /// Cache writes of either TTL.
    pub(crate) fn cache_writes(&self) -> u64 {
        self.cache_write_5m + self.cache_write_1h
    }
}

impl Add for Tokens {
    type Output = Tokens;
    fn add(mut self, rhs: Tokens) -> Tokens {
        self += rhs;
        self
    }
}

impl AddAssign for Tokens {
    fn add_assign(&mut self, rhs: Tokens) {
        self.input += rhs.input;
        self.cache_write_5m += rhs.cache_write_5m;
        self.cache_write_1h += rhs.cache_write_1h;
        self.cache_read += rhs.cache_read;
        self.output += rhs.output;
        self.web_search_requests += rhs.web_search_requests;
    }
}

impl Sub for Tokens {
    type Output = Tokens;
    fn sub(mut self, rhs: Tokens) -> Tokens {
        self -= rhs;
        self
    }
}

impl SubAssign for Tokens {
    fn sub_assign(&mut self, rhs: Tokens) {
        self.input = self.input.saturating_sub(rhs.input);
        self.cache_write_5m = self.cache_write_5m.saturating_sub(rhs.cache_write_5m);
        self.cache_write_1h = self.cache_write_1h.saturating_sub(rhs.cache_write_1h);
        self.cache_read = self.cache_read.saturating_sub(rhs.cache_read);
        self.output = self.output.saturating_sub(rhs.output);
        self.web_search_requests = self
            .web_search_requests
            .saturating_sub(rhs.web_search_requests);
    }
}

/// The service tier a request was billed under.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Regular synchronous requests.
    #[default]
    Standard,
    /// Message Batches API: half price.
    Batch,
    /// Priority tier (billed at list price here).
    Priority,
}

impl Tier {
    /// Reads the `service_tier` strings the API writes; unknown ones are standard.
    pub(crate) fn from_api(s: &str) -> Tier {
        match s {
            "batch" => Tier::Batch,
            "priority" => Tier::Priority,
            _ => Tier::Standard,
        }
    }

    /// The name used in JSON and on screen.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Batch => "batch",
            Tier::Priority => "priority",
        }
    }
}

/// Why a response stopped, reduced to what costtop reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The response hit `max_tokens`: output was cut off.
    MaxTokens,
    /// Any other final stop reason (`end_turn`, `tool_use`, `stop_sequence`, …).
    Other,
}

/// Billing modifiers that change the price of a request beyond its tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Modifiers {
    /// `usage.speed == "fast"`: fast mode (×6 for Opus 4.6/4.7, ×2 for Opus 4.8).
    pub fast: bool,
    /// `inference_geo == "us"`: US-only inference (×1.1).
    pub us_only: bool,
    /// The source says this bucket is in the long-context band (Admin API `context_window`
    /// `"200k-1M"`). Per-request records leave it `false`; the pricer decides from the tokens.
    pub(crate) long_context: bool,
}

/// What kind of thing one event counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// One API response: counts as one request.
    #[default]
    Request,
    /// A request that produced no billable usage (an errored, canceled or expired batch result).
    FailedRequest,
    /// An Admin API usage bucket: tokens of many requests, no request count.
    Bucket,
    /// A sampling step billed on top of a request (PRICES.md §2.9: a `compaction` or
    /// `advisor_message` entry of `usage.iterations`): tokens and cost under its own model,
    /// no request count. The aggregator makes these from [`UsageEvent::iterations`].
    Iteration,
}

/// What kind of extra sampling step an iteration was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IterationKind {
    /// Server-side context compaction (`compaction`), billed at the request's model.
    Compaction,
    /// The advisor tool (`advisor_message`), billed at the model it names.
    Advisor,
    /// Any other non-`message` type: billed on top, at the model it names (else the
    /// request's).
    Other,
}

/// One entry of `usage.iterations[]` that is billed on top of the top-level usage
/// (entries of type `message` are already in it and never kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BilledIteration {
    /// Compaction, advisor or other.
    pub kind: IterationKind,
    /// The model that served it (the request's model when the entry names none).
    pub model: Arc<str>,
    /// Its billed token counts.
    pub tokens: Tokens,
}

/// Who and what a record is attributed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribution {
    /// Project: the Claude Code `cwd`, or an application log's `project` tag.
    pub project: Option<Arc<str>>,
    /// Session: Claude Code `sessionId`.
    pub session: Option<Arc<str>>,
    /// Free-form tags (`feature`, `team`, `workspace_id`, `api_key_id`, `git_branch`, …),
    /// sorted by key.
    pub tags: Vec<(Arc<str>, Arc<str>)>,
}

impl Attribution {
    /// The value of one tag, if the record carries it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| &**v)
    }
}

/// One usage record as every source hands it to the aggregator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageEvent {
    /// Dedupe key: a 64-bit hash of the request's identity — [`request_key`] of its request id
    /// (`req_…`) when the record has one, else [`message_key`] of its message id (`msg_…`), a
    /// batch result's `custom_id`, or an Admin API bucket's identity. `None` means the record
    /// cannot repeat.
    pub key: Option<u64>,
    /// The request's second identity, when the record carries both ids: [`message_key`] of its
    /// message id beside the request id of `key`. The aggregator links the two, so a copy that
    /// carries either one finds the record (DESIGN.md §12).
    pub alt_key: Option<u64>,
    /// How complete this record is among records with the same key; the aggregator keeps the
    /// highest and replaces a lower one's contribution. Streamed lines rank by token total
    /// (then by having a final stop reason); Admin API buckets by poll sequence.
    pub rank: u64,
    /// When the request happened (event time).
    pub timestamp: DateTime<Utc>,
    /// The model id as written by the source (normalised by the pricer).
    pub model: Arc<str>,
    /// Billed token counts.
    pub tokens: Tokens,
    /// Service tier.
    pub tier: Tier,
    /// Fast mode, US-only inference, long-context band.
    pub modifiers: Modifiers,
    /// Final stop reason, when known.
    pub stop_reason: Option<StopReason>,
    /// Request, failed request or API bucket.
    pub kind: EventKind,
    /// Project, session and tags.
    pub attribution: Attribution,
    /// Sampling steps billed on top of `tokens`, each at its own model (PRICES.md §2.9).
    /// Empty for almost every record.
    pub iterations: Vec<BilledIteration>,
    /// What the tool that wrote the record computed it cost (Claude Code's `costUSD` on
    /// older transcript lines, `cost_usd` of its OTLP `api_request` events): shown beside
    /// costtop's own figure as a check, never used as a price.
    pub estimate: Option<crate::money::Money>,
}

impl UsageEvent {
    /// A standard-tier request of `model` at `timestamp` with these tokens and nothing else
    /// known (no key, attribution, stop reason or iterations): what synthetic sources and
    /// tests start from, with struct update syntax for the rest.
    pub fn request(timestamp: DateTime<Utc>, model: &str, tokens: Tokens) -> UsageEvent {
        UsageEvent {
            key: None,
            alt_key: None,
            rank: 0,
            timestamp,
            model: Arc::from(model),
            tokens,
            tier: Tier::Standard,
            modifiers: Modifiers::default(),
            stop_reason: None,
            kind: EventKind::Request,
            attribution: Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }
    }

    /// The iterations billed on top of this record (PRICES.md §2.9), each as a record of its
    /// own: [`EventKind::Iteration`], its model and tokens, this record's time, tier, modifiers
    /// and attribution, and a key derived from this record's, so that a more complete copy of
    /// the record replaces its iterations too.
    pub(crate) fn iteration_events(&self) -> impl Iterator<Item = UsageEvent> + '_ {
        self.iterations
            .iter()
            .enumerate()
            .map(|(index, step)| UsageEvent {
                key: self
                    .key
                    .map(|k| dedupe_key(&[b"iteration", &k.to_le_bytes(), &index.to_le_bytes()])),
                alt_key: None,
                rank: self.rank,
                timestamp: self.timestamp,
                model: Arc::clone(&step.model),
                tokens: step.tokens,
                tier: self.tier,
                modifiers: self.modifiers,
                stop_reason: None,
                kind: EventKind::Iteration,
                attribution: self.attribution.clone(),
                iterations: Vec::new(),
                estimate: None,
            })
    }
}

/// Hashes the parts of a dedupe key into the 64-bit key the aggregator stores.
pub fn dedupe_key(parts: &[&[u8]]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.digest()
}

/// The dedupe key of one API request by its request id (`req_…`, the `request-id` response
/// header), whoever reports it: a transcript line, a sub-agent's copy in its parent
/// transcript, an OTLP `api_request` event or SDK span, an application log, the proxy.
pub fn request_key(request_id: &str) -> u64 {
    dedupe_key(&[b"request", request_id.as_bytes()])
}

/// The dedupe key of one API response by its message id (`msg_…`, the response's `id`),
/// whoever reports it: a transcript line, an application log, a Batch result, a GenAI span.
pub fn message_key(message_id: &str) -> u64 {
    dedupe_key(&[b"message", message_id.as_bytes()])
}

/// The keys of a record that knows its request id, its message id, or both: the request id's
/// key first (every Claude Code source has it), the message id's as the second identity.
pub fn request_keys(
    request_id: Option<&str>,
    message_id: Option<&str>,
) -> (Option<u64>, Option<u64>) {
    let request = request_id.filter(|s| !s.is_empty()).map(request_key);
    let message = message_id.filter(|s| !s.is_empty()).map(message_key);
    match (request, message) {
        (Some(r), m) => (Some(r), m),
        (None, m) => (m, None),
    }
}

/// The keys of an id that may be either kind (an application log's `id`): a `req_…` id is a
/// request id, anything else a message id.
pub fn id_keys(id: &str, request_id: Option<&str>) -> (Option<u64>, Option<u64>) {
    if id.starts_with("req_") && request_id.is_none_or(|r| r == id) {
        request_keys(Some(id), None)
    } else {
        request_keys(request_id, Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_key_separates_boundaries() {
        assert_ne!(dedupe_key(&[b"ab", b"c"]), dedupe_key(&[b"a", b"bc"]));
        assert_eq!(dedupe_key(&[b"ab", b"c"]), dedupe_key(&[b"ab", b"c"]));
    }

    #[test]
    fn token_subtraction_undoes_addition() {
        let a = Tokens {
            input: 3,
            cache_write_5m: 4,
            cache_write_1h: 5,
            cache_read: 6,
            output: 7,
            web_search_requests: 1,
        };
        let b = Tokens {
            output: 100,
            ..Tokens::default()
        };
        assert_eq!((a + b) - b, a);
        assert_eq!(a.total_input(), 18);
    }
}
