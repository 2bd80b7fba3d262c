//! The simulated organisation's services: what one request of each looks like (model, tokens,
//! tier, stop reason, tags), written as an application usage-log line.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::rng::Rng;
use crate::usage::{StopReason, Tier, Tokens, UsageEvent};

/// A service of the simulated organisation, tagged by the feature it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Customer chat on Sonnet 4.5 with prompt caching (5-minute writes).
    Chat,
    /// Ticket classification on Haiku 4.5: many small requests.
    Classify,
    /// A coding agent on Opus 4.5 and 4.1: long outputs, 1-hour cache writes.
    Agent,
    /// Nightly summaries on Sonnet 4.5 through the Batch API.
    NightlySummaries,
}

impl Service {
    /// Every service, in the order their records are generated.
    pub const ALL: [Service; 4] = [
        Service::Chat,
        Service::Classify,
        Service::Agent,
        Service::NightlySummaries,
    ];

    /// The `feature` tag.
    pub fn feature(self) -> &'static str {
        match self {
            Service::Chat => "chat",
            Service::Classify => "classify",
            Service::Agent => "agent",
            Service::NightlySummaries => "nightly-summaries",
        }
    }

    fn team(self) -> &'static str {
        match self {
            Service::Chat => "growth",
            Service::Classify => "platform",
            Service::Agent => "research",
            Service::NightlySummaries => "data",
        }
    }

    fn project(self) -> &'static str {
        match self {
            Service::Chat => "support-bot",
            Service::Classify => "ticket-router",
            Service::Agent => "code-agent",
            Service::NightlySummaries => "reporting",
        }
    }
}

/// How a request's situation bends its shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions {
    /// Chat's system prompt changes every request (a timestamp in it): no cache hits.
    pub cache_broken: bool,
    /// Minutes into a runaway agent loop (`None`: not a loop request).
    pub agent_loop: Option<f64>,
}

const SONNET_4_5: &str = "claude-sonnet-4-5-20250929";
const HAIKU_4_5: &str = "claude-haiku-4-5-20251001";
const OPUS_4_5: &str = "claude-opus-4-5-20251101";
const OPUS_4_1: &str = "claude-opus-4-1-20250805";
/// Tool definitions sit before the system prompt, so they stay cached when it changes.
const CHAT_TOOLS_TOKENS: u64 = 1_200;
/// The agent's `max_tokens`.
const AGENT_MAX_TOKENS: u64 = 8_192;

/// One simulated API response.
#[derive(Debug, Clone)]
pub struct Request {
    service: Service,
    model: &'static str,
    batch: bool,
    input: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
    output: u64,
    stop_reason: &'static str,
}

impl Request {
    /// Draws one request of `service` under `cond`.
    pub fn draw(service: Service, cond: Conditions, rng: &mut Rng) -> Request {
        let mut r = Request {
            service,
            model: SONNET_4_5,
            batch: false,
            input: 0,
            write_5m: 0,
            write_1h: 0,
            read: 0,
            output: 0,
            stop_reason: "end_turn",
        };
        match service {
            Service::Chat => r.chat(cond, rng),
            Service::Classify => {
                r.model = HAIKU_4_5;
                r.input = rng.around(650.0, 0.45);
                r.output = rng.around(12.0, 0.5);
            }
            Service::Agent => r.agent(cond, rng),
            Service::NightlySummaries => {
                r.batch = true;
                r.input = rng.around(9_000.0, 0.4);
                r.output = rng.around(700.0, 0.4);
            }
        }
        r
    }

    fn chat(&mut self, cond: Conditions, rng: &mut Rng) {
        let prefix = rng.around(9_000.0, 0.35).max(CHAT_TOOLS_TOKENS + 500);
        let turn = rng.around(700.0, 0.4);
        self.input = rng.around(350.0, 0.5);
        // Warm: the whole prefix is read back. Cold (the 5-minute cache expired) or broken
        // (the system prompt changed): only the tool definitions are.
        if cond.cache_broken || rng.chance(0.07) {
            self.read = CHAT_TOOLS_TOKENS;
            self.write_5m = prefix - CHAT_TOOLS_TOKENS + turn;
        } else {
            self.read = prefix;
            self.write_5m = turn;
        }
        self.output = rng.around(320.0, 0.5);
    }

