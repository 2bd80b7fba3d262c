//! The polling task: backfill, then re-poll a trailing overlap forever, with back-off on
//! failures and health reports after every attempt.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};

use super::backoff::Backoff;
use super::client::{AdminClient, ApiError};
use super::events::{Revisions, billed_costs, bucket_events};
use super::key::AdminKey;
use super::options::{AdminOptions, SOURCE_NAME};
use super::plan::{BucketWidth, plan};
use crate::usage::{SourceHealth, SourceMsg, SourceState, UsageEvent};

/// Events per `SourceMsg::Events` message.
const BATCH: usize = 1024;
/// After a failed cost report, try again after this long (at most `cost_interval`).
const COST_RETRY: Duration = Duration::from_secs(5 * 60);
/// The source is stale when its last success is older than this many poll intervals.
const STALE_AFTER_POLLS: u32 = 3;

/// The receiver is gone, or polling was told to stop: end the task.
struct Stop;

/// State of the polling task.
pub(crate) struct Poller {
    opts: AdminOptions,
    interval: Duration,
    key: AdminKey,
    tx: mpsc::Sender<SourceMsg>,
    health: SourceHealth,
    started: Instant,
    last_success: Option<Instant>,
    /// Everything before this has been fetched successfully.
    cursor: DateTime<Utc>,
    /// Poll sequence number: the rank of the events of the latest fetch.
    seq: u64,
    revisions: Revisions,
    /// `CaughtUp` was sent (after the backfill, or early when the backfill fails).
    caught_up_sent: bool,
    backoff: Backoff,
}

impl Poller {
    /// A poller that has not started yet.
    pub(crate) fn new(opts: AdminOptions, key: AdminKey, tx: mpsc::Sender<SourceMsg>) -> Poller {
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
        self.sync(client, Duration::ZERO).await?;
        tracing::info!(lines = self.health.lines, "admin API backfill done");
        // The cost report comes before `CaughtUp`, so a one-shot `report` sees it too.
        let mut next_cost = self.refresh_costs(client, backfill_from).await?;
        self.announce_caught_up().await?;
        loop {
            self.pause(self.interval).await?;
            self.sync(client, self.opts.overlap).await?;
            if Instant::now() >= next_cost {
                let yesterday = Utc::now() - chrono::Duration::days(1);
                next_cost = self.refresh_costs(client, yesterday).await?;
            }
        }
    }

    /// Fetches from `cursor - overlap` to now, retrying until it succeeds.
    async fn sync(&mut self, client: &AdminClient, overlap: Duration) -> Result<(), Stop> {
        loop {
            let now = Utc::now();
            let overlap = chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::zero());
            let from = self.cursor.min(now) - overlap;
            let mut failure = None;
            for segment in plan(from, now) {
                match client
                    .usage_report(segment.start, segment.end, segment.width)
                    .await
                {
                    Ok(buckets) => {
                        self.seq += 1;
                        let rank = self.seq;
                        // `lines` counts result rows: one row is one bucket event.
                        let rows = buckets.iter().map(|b| b.results.len() as u64).sum::<u64>();
                        self.health.lines += rows;
                        let newest = buckets
                            .iter()
                            .filter(|b| !b.results.is_empty())
                            .map(|b| b.starting_at)
                            .max();
                        self.health.last_event = self.health.last_event.max(newest);
                        let fresh = bucket_events(&buckets, rank);
                        let changed =
                            self.revisions
                                .reconcile(segment.start, segment.end, fresh, rank);
                        self.send_events(changed).await?;
                        self.cursor = self.cursor.max(segment.end);
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            match failure {
                None => {
                    // Keep what the next poll will re-fetch (also after the backfill).
                    let repolled = chrono::Duration::from_std(self.opts.overlap)
                        .unwrap_or(chrono::Duration::zero());
                    self.revisions
                        .forget_before(BucketWidth::Minute.floor(now - repolled));
                    self.backoff.reset();
                    self.last_success = Some(Instant::now());
                    self.health.state = SourceState::Ok;
                    self.publish().await?;
                    return Ok(());
                }
                Some(e) => self.recover(e).await?,
            }
        }
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
    async fn recover(&mut self, error: ApiError) -> Result<(), Stop> {
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

    /// Fetches the cost report from the day of `from` through today (the API returns buckets
    /// that end before `ending_at`, so today's partial bucket needs tomorrow's start); returns
    /// when to refresh next.
    async fn refresh_costs(
        &mut self,
        client: &AdminClient,
        from: DateTime<Utc>,
    ) -> Result<Instant, Stop> {
        let now = Utc::now();
        let result = client
            .cost_report(
                BucketWidth::Day.floor(from.min(now)),
                BucketWidth::Day.floor(now) + chrono::Duration::days(1),
            )
            .await
            .and_then(|buckets| billed_costs(&buckets));
        match result {
            Ok(billed) => {
                self.send(SourceMsg::Billed(billed)).await?;
                Ok(Instant::now() + self.opts.cost_interval)
            }
            Err(e) => {
                let reason = self.key.redact(&e.to_string());
                tracing::warn!(%reason, "admin API cost report failed");
                Ok(Instant::now() + COST_RETRY.min(self.opts.cost_interval))
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

    async fn send_events(&self, events: Vec<UsageEvent>) -> Result<(), Stop> {
        let mut events = events.into_iter().peekable();
        while events.peek().is_some() {
            let batch: Vec<UsageEvent> = events.by_ref().take(BATCH).collect();
            self.send(SourceMsg::Events(batch)).await?;
        }
        Ok(())
    }

    async fn publish(&self) -> Result<(), Stop> {
        self.send(SourceMsg::Health(self.health.clone())).await
    }

    async fn send(&self, msg: SourceMsg) -> Result<(), Stop> {
        self.tx.send(msg).await.map_err(|_| Stop)
    }
}
