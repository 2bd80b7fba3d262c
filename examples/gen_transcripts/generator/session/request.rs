//! The API requests of a turn: their tokens (a growing cached conversation whose cache
//! expires after pauses), the streamed lines of each response, tool results, `<synthetic>`
//! lines and `cost-state` lines.

use std::collections::BTreeMap;
use std::io;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::super::prices::{SIDE_MODEL, SYNTHETIC, Tokens};
use super::super::shapes::{
    AssistantBody, Block, CostState, Message, ModelUsage, ToolResult, Usage, UserBody, UserContent,
    UserMessage,
};
use super::super::tools::{self, ToolCall};
use super::{Era, Ttl, Writer};

/// Claude Code compacts the conversation before a prompt grows past this many tokens (which
/// also keeps every request below Sonnet 4.5's long-context band).
const PROMPT_CAP: u64 = 190_000;

/// The `max_tokens` a truncated response stops at.
const MAX_TOKENS: u64 = 32_000;

impl Writer<'_> {
    /// The request time as a chrono time.
    pub(super) fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.t).unwrap_or_default()
    }

    /// One request of the turn and the tool calls it makes; `last` ends the turn (text only).
    pub(super) fn round(&mut self, last: bool) -> io::Result<()> {
        let mean = self.gap().max(800.0) * 0.6;
        let wait = self.dice().wait(mean) + 300;
        self.advance(wait);
        let side = self.dice().chance(0.06);
        let (model, tokens) = if side {
            (SIDE_MODEL, self.side_tokens())
        } else {
            (self.model, self.main_tokens()?)
        };
        let mut blocks = Vec::new();
        if !side && self.dice().chance(0.25) {
            let thinking = self.text(1_200.0, 1.0, 12_000);
            let len = self.dice().between(200, 900) as usize;
            let signature = self.dice().base58(len);
            blocks.push(Block::Thinking {
                thinking,
                signature,
            });
        }
        if self.dice().chance(if last { 0.9 } else { 0.45 }) {
            blocks.push(Block::Text {
                text: self.text(1_000.0, 1.0, 16_000),
            });
        }
        let mut calls: Vec<ToolCall<'_>> = Vec::new();
        if !last && !side {
            let n = if self.dice().chance(0.8) {
                1
            } else {
                self.dice().between(2, 3)
            };
            for _ in 0..n {
                calls.push(tools::call(&mut self.shared.dice, self.corpus));
            }
        }
        blocks.extend(calls.iter().map(|c| Block::ToolUse {
            id: c.id.clone(),
            name: c.name,
            input: c.input.clone(),
        }));
        if blocks.is_empty() {
            blocks.push(Block::Text {
                text: self.text(300.0, 1.0, 6_000),
            });
        }
        let stop = if !calls.is_empty() {
            "tool_use"
        } else if tokens.output == MAX_TOKENS {
            "max_tokens"
        } else {
            "end_turn"
        };
        self.respond(model, &tokens, blocks, stop)?;
        if !side {
            self.pending += tokens.output;
        }
        for call in &calls {
            if call.name == "Task" {
                self.subagent(call)?;
            }
            self.tool_result(call)?;
        }
        Ok(())
    }

    /// Tokens of a request of the main conversation: the cached prefix is read (or written
    /// again once its lifetime passed since the previous request), what came since is written.
    fn main_tokens(&mut self) -> io::Result<Tokens> {
        let ttl = self.record.plan.ttl;
        let expired = self.last_request.is_none_or(|t| self.t - t > ttl.millis());
        if self.context == 0 {
            // The system prompt and tool definitions.
            self.context = self.dice().between(14_000, 26_000);
        }
        let (mut write, mut read) = if expired || self.dice().chance(0.02) {
            (self.context + self.pending, 0)
        } else {
            (self.pending.max(1), self.context)
        };
        let input = if self.dice().chance(0.93) {
            self.dice().between(1, 12)
        } else {
            self.dice().sized(1_500.0, 1.0, 30_000)
        };
        if input + write + read > PROMPT_CAP {
            let meta = json!({"trigger": "auto", "preTokens": write + read});
            self.system("compact_boundary", "Conversation compacted", Some(meta))?;
            write = self.dice().between(15_000, 30_000);
            read = 0;
        }
        self.context = write + read;
        self.pending = 0;
        self.last_request = Some(self.t);
        let (five_minutes, one_hour) = self.split(write);
        Ok(Tokens {
            input,
            write_5m: five_minutes,
            write_1h: one_hour,
            read,
            output: self.output_tokens(),
            web_searches: if self.dice().chance(0.02) {
                self.dice().between(1, 3)
            } else {
                0
            },
        })
    }

    /// Tokens of a quick side request (no shared cache).
    fn side_tokens(&mut self) -> Tokens {
        Tokens {
            input: self.dice().sized(800.0, 0.8, 8_000),
            output: self.dice().sized(60.0, 1.0, 2_000),
            ..Tokens::default()
        }
    }

    /// `write` cache-write tokens split by the session's lifetime: (5-minute, 1-hour).
    pub(super) fn split(&mut self, write: u64) -> (u64, u64) {
        match self.record.plan.ttl {
            Ttl::OneHour => (0, write),
            Ttl::Mixed if self.shared.dice.chance(0.3) => (write - write / 3, write / 3),
            Ttl::FiveMinutes | Ttl::Mixed => (write, 0),
        }
    }

    /// Output tokens: mostly tens to hundreds, a tail to tens of thousands, some truncated.
    pub(super) fn output_tokens(&mut self) -> u64 {
        if self.dice().chance(0.005) {
            return MAX_TOKENS;
        }
        if self.dice().chance(0.25) {
            return self.dice().between(1, 12);
        }
        let mut n = self.dice().sized(200.0, 1.35, 64_000);
        if self.dice().chance(0.01) {
            n *= self.dice().between(5, 40);
        }
        n.min(MAX_TOKENS - 1)
    }

    /// The `inference_geo` newer versions write (always billed at 1×).
    pub(super) fn geo(&mut self) -> Option<&'static str> {
        match self.record.plan.era {
            Era::Progress => None,
            Era::ProgressAndFiles | Era::Files => {
                Some(self.dice().pick(&["", "global", "not_available"]))
            }
        }
    }

    /// Counts one API request in the truth and the session's ledger.
    pub(super) fn bill(&mut self, model: &str, tokens: &Tokens) {
        let cost = self.shared.truth.request(model, self.now(), tokens);
        self.ledger.add(model, tokens, cost);
    }

    /// One response, streamed: a line per content block, all with the response's id and
    /// request id; every line but the last has a placeholder `output_tokens` and no stop
    /// reason.
    fn respond(
        &mut self,
        model: &str,
        tokens: &Tokens,
        blocks: Vec<Block<'_>>,
        stop: &str,
    ) -> io::Result<()> {
        let id = format!("msg_01{}", self.dice().base58(22));
        let request = format!("req_011C{}", self.dice().base58(20));
        self.bill(model, tokens);
        let geo = self.geo();
        let placeholder = self.dice().between(1, 30).min(tokens.output);
        let n = blocks.len();
        for (i, block) in blocks.into_iter().enumerate() {
            let last = i + 1 == n;
            if !last {
                self.shared.truth.copies.streamed_placeholders += 1;
            }
            let body = AssistantBody {
                message: Message {
                    model,
                    id: &id,
                    kind: "message",
                    role: "assistant",
                    content: vec![block],
                    stop_reason: last.then_some(stop),
                    stop_sequence: None,
                    usage: Usage::of(tokens, if last { tokens.output } else { placeholder }, geo),
                },
                request_id: Some(&request),
                is_api_error_message: None,
            };
            let line = self.entry("assistant", body);
            self.emit(line)?;
            if !last {
                let chunk = self.dice().between(5, 400) as i64;
                self.advance(chunk);
            }
        }
        Ok(())
    }

    /// The user line answering a tool call.
    fn tool_result(&mut self, call: &ToolCall<'_>) -> io::Result<()> {
        let wait = self.dice().wait(2_500.0) + 50;
        self.advance(wait);
        let (content, extra) = tools::result(&mut self.shared.dice, self.corpus, call);
        let body = UserBody {
            message: UserMessage {
                role: "user",
                content: UserContent::ToolResult([ToolResult {
                    tool_use_id: &call.id,
                    kind: "tool_result",
                    content,
                    is_error: self.dice().chance(0.05),
                }]),
            },
            tool_use_result: Some(extra),
        };
        let line = self.entry("user", body);
        self.pending += content.len() as u64 / 3 + 40;
        self.emit(line)
    }

    /// A line Claude Code made up itself: no API call, no usage.
    pub(super) fn synthetic(&mut self) -> io::Result<()> {
        let error = self.dice().chance(0.5);
        let text = if error {
            self.dice().pick(&[
                "API Error: 529 Overloaded. Please try again.",
                "API Error: Request was aborted.",
            ])
        } else {
            "No response requested."
        };
        let id = self.dice().uuid();
        let geo = self.geo();
        let body = AssistantBody {
            message: Message {
                model: SYNTHETIC,
                id: &id,
                kind: "message",
                role: "assistant",
                content: vec![Block::Text { text }],
                stop_reason: Some("stop_sequence"),
                stop_sequence: Some(""),
                usage: Usage::of(&Tokens::default(), 0, geo),
            },
            request_id: None,
            is_api_error_message: Some(error),
        };
        let line = self.entry("assistant", body);
        self.shared.truth.copies.synthetic_lines += 1;
        self.emit(line)
    }

    /// Claude Code's running estimate for the session so far (after every turn, 2.1.3xx).
    pub(super) fn cost_state(&mut self) -> io::Result<()> {
        if self.ledger.models.is_empty() {
            return Ok(());
        }
        let dollars = |picos: u128| picos as f64 / 1e12;
        let model_usage: BTreeMap<&str, ModelUsage> = self
            .ledger
            .models
            .iter()
            .map(|(model, (t, picos))| {
                let figures = ModelUsage {
                    input_tokens: t.input,
                    output_tokens: t.output,
                    thinking_tokens: 0,
                    cache_read_input_tokens: t.read,
                    cache_creation_input_tokens: t.write_5m + t.write_1h,
                    cache_creation_ephemeral_5m_input_tokens: t.write_5m,
                    cache_creation_ephemeral_1h_input_tokens: t.write_1h,
                    web_search_requests: t.web_searches,
                    cost_usd: dollars(*picos),
                };
                (model.as_str(), figures)
            })
            .collect();
        let total: u128 = self.ledger.models.values().map(|(_, picos)| picos).sum();
        let plan = &self.record.plan;
        let line = super::super::shapes::line(&CostState {
            kind: "cost-state",
            session_id: &plan.session_id,
            total_cost_usd: dollars(total),
            total_api_duration: self.turns * 9_000,
            total_duration: (self.t - plan.start_ms).max(0) as u64,
            start_time: plan.start_ms,
            has_unknown_model_cost: self.ledger.unknown_model,
            model_usage,
        });
        self.shared.truth.copies.cost_state_lines += 1;
        self.emit(line)
    }
}
