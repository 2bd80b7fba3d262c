//! The simulated organisation's services on today's models: what one request of each looks
//! like (model, tokens, tier, stop reason, tags and session), written as an application
//! usage-log line.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::rng::Rng;
use crate::usage::{StopReason, Tier, Tokens, UsageEvent};

/// A service of the simulated organisation, tagged by the feature it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Customer chat on Sonnet 5.5: conversations with prompt caching (5-minute writes).
    Chat,
    /// Ticket classification on Haiku 5.5: many small requests.
    Classify,
    /// Ticket triage on Opus 5.5: short answers to short prompts — simple work on an
    /// expensive model (the routing lever).
    Triage,
    /// A coding agent on Opus 5.5 and Opus 5: long outputs, a few cut off at `max_tokens`,
    /// 1-hour cache writes although its turns come a minute apart.
    Agent,
    /// Reply drafts on Sonnet 5.5 whose system prompt starts with the current time, so
    /// nothing is cached (the caching lever).
    Inbox,
    /// A premium research feature on Fable 5.2 without `max_tokens`: a long tail of very
    /// long answers (the output lever).
    Research,
    /// Nightly summaries on Sonnet 5 through the Batch API.
    NightlySummaries,
    /// Nightly reports on Sonnet 5.5 at the standard tier although nobody waits for them
    /// (the batch lever; the demo marks the feature async).
    NightlyReports,
}

impl Service {
    /// Every service, in the order their records are generated.
    pub(crate) const ALL: [Service; 8] = [
        Service::Chat,
        Service::Classify,
        Service::Triage,
        Service::Agent,
        Service::Inbox,
        Service::Research,
        Service::NightlySummaries,
        Service::NightlyReports,
    ];

    /// The `feature` tag.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Service::Chat => "chat",
            Service::Classify => "classify",
            Service::Triage => "triage",
            Service::Agent => "agent",
            Service::Inbox => "inbox",
            Service::Research => "research",
            Service::NightlySummaries => "nightly-summaries",
            Service::NightlyReports => "nightly-reports",
        }
    }

    fn team(self) -> &'static str {
        match self {
            Service::Chat | Service::Inbox => "growth",
            Service::Classify | Service::Triage => "platform",
            Service::Agent | Service::Research => "research",
            Service::NightlySummaries | Service::NightlyReports => "data",
        }
    }

    fn project(self) -> &'static str {
        match self {
            Service::Chat | Service::Inbox => "support-bot",
            Service::Classify | Service::Triage => "ticket-router",
            Service::Agent => "code-agent",
            Service::Research => "deep-research",
            Service::NightlySummaries => "reporting",
            Service::NightlyReports => "reports",
        }
    }

    /// How many minutes a conversation of this service lasts (`None`: no sessions).
    pub(crate) fn conversation_minutes(self) -> Option<i64> {
        match self {
            Service::Chat => Some(4),
            Service::Agent => Some(8),
            _ => None,
        }
    }
}

/// One turn of a conversation: which session, which turn, and the size of what was said
/// before the conversation began (system prompt, documents).
#[derive(Debug, Clone)]
pub(crate) struct Turn {
    /// The session id.
    pub(crate) session: String,
    /// Turns before this one.
    pub(crate) number: u64,
    /// Tokens of the prompt before the first turn.
    pub(crate) base: u64,
}

/// How a request's situation bends its shape.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conditions {
    /// Chat's system prompt changes every request (a timestamp in it): no cache hits.
    pub(crate) cache_broken: bool,
    /// Minutes into a runaway agent loop (`None`: not a loop request).
    pub(crate) agent_loop: Option<f64>,
    /// The conversation turn, for services with sessions.
    pub(crate) turn: Option<Turn>,
}

const SONNET_5_5: &str = "claude-sonnet-5-5";
const SONNET_5: &str = "claude-sonnet-5";
const HAIKU_5_5: &str = "claude-haiku-5-5";
const OPUS_5_5: &str = "claude-opus-5-5";
const OPUS_5: &str = "claude-opus-5";
const FABLE_5_2: &str = "claude-fable-5-2";
/// Tool definitions sit before the system prompt, so they stay cached when it changes.
const CHAT_TOOLS_TOKENS: u64 = 1_200;
/// What one chat turn adds to the conversation.
const CHAT_TURN_TOKENS: u64 = 700;
/// What one agent turn adds to its context.
const AGENT_TURN_TOKENS: u64 = 2_500;
/// The agent's `max_tokens`.
const AGENT_MAX_TOKENS: u64 = 8_192;

