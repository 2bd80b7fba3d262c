//! The polling task: backfill, then re-poll a trailing overlap forever, with back-off on
//! failures and health reports after every attempt; the cost report, spend limits, rate
//! limits, names and Claude Code's days on their own, slower clocks.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};

use super::backoff::Backoff;
use super::client::{AdminClient, ApiError};
use super::key::AdminKey;
use super::notes::Notes;
use super::options::{AdminOptions, SOURCE_NAME, UsageApi};
use super::org::Names;
use super::revisions::Revisions;
use crate::usage::{SourceHealth, SourceMsg, SourceState, UsageEvent};

/// Events per `SourceMsg::Events` message.
const BATCH: usize = 1024;
/// The source is stale when its last success is older than this many poll intervals.
const STALE_AFTER_POLLS: u32 = 3;

/// The receiver is gone, or polling was told to stop: end the task.
pub(super) struct Stop;

/// Which usage API is read, as far as the source knows yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    /// The Analytics API, not yet answered: a refusal falls back to the legacy API.
    Probing,
    /// The Analytics API answered.
    Analytics,
    /// The legacy usage report; `speed`: grouped by speed with the fast-mode beta.
    Legacy {
        /// Speed is grouped (fast mode is priced).
        speed: bool,
    },
}

/// When each slower report is due next.
pub(super) struct Due {
    pub(super) cost: Instant,
    pub(super) limits: Instant,
    pub(super) config: Instant,
    pub(super) claude_code: Instant,
}

/// State of the polling task.
pub(crate) struct Poller {
    pub(super) opts: AdminOptions,
    pub(super) interval: Duration,
    pub(super) key: AdminKey,
    tx: mpsc::Sender<SourceMsg>,
    pub(super) health: SourceHealth,
    started: Instant,
    pub(super) last_success: Option<Instant>,
    /// Everything before this has been fetched successfully.
    pub(super) cursor: DateTime<Utc>,
    /// Poll sequence number: the rank of the events of the latest fetch.
    pub(super) seq: u64,
    pub(super) revisions: Revisions,
    /// `CaughtUp` was sent (after the backfill, or early when the backfill fails).
    caught_up_sent: bool,
    pub(super) backoff: Backoff,
    /// The usage API in use.
    pub(super) api: Api,
    /// Names of keys and workspaces.
    pub(super) names: Names,
    /// What the health note says, part by part.
    pub(super) notes: Notes,
}

impl Poller {
    /// A poller that has not started yet.
    pub(crate) fn new(opts: AdminOptions, key: AdminKey, tx: mpsc::Sender<SourceMsg>) -> Poller {
        let api = match opts.usage_api {
            UsageApi::Legacy => Api::Legacy { speed: true },
            UsageApi::Auto | UsageApi::Analytics => Api::Probing,
        };
        let mut notes = Notes::default();
        if api != Api::Probing {
            notes.chose_legacy();
        }
        Poller {
            interval: opts.effective_poll_interval(),
            backoff: Backoff::new(opts.backoff_start, opts.backoff_cap),
            cursor: opts.since,
            opts,
            key,
            tx,
            health: SourceHealth {
                name: SOURCE_NAME.to_owned(),
                ..SourceHealth::default()
            },
            started: Instant::now(),
            last_success: None,
            seq: 0,
            revisions: Revisions::default(),
            caught_up_sent: false,
            api,
            names: Names::default(),
            notes,
        }
    }

    /// Runs until the receiver goes away (or polling stops after a rejected key).
    pub(crate) async fn run(mut self) {
        let client = match AdminClient::new(
            &self.opts.api_base,
            &self.key,
            self.opts.connect_timeout,
            self.opts.request_timeout,
        ) {
            Ok(client) => client,
            Err(e) => {
                let reason = self.key.redact(&e.to_string());
                tracing::error!(%reason, "admin API source not started");
                self.health.state = SourceState::Error(reason);
                let _ = self.publish().await;
                return;
            }
        };
        let _ = self.poll_forever(&client).await;
        tracing::debug!("admin API poller stopped");
    }

