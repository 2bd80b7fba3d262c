//! What a session starts with when it continues an earlier one — the last lines of a resumed
//! session, verbatim, or a forked parent's lines under the fork's `sessionId` — and what a
//! written session keeps so that a later one can.

use std::collections::VecDeque;
use std::io;

use serde_json::json;

use super::super::dice::Dice;
use super::super::truth::Ledger;
use super::{Era, Plan, Writer};

/// Lines of a session kept for a fork to repeat (its parent's first turns).
const FORK_PREFIX: usize = 400;
/// Lines of a session kept for a resume to repeat (its last ones).
const RESUME_TAIL: usize = 60;

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
    /// The session's plan.
    pub(super) plan: Plan,
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
            return (
                plan,
                Carry::Resume(self.tail.iter().skip(skip).cloned().collect()),
            );
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

    /// An empty record of the session `plan` describes.
    pub(super) fn new(plan: Plan) -> Record {
        Record {
            plan,
            prefix: Vec::new(),
            boundaries: Vec::new(),
            tail: VecDeque::new(),
        }
    }

    /// Keeps a written line if a later session may copy it.
    pub(super) fn keep(&mut self, line: String) {
        if self.plan.era == Era::Files {
            if self.prefix.len() < FORK_PREFIX {
                self.prefix.push(line);
            }
        } else {
            if self.tail.len() == RESUME_TAIL {
                self.tail.pop_front();
            }
            self.tail.push_back(line);
        }
    }

    /// Notes a turn's end at `at_ms` with the session's totals there (a fork may start there).
    pub(super) fn turn_ended(&mut self, at_ms: i64, ledger: &Ledger) {
        if self.plan.era == Era::Files && self.prefix.len() < FORK_PREFIX {
            self.boundaries.push(Boundary {
                lines: self.prefix.len(),
                at_ms,
                ledger: ledger.clone(),
            });
        }
    }
}

impl Writer<'_> {
    /// The lines a resumed or forked session starts with.
    pub(super) fn start(&mut self, carry: Carry) -> io::Result<()> {
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
}
