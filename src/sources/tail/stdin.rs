//! Standard input as a live source: lines as they arrive, until end of input.

use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::mpsc::Sender;

use crate::sources::ingest::{Batch, Closed, Origin, Tally, take_line, take_lines};
use crate::sources::lines::LineReader;
use crate::sources::{SourceHealth, SourceMsg, SourceState};

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
        last_event: tally.last_event,
        files: 0,
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
        };
        take_line(line, &origin, &mut tally, batch)?;
    }
    batch.send(health(name, &tally, SourceState::Done))?;
    batch.send(SourceMsg::CaughtUp {
        name: name.to_owned(),
    })
}
