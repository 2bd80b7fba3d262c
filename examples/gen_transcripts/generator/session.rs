//! One session file: its turns (prompt, streamed responses, tool results, sub-agents),
//! the copies a resume or fork starts with, and what the next session may copy from it.

mod carry;
mod request;
mod subagent;

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
pub(crate) use carry::{Carry, Record};

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
    /// When the session should end: its pace follows from it.
    pub(crate) end_ms: i64,
    pub(crate) budget: u64,
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
        record: Record::new(plan),
    };
    writer.start(carry)?;
    while writer.written < writer.record.plan.budget {
        writer.turn()?;
    }
    let Writer {
        file, t, record, ..
    } = writer;
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

    /// Time left until the session's planned end, in ms.
    fn time_left(&self) -> i64 {
        (self.record.plan.end_ms - self.t).max(0)
    }

    /// The mean time per line that ends the session on time (at least 300 ms).
    fn gap(&self) -> f64 {
        let lines = self.record.plan.budget.saturating_sub(self.written).max(1);
        (self.time_left() as f64 / lines as f64).max(300.0)
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
        self.record.keep(line);
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
        let mut parent = self.parent.take();
        let line = self.line_after(&mut parent, None, kind, body);
        self.parent = parent;
        line
    }

    /// A line of this session after the line `parent` (which becomes this line's `uuid`),
    /// written by the sub-agent `agent` when one is named.
    fn line_after<B: Serialize>(
        &mut self,
        parent: &mut Option<String>,
        agent: Option<&str>,
        kind: &'static str,
        body: B,
    ) -> String {
        let uuid = self.dice().uuid();
        let plan = &self.record.plan;
        let line = shapes::line(&Envelope {
            parent_uuid: parent.as_deref(),
            is_sidechain: agent.is_some(),
            agent_id: agent,
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
        *parent = Some(uuid);
        line
    }

    /// One turn: the user's prompt, the responses and tool calls it leads to, and what
    /// Claude Code writes after it.
    fn turn(&mut self) -> io::Result<()> {
        // Breaks long enough for the cache to expire, unless the session is out of time.
        let gap = self.gap();
        let pause = match self.dice().unit() {
            x if x < 0.02 => self.dice().between(3_700_000, 14_000_000) as i64,
            x if x < 0.10 => self.dice().between(330_000, 3_000_000) as i64,
            _ => 0,
        };
        let pause = if pause > 0 && pause < self.time_left() / 4 {
            pause
        } else {
            self.dice().wait(gap * 3.0) + 2_000
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
            self.model = self.shared.dice.weighted(super::prices::MAIN_MODELS);
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
        self.record.turn_ended(self.t, &self.ledger);
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
fn stamp(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The folder of a session's sub-agent files.
fn subagents_dir(project: &Project, session_id: &str) -> PathBuf {
    project.dir.join(session_id).join("subagents")
}
