//! One session file: its turns (prompt, streamed responses, tool results, sub-agents),
//! the copies a resume or fork starts with, and what the next session may copy from it.

mod request;
mod subagent;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use chrono::DateTime;
use serde::Serialize;
use serde_json::json;

use super::dice::{Corpus, Dice};
use super::shapes::{self, Envelope, SystemBody, UserBody, UserContent, UserMessage};
use super::truth::Ledger;
use super::{Project, Shared};

/// Lines of a session kept for a fork to repeat (its parent's first turns).
const FORK_PREFIX: usize = 400;
/// Lines of a session kept for a resume to repeat (its last ones).
const RESUME_TAIL: usize = 60;

/// What a Claude Code version writes for sub-agents (and whether it writes `cost-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Era {
    /// Sub-agent calls only as `progress` lines in the parent; resumes copy lines.
    Progress,
    /// `progress` lines, and for some sub-agents a `subagents/` file too.
    ProgressAndFiles,
    /// Sub-agent calls only in `subagents/` files; `cost-state` lines; forks.
    Files,
}

/// How long the session's cache writes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ttl {
    /// Every write 5 minutes.
    FiveMinutes,
    /// Every write 1 hour.
    OneHour,
    /// Mostly 5 minutes, a third of some writes 1 hour.
    Mixed,
}

impl Ttl {
    fn millis(self) -> i64 {
        match self {
            Ttl::OneHour => 3_600_000,
            Ttl::FiveMinutes | Ttl::Mixed => 300_000,
        }
    }
}

/// A session to write.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) session_id: String,
    pub(crate) version: &'static str,
    pub(crate) era: Era,
    pub(crate) model: &'static str,
    pub(crate) ttl: Ttl,
    pub(crate) branch: &'static str,
    pub(crate) start_ms: i64,
    pub(crate) line_gap_ms: f64,
    pub(crate) budget: u64,
}

/// What a session starts with.
pub(crate) enum Carry {
    /// Nothing: a new conversation.
    None,
    /// An earlier session's last lines, verbatim (its `sessionId` included).
    Resume(Vec<String>),
    /// The parent's lines up to a turn, to repeat under the new `sessionId`, and the parent's
    /// running totals there (the fork's `cost-state` lines go on from them).
    Fork {
        parent: String,
        lines: Vec<String>,
        ledger: Ledger,
    },
}

/// A turn's end in the first lines of a session: where a fork may take off.
struct Boundary {
    lines: usize,
    at_ms: i64,
    ledger: Ledger,
}

/// What the next session of the same project may copy from a written one.
pub(crate) struct Record {
    plan: Plan,
    prefix: Vec<String>,
    boundaries: Vec<Boundary>,
    tail: VecDeque<String>,
}

impl Record {
    /// The plan of a session continuing this one (resumed or forked), starting near
    /// `start_ms`, and what it starts with.
    pub(crate) fn follow(&self, dice: &mut Dice, start_ms: i64) -> (Plan, Carry) {
        let mut plan = Plan {
            session_id: dice.uuid(),
            start_ms,
            ..self.plan.clone()
        };
        if self.plan.era != Era::Files {
            let keep = dice.between(5, RESUME_TAIL as u64) as usize;
            let skip = self.tail.len().saturating_sub(keep);
            return (plan, Carry::Resume(self.tail.iter().skip(skip).cloned().collect()));
        }
        if self.boundaries.is_empty() {
            return (plan, Carry::None);
        }
        let at = &self.boundaries[dice.between(0, self.boundaries.len() as u64 - 1) as usize];
        plan.start_ms = at.at_ms + 60_000 + dice.wait(600_000.0);
        let carry = Carry::Fork {
            parent: self.plan.session_id.clone(),
            lines: self.prefix[..at.lines].to_vec(),
            ledger: at.ledger.clone(),
        };
        (plan, carry)
    }
}

