//! A sub-agent run (the `Task` tool): its API calls, recorded as `progress` lines in the
//! parent transcript, in `<session>/subagents/agent-<id>.jsonl`, or both, as the session's
//! Claude Code version does. Each call is one request however many copies exist.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};

use super::super::prices::{SIDE_MODEL, Tokens};
use super::super::shapes::{
    AssistantBody, Block, Message, ProgressBody, ProgressData, ProgressMessage, Usage,
};
use super::super::tools::ToolCall;
use super::{Era, Writer, finish, subagents_dir};

/// Where a sub-agent's calls are recorded.
#[derive(Clone, Copy)]
struct Copies {
    progress: bool,
    file: bool,
}

impl Writer<'_> {
    /// Runs the sub-agent `call` starts: 2 to 6 API calls on its own cached context.
    pub(super) fn subagent(&mut self, call: &ToolCall<'_>) -> io::Result<()> {
        let copies = match self.record.plan.era {
            Era::Progress => Copies {
                progress: true,
                file: false,
            },
            Era::ProgressAndFiles => Copies {
                progress: true,
                file: self.dice().chance(0.5),
            },
            Era::Files => Copies {
                progress: false,
                file: true,
            },
        };
        let agent = self.dice().hex(16);
        let explore = call.input.get("subagent_type").and_then(|v| v.as_str()) == Some("Explore");
        let model = if explore { SIDE_MODEL } else { self.model };
        let prompt = call.prompt.unwrap_or("");
        let calls = self.dice().between(2, 6);
        let mut context = self.dice().between(8_000, 20_000);
        let mut file_lines = Vec::new();
        let mut file_parent: Option<String> = None;
        for k in 0..calls {
            let wait = self.dice().between(800, 8_000) as i64;
            self.advance(wait);
            let (write, read) = if k == 0 {
                (context, 0)
            } else {
                (self.dice().sized(900.0, 1.0, 20_000), context)
            };
            context = (context + write).min(150_000);
            let (five_minutes, one_hour) = self.split(write);
            let tokens = Tokens {
                input: self.dice().between(1, 9),
                write_5m: five_minutes,
                write_1h: one_hour,
                read,
                output: self.output_tokens(),
                web_searches: 0,
            };
            self.bill(model, &tokens);
            let id = format!("msg_01{}", self.dice().base58(22));
            let request = format!("req_011C{}", self.dice().base58(20));
            let text = self.text(400.0, 1.0, 4_000);
            let geo = self.geo();
            let message = |output: u64, stop: Option<&'static str>| Message {
                model,
                id: &id,
                kind: "message",
                role: "assistant",
                content: vec![Block::Text { text }],
                stop_reason: stop,
                stop_sequence: None,
                usage: Usage::of(&tokens, output, geo),
            };
            if copies.file {
                // The sub-agent's own file streams like the parent: a placeholder, then the end.
                let mut streamed = Vec::new();
                if self.dice().chance(0.5) {
                    let placeholder = self.dice().between(1, 30).min(tokens.output);
                    streamed.push(message(placeholder, None));
                    self.shared.truth.copies.streamed_placeholders += 1;
                }
                streamed.push(message(tokens.output, Some("end_turn")));
                for message in streamed {
                    let body = AssistantBody {
                        message,
                        request_id: Some(&request),
                        is_api_error_message: None,
                    };
                    let line = self.line_after(&mut file_parent, Some(&agent), "assistant", body);
                    file_lines.push(line);
                }
            }
            if copies.progress {
                let at = self.stamp();
                let body = ProgressBody {
                    data: ProgressData {
                        message: ProgressMessage {
                            kind: "assistant",
                            timestamp: &at,
                            message: message(tokens.output, Some("end_turn")),
                            request_id: &request,
                            uuid: self.dice().uuid(),
                        },
                        normalized_messages: [],
                        kind: "agent_progress",
                        prompt,
                        agent_id: &agent,
                    },
                    tool_use_id: format!("agent_msg_01{}", self.dice().base58(20)),
                    parent_tool_use_id: &call.id,
                };
                self.advance(40);
                let line = self.entry("progress", body);
                self.emit(line)?;
            }
        }
        let counted = &mut self.shared.truth.copies;
        match (copies.progress, copies.file) {
            (true, true) => counted.subagent_calls_both += calls,
            (true, false) => counted.subagent_calls_progress_only += calls,
            _ => counted.subagent_calls_file_only += calls,
        }
        if copies.file {
            self.write_subagent_file(&agent, &file_lines)?;
        }
        Ok(())
    }

    /// Writes (appends to) `subagents/agent-<agent>.jsonl` of this session.
    fn write_subagent_file(&mut self, agent: &str, lines: &[String]) -> io::Result<()> {
        let dir = subagents_dir(self.project, &self.record.plan.session_id);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("agent-{agent}.jsonl"));
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let mut out = BufWriter::new(file);
        for line in lines {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            self.count(line);
        }
        self.shared.truth.files += 1;
        finish(out, self.t)
    }
}
