//! How the Admin API source polls, and the name it reports its health under.

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// The source name in health reports.
pub(crate) const SOURCE_NAME: &str = "admin-api";

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
    pub(crate) fn effective_poll_interval(&self) -> Duration {
        self.poll_interval.max(self.min_poll_interval)
    }
}

fn start_of_month(now: DateTime<Utc>) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(now.year(), now.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |t| Utc.from_utc_datetime(&t))
}
