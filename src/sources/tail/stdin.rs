//! Standard input as a live source: lines as they arrive, until end of input.

use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::mpsc::Sender;

use crate::sources::ingest::{Batch, Closed, Origin, Tally, take_line, take_lines};
use crate::sources::lines::LineReader;
use crate::usage::{SourceHealth, SourceMsg, SourceState};

/// Health messages are at most this frequent.
const HEALTH_INTERVAL: Duration = Duration::from_secs(1);

/// Reads stdin line by line until its end (blocking; run on its own thread), then reports
/// `Done` and `CaughtUp`.
pub(super) fn follow_stdin(name: &str, tx: &Sender<SourceMsg>) {
    let mut batch = Batch::new(tx.clone());
    let _ = read_stdin(name, &mut std::io::stdin().lock(), &mut batch);
}

fn health(name: &str, tally: &Tally, state: SourceState) -> SourceMsg {
    SourceMsg::Health(SourceHealth {
        name: name.to_owned(),
        state,
        lines: tally.lines,
        parse_errors: tally.parse_errors,
        first_error: tally.first_error.clone(),
        naive_times: tally.naive_times,
        compactions: tally.compactions,
        last_event: tally.last_event,
        files: 0,
        ..SourceHealth::default()
    })
}

fn read_stdin(name: &str, input: &mut impl std::io::Read, batch: &mut Batch) -> Result<(), Closed> {
    let mut reader = LineReader::new();
    let mut tally = Tally::default();
    let mut sent_at: Option<Instant> = None;
    let mut sent = tally.clone();
    loop {
        let origin = Origin {
            path: name,
            fallback_time: Utc::now(),
            lines_from_start: true,
            started: None,
        };
        take_lines(&mut reader, &origin, &mut tally, batch)?;
        // Send what arrived before blocking for more.
        batch.flush()?;
        if tally != sent && sent_at.is_none_or(|t| t.elapsed() >= HEALTH_INTERVAL) {
            batch.send(health(name, &tally, SourceState::Ok))?;
            sent = tally.clone();
            sent_at = Some(Instant::now());
        }
        match reader.fill(input) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let reason = format!("cannot read {name}: {e}");
                batch.send(health(name, &tally, SourceState::Error(reason)))?;
                return batch.send(SourceMsg::CaughtUp {
                    name: name.to_owned(),
                });
            }
        }
    }
    if let Some(line) = reader.finish() {
        let origin = Origin {
            path: name,
            fallback_time: Utc::now(),
            lines_from_start: true,
            started: None,
        };
        take_line(line, &origin, &mut tally, batch)?;
    }
    batch.send(health(name, &tally, SourceState::Done))?;
    batch.send(SourceMsg::CaughtUp {
        name: name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_lines_are_sent_then_done_and_caught_up() {
        let line = r#"{"type":"assistant","timestamp":"2026-05-04T01:50:18.499Z","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-6","usage":{"input_tokens":3,"output_tokens":7}}}"#;
        let input = format!(
            "{line}\nnot json but \"usage\"\n{}",
            line.replace("r1", "r2")
        );
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let mut batch = Batch::new(tx);
        read_stdin("stdin", &mut input.as_bytes(), &mut batch).expect("receiver open");
        drop(batch);
        let mut events = 0;
        let mut last = Vec::new();
        while let Ok(msg) = rx.try_recv() {
            match msg {
                SourceMsg::Events(e) => events += e.len(),
                other => last.push(other),
            }
        }
        assert_eq!(events, 2);
        let [.., SourceMsg::Health(health), SourceMsg::CaughtUp { name }] = &last[..] else {
            panic!("expected final health then caught-up: {last:?}");
        };
        assert_eq!((health.lines, health.parse_errors), (3, 1));
        assert_eq!(health.state, SourceState::Done);
        assert_eq!(
            health.first_error.as_deref().map(|e| &e[..8]),
            Some("stdin:2:")
        );
        assert_eq!(name, "stdin");
    }
}
