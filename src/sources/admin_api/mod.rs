//! The Anthropic Admin API source: polls the Usage & Cost Analytics API (falling back to the
//! legacy usage report when the key or organisation cannot use it) and the cost report, and
//! turns them into replaceable bucket events — by actor, API key, workspace, product, model,
//! tier, context window, geo and speed — and billed costs; beside them the org's spend limits,
//! rate limits and Claude Code's per-developer figures.
//!
//! Data lands within minutes and is revised afterwards, so each poll re-fetches a trailing
//! overlap and the events carry a rank that grows with every poll: the aggregator replaces a
//! bucket seen before instead of adding it twice. The key lives in [`AdminKey`] and nowhere
//! else; no log line, error, health reason or note contains it.

mod analytics;
mod backoff;
mod bucket;
mod client;
mod extras;
mod figures;
mod key;
mod legacy;
mod notes;
mod options;
mod org;
mod plan;
mod poller;
mod revisions;
mod sync;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use key::{AdminKey, KeyError};
pub use options::{AdminOptions, UsageApi};
pub use plan::{Segment, plan};

use crate::usage::{SourceMsg, SpendLimitReading};

/// Starts the Admin API source: backfills from `opts.since`, reads the cost report, spend
/// and rate limits and Claude Code's days, sends [`SourceMsg::CaughtUp`], then polls every
/// `poll_interval` until `tx` is closed (or, after the key is rejected, until told to stop
/// retrying).
pub fn spawn_admin_api(
    opts: AdminOptions,
    key: AdminKey,
    tx: mpsc::Sender<SourceMsg>,
) -> JoinHandle<()> {
    tokio::spawn(poller::Poller::new(opts, key, tx).run())
}

/// Reads the organisation's spend limits once, with Anthropic's period-to-date spend where it
/// gives one (`check --admin-api`, `hook --admin-api`): the poller's client and parsing, with
/// `timeout` for the connection and for each request. Returns the readings and a note on
/// what was left out; the error never contains the key.
pub(crate) async fn read_spend_limits(
    api_base: &str,
    key: &AdminKey,
    timeout: std::time::Duration,
) -> Result<(Vec<SpendLimitReading>, Option<String>), String> {
    let client = client::AdminClient::new(api_base, key, timeout, timeout)
        .map_err(|e| key.redact(&e.to_string()))?;
    org::spend::fetch(&client, &org::Names::default())
        .await
        .map_err(|e| key.redact(&e.to_string()))
}
