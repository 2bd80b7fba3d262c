//! The Anthropic Admin API source: polls the usage report (1-minute buckets) and the cost
//! report, and turns them into replaceable bucket events and billed costs.
//!
//! Data lands within minutes and is revised afterwards, so each poll re-fetches a trailing
//! overlap and the events carry a rank that grows with every poll: the aggregator replaces a
//! bucket seen before instead of adding it twice. The key lives in [`AdminKey`] and nowhere
//! else; no log line, error or health reason contains it.

mod backoff;
mod client;
mod events;
mod key;
mod plan;
mod poller;
mod schema;

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use client::{AdminClient, ApiError};
pub use key::{AdminKey, KeyError};
pub use plan::{BucketWidth, Segment, plan};
pub use schema::{CostBucket, CostRow, Page, UsageBucket, UsageRow};

pub use crate::usage::BilledCost;
use crate::usage::SourceMsg;

/// The source name in health reports.
pub const SOURCE_NAME: &str = "admin-api";

/// How the Admin API source polls. Holds no secret, so it may be printed.
#[derive(Debug, Clone)]
pub struct AdminOptions {
    /// API base URL (`--api-base`).
    pub api_base: String,
    /// Start of the history to backfill (`--since`).
    pub since: DateTime<Utc>,
    /// Time between polls (`--poll-interval`); raised to `min_poll_interval` if smaller.
    pub poll_interval: Duration,
    /// The smallest poll interval accepted: 10 s, to stay polite to the API. Tests lower it.
    pub min_poll_interval: Duration,
    /// How far back each poll re-fetches, to pick up revised buckets.
    pub overlap: Duration,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included.
    pub request_timeout: Duration,
    /// First back-off delay after a transient failure; doubles per failure.
    pub backoff_start: Duration,
    /// Longest back-off delay.
    pub backoff_cap: Duration,
    /// After the key is rejected (401/403), try again this often; `None` stops for good.
    pub rejected_key_retry: Option<Duration>,
    /// How often the cost report is refreshed.
    pub cost_interval: Duration,
}

impl Default for AdminOptions {
    fn default() -> Self {
        AdminOptions {
            api_base: "https://api.anthropic.com".to_owned(),
            since: start_of_month(Utc::now()),
            poll_interval: Duration::from_secs(60),
            min_poll_interval: Duration::from_secs(10),
            overlap: Duration::from_secs(10 * 60),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            backoff_start: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(5 * 60),
            rejected_key_retry: Some(Duration::from_secs(30 * 60)),
            cost_interval: Duration::from_secs(60 * 60),
        }
    }
}

impl AdminOptions {
    /// The poll interval actually used: `poll_interval`, but at least `min_poll_interval`.
    pub fn effective_poll_interval(&self) -> Duration {
        self.poll_interval.max(self.min_poll_interval)
    }
}

fn start_of_month(now: DateTime<Utc>) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(now.year(), now.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |t| Utc.from_utc_datetime(&t))
}

/// Starts the Admin API source: backfills from `opts.since`, sends
/// [`SourceMsg::CaughtUp`], then polls every `poll_interval` until `tx` is closed (or, after
/// the key is rejected, until told to stop retrying). Sends events, health and billed costs.
pub fn spawn_admin_api(
    opts: AdminOptions,
    key: AdminKey,
    tx: mpsc::Sender<SourceMsg>,
) -> JoinHandle<()> {
    tokio::spawn(poller::Poller::new(opts, key, tx).run())
}