/// Writes one session (and its sub-agent files); returns what a later session may copy.
pub(crate) fn write(
    shared: &mut Shared,
    corpus: &Corpus,
    project: &Project,
    plan: Plan,
    carry: Carry,
) -> io::Result<Record> {
    std::fs::create_dir_all(&project.dir)?;
    let path = project.dir.join(format!("{}.jsonl", plan.session_id));
    let file = BufWriter::with_capacity(1 << 18, File::create(&path)?);
    shared.truth.files += 1;
    let mut writer = Writer {
        shared,
        corpus,
        project,
        file,
        t: plan.start_ms,
        parent: None,
        context: 0,
        pending: 0,
        last_request: None,
        written: 0,
        ledger: Ledger::default(),
        model: plan.model,
        turns: 0,
        record: Record {
            plan,
            prefix: Vec::new(),
            boundaries: Vec::new(),
            tail: VecDeque::new(),
        },
    };
    writer.start(carry)?;
    while writer.written < writer.record.plan.budget {
        writer.turn()?;
    }
    let Writer { file, t, record, .. } = writer;
    finish(file, t)?;
    Ok(record)
}

/// Flushes a file and gives it the modification time of its last line, as a real history has.
fn finish(file: BufWriter<File>, last_ms: i64) -> io::Result<()> {
    let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(last_ms.max(0) as u64);
    file.set_modified(at)
}

/// A session being written.
struct Writer<'g> {
    shared: &'g mut Shared,
    corpus: &'g Corpus,
    project: &'g Project,
    file: BufWriter<File>,
    /// The time of the latest line, in ms since the epoch.
    t: i64,
    /// The `uuid` of the latest conversation line.
    parent: Option<String>,
    /// Tokens of the cached conversation prefix.
    context: u64,
    /// Tokens added since the latest request (prompt, tool results, output).
    pending: u64,
    /// The time of the latest main-conversation request.
    last_request: Option<i64>,
    /// Lines written for this session, its sub-agent files included.
    written: u64,
    /// Running totals for `cost-state` lines.
    ledger: Ledger,
    /// The model now in use (`/model` may change it).
    model: &'static str,
    turns: u64,
    record: Record,
}

impl<'g> Writer<'g> {
    fn dice(&mut self) -> &mut Dice {
        &mut self.shared.dice
    }