    fn agent(&mut self, cond: Conditions, rng: &mut Rng) {
        let (read, output, cut_off) = match cond.agent_loop {
            // A loop that keeps re-reading a growing context and writing long answers.
            Some(minutes) => (20_000.0 + 2_500.0 * minutes, 4_000.0, 0.15),
            None => (14_000.0, 1_800.0, 0.04),
        };
        self.model = if cond.agent_loop.is_none() && rng.chance(0.2) {
            OPUS_4_1
        } else {
            OPUS_4_5
        };
        self.read = rng.around(read, 0.5);
        self.write_1h = rng.around(2_500.0, 0.5);
        self.input = rng.around(1_500.0, 0.6);
        if rng.chance(cut_off) {
            self.output = AGENT_MAX_TOKENS;
            self.stop_reason = "max_tokens";
        } else {
            self.output = rng.around(output, 0.6).min(AGENT_MAX_TOKENS - 1);
            self.stop_reason = if rng.chance(0.6) {
                "tool_use"
            } else {
                "end_turn"
            };
        }
    }

    /// The service that made the request.
    pub fn service(&self) -> Service {
        self.service
    }

    /// What pricing reads of this request (model, tokens, tier, stop reason), as an event
    /// without key or attribution: cheaper than writing and parsing the line, and priced the
    /// same (a test checks it).
    pub fn billing_event(&self, at: DateTime<Utc>) -> UsageEvent {
        UsageEvent {
            key: None,
            rank: 0,
            timestamp: at,
            model: Arc::from(self.model),
            tokens: Tokens {
                input: self.input,
                cache_write_5m: self.write_5m,
                cache_write_1h: self.write_1h,
                cache_read: self.read,
                output: self.output,
                web_search_requests: 0,
            },
            tier: if self.batch {
                Tier::Batch
            } else {
                Tier::Standard
            },
            modifiers: crate::usage::Modifiers::default(),
            stop_reason: Some(if self.stop_reason == "max_tokens" {
                StopReason::MaxTokens
            } else {
                StopReason::Other
            }),
            kind: crate::usage::EventKind::Request,
            attribution: crate::usage::Attribution::default(),
            iterations: Vec::new(),
            estimate: None,
        }
    }

    /// The application usage-log line (see `parse::app_log`), without a line terminator.
    pub fn to_line(&self, at: DateTime<Utc>, id: &str) -> String {
        let line = Line {
            timestamp: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            id,
            model: self.model,
            service_tier: if self.batch { "batch" } else { "standard" },
            stop_reason: self.stop_reason,
            usage: Usage {
                input_tokens: self.input,
                output_tokens: self.output,
                cache_read_input_tokens: self.read,
                cache_creation_input_tokens: self.write_5m + self.write_1h,
                cache_creation: CacheCreation {
                    ephemeral_5m_input_tokens: self.write_5m,
                    ephemeral_1h_input_tokens: self.write_1h,
                },
            },
            tags: Tags {
                feature: self.service.feature(),
                team: self.service.team(),
                project: self.service.project(),
            },
        };
        // Serializing plain strings and integers cannot fail.
        serde_json::to_string(&line).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Line<'a> {
    timestamp: String,
    id: &'a str,
    model: &'a str,
    service_tier: &'a str,
    stop_reason: &'a str,
    usage: Usage,
    tags: Tags<'a>,
}

#[derive(Serialize)]
struct Usage {
    input_tokens: u64,
    output_tokens: u64,
    cache_read_input_tokens: u64,
    cache_creation_input_tokens: u64,
    cache_creation: CacheCreation,
}

#[derive(Serialize)]
struct CacheCreation {
    ephemeral_5m_input_tokens: u64,
    ephemeral_1h_input_tokens: u64,
}

#[derive(Serialize)]
struct Tags<'a> {
    feature: &'a str,
    team: &'a str,
    project: &'a str,
}

/// A message id in the API's shape (`msg_01` and 22 base-62 characters).
pub fn message_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    let mut id = String::with_capacity(28);
    id.push_str("msg_01");
    for _ in 0..22 {
        id.push(char::from(ALPHABET[(n % 62) as usize]));
        n /= 62;
    }
    id
}
