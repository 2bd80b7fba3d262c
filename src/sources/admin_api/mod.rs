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
mod options;
mod plan;
mod poller;
mod schema;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use key::{AdminKey, KeyError};
pub use options::AdminOptions;
pub use plan::{Segment, plan};

pub(crate) use crate::usage::BilledCost;
use crate::usage::SourceMsg;

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
