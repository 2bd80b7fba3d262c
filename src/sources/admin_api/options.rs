//! How the Admin API source polls (which usage API, how often each report is refreshed),
//! and the name it reports its health under.

use std::str::FromStr;
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
    /// Which usage API to read.
    pub usage_api: UsageApi,
    /// How often spend limits (and their period-to-date spend) are refreshed.
    pub limits_interval: Duration,
    /// How often the configured rate limits and the names of keys and workspaces are
    /// refreshed.
    pub config_interval: Duration,
    /// How often Claude Code's per-developer days (today and yesterday) are refreshed.
    pub claude_code_interval: Duration,
    /// The most days of Claude Code figures read at the start (the newest ones).
    pub claude_code_days: u32,
}

/// Which of Anthropic's usage APIs the source reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UsageApi {
    /// The Usage & Cost Analytics API, falling back to the legacy usage report when the key
    /// or organisation cannot use it (404, 403, a refused beta).
    #[default]
    Auto,
    /// The Analytics API only.
    Analytics,
    /// The legacy usage and cost reports only.
    Legacy,
}

impl FromStr for UsageApi {
    type Err = String;
    fn from_str(s: &str) -> Result<UsageApi, String> {
        match s {
            "auto" => Ok(UsageApi::Auto),
            "analytics" => Ok(UsageApi::Analytics),
            "legacy" => Ok(UsageApi::Legacy),
            _ => Err(format!(
                "unknown usage API {s:?} (use auto, analytics, legacy)"
            )),
        }
    }
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
            usage_api: UsageApi::Auto,
            limits_interval: Duration::from_secs(5 * 60),
            config_interval: Duration::from_secs(60 * 60),
            claude_code_interval: Duration::from_secs(60 * 60),
            claude_code_days: 31,
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