    async fn poll_forever(&mut self, client: &AdminClient) -> Result<(), Stop> {
        self.publish().await?;
        let backfill_from = self.cursor;
        self.refresh_config(client).await?;
        self.sync(client, Duration::ZERO).await?;
        tracing::info!(lines = self.health.lines, "admin API backfill done");
        // The reports come before `CaughtUp`, so a one-shot `report` sees them too.
        let now = Instant::now();
        let mut due = Due {
            cost: self.refresh_costs(client, backfill_from).await?,
            limits: self.refresh_limits(client).await?,
            config: now + self.opts.config_interval,
            claude_code: self.refresh_claude_code(client, backfill_from).await?,
        };
        self.publish().await?;
        self.announce_caught_up().await?;
        loop {
            self.pause(self.interval).await?;
            self.sync(client, self.opts.overlap).await?;
            self.refresh_due(client, &mut due).await?;
        }
    }

    /// Refreshes whichever slower report is due.
    async fn refresh_due(&mut self, client: &AdminClient, due: &mut Due) -> Result<(), Stop> {
        let now = Instant::now();
        let yesterday = Utc::now() - chrono::Duration::days(1);
        let before = self.health.note.clone();
        if now >= due.cost {
            due.cost = self.refresh_costs(client, yesterday).await?;
        }
        if now >= due.limits {
            due.limits = self.refresh_limits(client).await?;
        }
        if now >= due.config {
            self.refresh_config(client).await?;
            due.config = Instant::now() + self.opts.config_interval;
        }
        if now >= due.claude_code {
            due.claude_code = self.refresh_claude_code(client, yesterday).await?;
        }
        let after = self.notes.text().map(|n| self.key.redact(&n));
        if after != before {
            self.publish().await?;
        }
        Ok(())
    }

    /// Says the history is read, once. Also sent when the key is rejected during the backfill
    /// (that does not heal by retrying), so one-shot commands finish and show the error.
    async fn announce_caught_up(&mut self) -> Result<(), Stop> {
        if !self.caught_up_sent {
            self.caught_up_sent = true;
            self.send(SourceMsg::CaughtUp {
                name: SOURCE_NAME.to_owned(),
            })
            .await?;
        }
        Ok(())
    }

    /// Reports a failure and waits as long as it deserves.
    pub(super) async fn recover(&mut self, error: ApiError) -> Result<(), Stop> {
        let reason = self.key.redact(&error.to_string());
        tracing::warn!(%reason, "admin API request failed");
        match error {
            ApiError::Rejected(_) => {
                self.health.state = SourceState::Error(reason);
                self.publish().await?;
                self.announce_caught_up().await?;
                match self.opts.rejected_key_retry {
                    Some(every) => self.pause(every).await,
                    None => Err(Stop),
                }
            }
            ApiError::RateLimited { retry_after } => {
                // Being told to wait is not a fault: stay Ok until the data goes stale.
                self.mark_stale();
                self.publish().await?;
                let wait = retry_after.unwrap_or_else(|| self.backoff.next_delay());
                self.pause(wait).await
            }
            _ => {
                self.health.state = SourceState::Error(reason);
                self.publish().await?;
                let wait = self.backoff.next_delay();
                self.pause(wait).await
            }
        }
    }

    /// Sleeps for `wait`, waking every poll interval to report staleness; stops early when
    /// the receiver is gone.
    async fn pause(&mut self, wait: Duration) -> Result<(), Stop> {
        let deadline = Instant::now() + wait;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            let slice = (deadline - now).min(self.interval);
            tokio::select! {
                () = sleep(slice) => {}
                () = self.tx.closed() => return Err(Stop),
            }
            if self.mark_stale() {
                self.publish().await?;
            }
        }
    }

    /// Turns an Ok state into Stale when the last success is too old; true if it changed.
    fn mark_stale(&mut self) -> bool {
        let since = self.last_success.unwrap_or(self.started);
        let stale = since.elapsed() > self.interval * STALE_AFTER_POLLS;
        if stale && self.health.state == SourceState::Ok {
            self.health.state = SourceState::Stale;
            return true;
        }
        false
    }

    pub(super) async fn send_events(&self, events: Vec<UsageEvent>) -> Result<(), Stop> {
        let mut events = events.into_iter().peekable();
        while events.peek().is_some() {
            let batch: Vec<UsageEvent> = events.by_ref().take(BATCH).collect();
            self.send(SourceMsg::Events(batch)).await?;
        }
        Ok(())
    }

    /// Sends the current health, with the note as the notes say now (the key redacted).
    pub(super) async fn publish(&mut self) -> Result<(), Stop> {
        self.health.note = self.notes.text().map(|n| self.key.redact(&n));
        self.send(SourceMsg::Health(self.health.clone())).await
    }

    pub(super) async fn send(&self, msg: SourceMsg) -> Result<(), Stop> {
        self.tx.send(msg).await.map_err(|_| Stop)
    }
}
