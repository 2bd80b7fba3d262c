//! The Admin API source against the mock organisation: the Analytics API by actor, key,
//! workspace and product with exact figures (`analytics`), the fall back to the legacy
//! report and speed on both paths (`fallback`), spend limits, rate limits and Claude Code
//! Analytics (`limits`).

mod analytics;
mod fallback;
mod limits;

use std::sync::Arc;
use std::time::Duration;

use costtop::aggregate::{AggregatorHandle, CounterOptions, Settings};
use costtop::pricing::Money;
use costtop::snapshot::{GroupBy, Snapshot, SourceStatus};
use costtop::sources::admin_api::{AdminKey, AdminOptions, spawn_admin_api};
use costtop::time::{SystemClock, Window, Zone};
use tokio::task::JoinHandle;

use crate::support::admin::fast_options;
use crate::support::org_api::OrgApi;
use crate::support::org_api::data::MockData;

pub(super) const KEY: &str = "sk-ant-admin01-ORG-CANARY-31b7c0de";

pub(super) fn key() -> AdminKey {
    AdminKey::resolve(Some(KEY.to_owned()), None).unwrap()
}

/// Short intervals for every report.
pub(super) fn options(api: &OrgApi) -> AdminOptions {
    AdminOptions {
        limits_interval: Duration::from_millis(100),
        config_interval: Duration::from_millis(300),
        claude_code_interval: Duration::from_millis(300),
        claude_code_days: 2,
        ..fast_options(&api.base)
    }
}

/// A live aggregator (UTC, window `all`) fed by the source, once its history is read.
pub(super) struct Run {
    pub(super) handle: AggregatorHandle,
    task: JoinHandle<()>,
}

impl Drop for Run {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Run {
    pub(super) async fn start(opts: AdminOptions) -> Run {
        Run::start_with(opts, None).await
    }

    /// As [`Run::start`], keeping `/metrics` counters with `counters`.
    pub(super) async fn start_with(opts: AdminOptions, counters: Option<CounterOptions>) -> Run {
        let settings = Settings {
            zone: "UTC".parse::<Zone>().unwrap(),
            window: Window::All,
            counters,
            ..Settings::default()
        };
        let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
        let task = spawn_admin_api(opts, key(), handle.source_sender());
        tokio::time::timeout(Duration::from_secs(10), handle.caught_up(1))
            .await
            .expect("the backfill finished");
        Run { handle, task }
    }

    pub(super) async fn snapshot(&self, by: Option<&str>) -> Arc<Snapshot> {
        let by = by.map(|b| b.parse::<GroupBy>().unwrap());
        self.handle.snapshot_now(by).await.unwrap()
    }

    /// (row, cost) of `--by by`, most expensive first.
    pub(super) async fn rows(&self, by: &str) -> Vec<(String, Money)> {
        let snap = self.snapshot(Some(by)).await;
        snap.rows
            .iter()
            .map(|r| (r.key.clone(), r.totals.cost))
            .collect()
    }

    pub(super) async fn source(&self) -> SourceStatus {
        let snap = self.snapshot(None).await;
        snap.sources
            .iter()
            .find(|s| s.name == "admin-api")
            .cloned()
            .expect("the admin-api source reported")
    }

    /// Waits (10 s at most) until the snapshot satisfies `done`.
    pub(super) async fn until(
        &self,
        what: &str,
        done: impl Fn(&Snapshot) -> bool,
    ) -> Arc<Snapshot> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let snap = self.snapshot(None).await;
            if done(&snap) {
                return snap;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never {what}: {snap:#?}"
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
}

/// Exact money from cents, as the API writes it.
pub(super) fn cents(s: &str) -> Money {
    Money::from_cents_str(s).unwrap()
}

/// Starts the mock with `data`.
pub(super) async fn mock(data: MockData) -> OrgApi {
    OrgApi::start(KEY, data).await
}