/// One simulated API response.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    service: Service,
    model: &'static str,
    batch: bool,
    input: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
    output: u64,
    stop_reason: &'static str,
    session: Option<String>,
}

impl Request {
    /// Draws one request of `service` under `cond`.
    pub(crate) fn draw(service: Service, cond: &Conditions, rng: &mut Rng) -> Request {
        let mut r = Request {
            service,
            model: SONNET_5_5,
            batch: false,
            input: 0,
            write_5m: 0,
            write_1h: 0,
            read: 0,
            output: 0,
            stop_reason: "end_turn",
            session: cond.turn.as_ref().map(|t| t.session.clone()),
        };
        match service {
            Service::Chat => r.chat(cond, rng),
            // Services whose instructions are the same every time cache them: what they
            // send uncached is each request's own text.
            Service::Classify => {
                r.model = HAIKU_5_5;
                r.read = 1_100;
                r.input = rng.around(300.0, 0.45);
                r.output = rng.around(12.0, 0.5);
            }
            Service::Triage => {
                r.model = OPUS_5_5;
                r.read = 1_400;
                r.input = rng.around(500.0, 0.4);
                r.output = rng.around(60.0, 0.5).min(250);
            }
            Service::Agent => r.agent(cond, rng),
            Service::Inbox => {
                r.input = rng.around(4_300.0, 0.1);
                r.output = rng.around(520.0, 0.3);
            }
            Service::Research => {
                r.model = FABLE_5_2;
                r.read = 2_000;
                r.input = rng.around(3_000.0, 0.5);
                // No max_tokens: now and then an answer runs on and on.
                let long = if rng.chance(0.008) { 15.0 } else { 1.0 };
                r.output = (rng.around(1_500.0, 0.5) as f64 * long) as u64;
            }
            Service::NightlySummaries => {
                r.model = SONNET_5;
                r.batch = true;
                r.read = 1_500;
                r.input = rng.around(7_500.0, 0.4);
                r.output = rng.around(700.0, 0.4);
            }
            Service::NightlyReports => {
                // The shared instructions are cached; each report's data is not.
                r.read = 1_500;
                r.input = rng.around(4_500.0, 0.3);
                r.output = rng.around(800.0, 0.4);
            }
        }
        r
    }

    fn chat(&mut self, cond: &Conditions, rng: &mut Rng) {
        let turn_size = rng.around(CHAT_TURN_TOKENS as f64, 0.4);
        self.input = rng.around(350.0, 0.5);
        self.output = rng.around(320.0, 0.5);
        let Some(t) = &cond.turn else { return };
        let prefix = t.base + t.number * CHAT_TURN_TOKENS;
        // Warm: everything said so far is read back and this turn written. The first turn,
        // or a broken prompt (the system prompt changed): only the tool definitions are.
        if cond.cache_broken || t.number == 0 {
            self.read = CHAT_TOOLS_TOKENS;
            self.write_5m = prefix - CHAT_TOOLS_TOKENS + turn_size;
        } else {
            self.read = prefix;
            self.write_5m = turn_size;
        }
    }

    fn agent(&mut self, cond: &Conditions, rng: &mut Rng) {
        let (output, cut_off) = match cond.agent_loop {
            // A loop that keeps re-reading a growing context and writing long answers.
            Some(_) => (4_000.0, 0.15),
            None => (1_800.0, 0.04),
        };
        self.model = if cond.agent_loop.is_none() && rng.chance(0.2) {
            OPUS_5
        } else {
            OPUS_5_5
        };
        let context = match (&cond.turn, cond.agent_loop) {
            (_, Some(minutes)) => 20_000 + (2_500.0 * minutes) as u64,
            (Some(t), None) => t.base + t.number * AGENT_TURN_TOKENS,
            (None, None) => rng.around(14_000.0, 0.5),
        };
        self.read = context;
        self.write_1h = rng.around(AGENT_TURN_TOKENS as f64, 0.3);
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

    /// What pricing reads of this request (model, tokens, tier, stop reason), as an event
    /// without key or attribution: cheaper than writing and parsing the line, and priced the
    /// same (a test checks it).
    pub(crate) fn billing_event(&self, at: DateTime<Utc>) -> UsageEvent {
        UsageEvent {
            alt_key: None,
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
    pub(crate) fn to_line(&self, at: DateTime<Utc>, id: &str) -> String {
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
                session: self.session.as_deref(),
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
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<&'a str>,
}

/// A message id in the API's shape (`msg_01` and 22 base-62 characters).
pub(crate) fn message_id(rng: &mut Rng) -> String {
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