    /// A piece of content text.
    fn text(&mut self, median: f64, sigma: f64, cap: u64) -> &'g str {
        self.corpus.cut(&mut self.shared.dice, median, sigma, cap)
    }

    /// Moves the clock on by `ms`, never to or past the set's end.
    fn advance(&mut self, ms: i64) {
        self.t = (self.t + ms.max(1)).min(self.shared.end_ms - 1);
    }

    /// The clock as Claude Code writes it.
    fn stamp(&self) -> String {
        stamp(self.t)
    }

    /// Writes one line to the session file and keeps it for later copies.
    fn emit(&mut self, line: String) -> io::Result<()> {
        self.file.write_all(line.as_bytes())?;
        self.file.write_all(b"\n")?;
        self.count(&line);
        let keep = &mut self.record;
        if keep.plan.era == Era::Files {
            if keep.prefix.len() < FORK_PREFIX {
                keep.prefix.push(line);
            }
        } else {
            if keep.tail.len() == RESUME_TAIL {
                keep.tail.pop_front();
            }
            keep.tail.push_back(line);
        }
        Ok(())
    }

    /// Counts a written line (of this file or a sub-agent file).
    fn count(&mut self, line: &str) {
        self.written += 1;
        self.shared.truth.lines += 1;
        self.shared.truth.bytes += line.len() as u64 + 1;
    }

    /// A conversation line of this session (`kind` with its own fields in `body`), with a
    /// new `uuid` that becomes the next line's parent.
    fn entry<B: Serialize>(&mut self, kind: &'static str, body: B) -> String {
        let uuid = self.dice().uuid();
        let plan = &self.record.plan;
        let line = shapes::line(&Envelope {
            parent_uuid: self.parent.as_deref(),
            is_sidechain: false,
            agent_id: None,
            body,
            kind,
            uuid: &uuid,
            timestamp: &stamp(self.t),
            user_type: "external",
            entrypoint: "cli",
            cwd: &self.project.cwd,
            session_id: &plan.session_id,
            version: plan.version,
            git_branch: plan.branch,
        });
        self.parent = Some(uuid);
        line
    }

    /// The lines a resumed or forked session starts with.
    fn start(&mut self, carry: Carry) -> io::Result<()> {
        match carry {
            Carry::None => {}
            Carry::Resume(lines) => {
                self.shared.truth.copies.resumed_lines += lines.len() as u64;
                for line in lines {
                    self.emit(line)?;
                }
            }
            Carry::Fork {
                parent,
                lines,
                ledger,
            } => {
                let from = format!("\"sessionId\":\"{parent}\"");
                let to = format!("\"sessionId\":\"{}\"", self.record.plan.session_id);
                self.shared.truth.copies.forked_lines += lines.len() as u64;
                for line in lines {
                    self.emit(line.replace(&from, &to))?;
                }
                self.ledger = ledger;
            }
        }
        if self.record.plan.era != Era::Files && self.dice().chance(0.25) {
            for _ in 0..self.dice().between(1, 3) {
                let summary = self.text(45.0, 0.4, 120);
                let leaf = self.dice().uuid();
                let line = json!({"type": "summary", "summary": summary, "leafUuid": leaf});
                self.emit(line.to_string())?;
            }
        }
        Ok(())
    }

    /// One turn: the user's prompt, the responses and tool calls it leads to, and what
    /// Claude Code writes after it.
    fn turn(&mut self) -> io::Result<()> {
        let gap = self.record.plan.line_gap_ms;
        let pause = match self.dice().unit() {
            x if x < 0.02 => self.dice().between(3_700_000, 14_000_000) as i64,
            x if x < 0.10 => self.dice().between(330_000, 3_000_000) as i64,
            _ => self.dice().wait(gap * 3.0) + 2_000,
        };
        self.advance(pause);
        self.notes()?;
        let prompt = self.text(180.0, 1.3, 20_000);
        let body = UserBody {
            message: UserMessage {
                role: "user",
                content: UserContent::Prompt(prompt),
            },
            tool_use_result: None,
        };
        let line = self.entry("user", body);
        self.emit(line)?;
        self.pending += prompt.len() as u64 / 3 + 20;
        if self.dice().chance(0.02) {
            self.model = *self.shared.dice.weighted(super::prices::MAIN_MODELS);
        }
        let rounds = (self.dice().wait(2.5) + 1).min(20);
        for round in 0..rounds {
            if round > 0 && self.written >= self.record.plan.budget {
                break;
            }
            self.round(round + 1 == rounds)?;
        }
        if self.dice().chance(0.006) {
            self.synthetic()?;
        }
        self.turns += 1;
        if self.record.plan.era == Era::Files {
            self.cost_state()?;
        }
        if self.record.prefix.len() < FORK_PREFIX && self.record.plan.era == Era::Files {
            let boundary = Boundary {
                lines: self.record.prefix.len(),
                at_ms: self.t,
                ledger: self.ledger.clone(),
            };
            self.record.boundaries.push(boundary);
        }
        Ok(())
    }

    /// Lines without usage Claude Code writes around prompts.
    fn notes(&mut self) -> io::Result<()> {
        if self.turns == 0 && self.record.plan.era == Era::Files {
            let title = self.text(40.0, 0.4, 80);
            self.emit(json!({"type": "ai-title", "aiTitle": title}).to_string())?;
        }
        if self.dice().chance(0.05) {
            let id = self.dice().uuid();
            let line = json!({
                "type": "file-history-snapshot",
                "messageId": id,
                "snapshot": {"messageId": id, "trackedFileBackups": {}, "timestamp": self.stamp()},
                "isSnapshotUpdate": false,
            });
            self.emit(line.to_string())?;
        }
        if self.dice().chance(0.03) {
            let content = self.text(60.0, 0.5, 300);
            self.system("informational", content, None)?;
        }
        Ok(())
    }

    /// A `system` line.
    fn system(
        &mut self,
        subtype: &'static str,
        content: &str,
        compact_metadata: Option<serde_json::Value>,
    ) -> io::Result<()> {
        let body = SystemBody {
            subtype,
            content,
            is_meta: false,
            level: "info",
            compact_metadata,
        };
        let line = self.entry("system", body);
        self.emit(line)
    }
}

/// `ms` since the epoch as Claude Code writes times (`2026-11-20T10:04:12.345Z`).
pub(crate) fn stamp(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The folder of a session's sub-agent files.
fn subagents_dir(project: &Project, session_id: &str) -> PathBuf {
    project.dir.join(session_id).join("subagents")
}
