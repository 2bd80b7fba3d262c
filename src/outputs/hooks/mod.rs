//! Alarm actions: a webhook POST (Slack-compatible JSON, retried with back-off) and an
//! `--on-alarm` command. Each has its own worker behind a bounded queue, with time limits, so a
//! dead, hanging or slow endpoint delays nothing; how each is doing is reported to the
//! aggregator as a source's health (`webhook HOST`, `on-alarm`), so failures, timeouts and
//! alarms dropped from a full queue show in the status bar, the JSON and the alarm log.

mod actions;
mod command;
mod webhook;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use crate::snapshot::{AlarmLogEntry, Snapshot};
use crate::usage::{SourceHealth, SourceMsg, SourceState};
pub use actions::{AlarmActions, HookTiming};
pub use webhook::WebhookPayload;

use actions::Outcome;

/// What one action has done, shown as its health.
#[derive(Debug)]
struct Tally {
    name: String,
    queue: mpsc::Sender<AlarmLogEntry>,
    delivered: u64,
    failed: u64,
    dropped: u64,
    last_error: Option<String>,
    first_error: Option<String>,
    last_delivery: Option<DateTime<Utc>>,
}

impl Tally {
    fn new(name: String, queue: mpsc::Sender<AlarmLogEntry>) -> Tally {
        Tally {
            name,
            queue,
            delivered: 0,
            failed: 0,
            dropped: 0,
            last_error: None,
            first_error: None,
            last_delivery: None,
        }
    }

    fn note_error(&mut self, why: String) {
        if self.first_error.is_none() {
            self.first_error = Some(why.clone());
        }
        self.last_error = Some(why);
    }

    /// The action as a source: an error while its last delivery failed; `lines` counts
    /// alarms delivered, `parse_errors` alarms not delivered (failed or dropped).
    fn health(&self) -> SourceHealth {
        let dropped = match self.dropped {
            0 => String::new(),
            1 => "; 1 alarm dropped (queue full)".to_owned(),
            n => format!("; {n} alarms dropped (queue full)"),
        };
        let state = match &self.last_error {
            Some(why) => SourceState::Error(format!(
                "{why}; {} of {} alarms not delivered{dropped}",
                self.failed + self.dropped,
                self.delivered + self.failed + self.dropped
            )),
            None => SourceState::Ok,
        };
        SourceHealth {
            naive_times: 0,
            compactions: 0,
            name: self.name.clone(),
            state,
            lines: self.delivered,
            parse_errors: self.failed + self.dropped,
            first_error: self.first_error.clone(),
            last_event: self.last_delivery,
            files: 0,
            receiver: None,
            proxy: None,
            note: None,
        }
    }
}

/// Watches snapshots and hands each newly raised alarm to every configured action; reports
/// each action's health to `health` (the aggregator's source channel). Ends when the
/// snapshot sender is gone.
pub fn spawn_alarm_actions(
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    actions: &AlarmActions,
    health: Option<mpsc::Sender<SourceMsg>>,
) -> tokio::task::JoinHandle<()> {
    let timing = actions.timing;
    let (outcomes_tx, mut outcomes) = mpsc::channel::<Outcome>(64);
    let mut tallies: Vec<Option<Tally>> = vec![None, None];
    if let Some(url) = &actions.webhook {
        let (tx, rx) = mpsc::channel(timing.queue.max(1));
        tallies[0] = Some(Tally::new(webhook::health_name(url), tx));
        tokio::spawn(webhook::deliver_all(
            url.clone(),
            timing,
            rx,
            outcomes_tx.clone(),
        ));
    }
    if let Some(cmd) = &actions.on_alarm {
        let (tx, rx) = mpsc::channel(timing.queue.max(1));
        tallies[1] = Some(Tally::new("on-alarm".to_owned(), tx));
        tokio::spawn(command::run_all(cmd.clone(), timing, rx, outcomes_tx));
    }
    tokio::spawn(async move {
        let report = |t: &Tally| {
            let health = health.clone();
            let msg = SourceMsg::Health(t.health());
            async move {
                if let Some(tx) = health {
                    let _ = tx.send(msg).await;
                }
            }
        };
        for t in tallies.iter().flatten() {
            report(t).await;
        }
        let mut last_seq = 0;
        loop {
            let snap = snapshots.borrow_and_update().clone();
            let seen = last_seq;
            for entry in snap.alarm_log.iter().filter(|e| e.seq > seen) {
                last_seq = entry.seq;
                if entry.transition != "raised" {
                    continue;
                }
                for t in tallies.iter_mut().flatten() {
                    if t.queue.try_send(entry.clone()).is_err() {
                        t.dropped += 1;
                        tracing::warn!("{}: alarm dropped, queue full", t.name);
                        report(t).await;
                    }
                }
            }
            tokio::select! {
                changed = snapshots.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                Some(outcome) = outcomes.recv() => {
                    let Some(t) = tallies[outcome.action].as_mut() else { continue };
                    match outcome.result {
                        Ok(()) => {
                            t.delivered += 1;
                            t.last_error = None;
                            t.last_delivery = Some(Utc::now());
                        }
                        Err(why) => {
                            t.failed += 1;
                            tracing::warn!("{}: {why}", t.name);
                            t.note_error(why);
                        }
                    }
                    report(t).await;
                }
            }
        }
    })
}
