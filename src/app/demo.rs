//! Wiring of `costtop demo`: a temporary log, the writer, the real tail source, an aggregator
//! on the simulated clock, and the dashboard.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use tempfile::TempDir;
use tokio::task::JoinHandle;

use super::setup::{list_themes_if_asked, live_since, load_config, settings, ui_options, zone};
use super::start::{Live, start_live};
use crate::aggregate::{AggregatorHandle, AsyncMark};
use crate::cli::DemoArgs;
use crate::sources::demo::{
    DEMO_ASYNC, DemoFeed, START_HOUR, Scenario, WRITE_TICK, follow_clock, plan_budget,
};
use crate::sources::discover;
use crate::time::{Clock, ScaledClock, Zone};

/// Name of the simulated log inside the demo's temporary directory.
const LOG_NAME: &str = "demo-usage.jsonl";

/// A running demo without its screen: what the dashboard (or a test) watches.
pub struct DemoRun {
    /// The aggregator, on the simulated clock.
    pub handle: AggregatorHandle,
    /// The simulated clock.
    pub(crate) clock: ScaledClock,
    /// The simulated log the tail source follows.
    pub log_path: PathBuf,
    /// The tail source, recorder and alarm actions.
    pub(crate) live: Live,
    /// The task writing the simulated log.
    pub writer: JoinHandle<()>,
    /// The temporary directory; removed when the run is dropped.
    _dir: TempDir,
}

impl Drop for DemoRun {
    fn drop(&mut self) {
        self.writer.abort();
        for task in &self.live.tasks {
            task.abort();
        }
    }
}

/// When the story starts: [`START_HOUR`] local time on the zone's current day.
pub fn story_start(zone: &Zone, now: DateTime<Utc>) -> DateTime<Utc> {
    zone.start_of_day(now) + Duration::hours(START_HOUR)
}

/// Starts everything but the screen: temp log with the day so far, aggregator with the
/// demo budget on the simulated clock, tail source, writer.
pub async fn start_demo(args: &DemoArgs) -> Result<DemoRun> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!("--speed must be a positive number, got {}", args.speed);
    }
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = live_since(args.follow.since.as_deref(), zone)?;
    let mut settings = settings(&config, &args.common, args.follow.window, Some(since), None)?;
    let start = story_start(&zone, Utc::now());
    let scenario = Scenario::new(args.seed, start);

    let dir = tempfile::Builder::new()
        .prefix("costtop-demo-")
        .tempdir()
        .context("cannot create the demo's temporary directory")?;
    let log_path = dir.path().join(LOG_NAME);
    // The day so far is written before the tail starts, so it is read as history at once;
    // meanwhile the budget is sized from the same story.
    let (prices, speed) = (settings.prices.clone(), args.speed);
    let planner = {
        let scenario = scenario.clone();
        tokio::task::spawn_blocking(move || plan_budget(&scenario, &prices, &zone, speed))
    };
    let backfill = {
        let path = log_path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<DemoFeed> {
            let mut feed = DemoFeed::new(scenario);
            std::fs::write(&path, feed.due_text(start))?;
            Ok(feed)
        })
    };
    let feed = backfill
        .await
        .context("demo writer failed")?
        .with_context(|| format!("cannot write {}", log_path.display()))?;
    let plan = planner.await.context("budget planner failed")?;
    settings.budgets.insert(0, plan.budget);
    // The organisation's nightly reports can wait: the demo's own settings say so, and the
    // audit prices them through the Batch API.
    let mark: AsyncMark = DEMO_ASYNC.parse().map_err(anyhow::Error::msg)?;
    settings.audit.async_groups.push(mark);

    let discovery = discover(&[log_path.display().to_string()]);
    let clock = ScaledClock::starting_at(start, speed);
    let handle = AggregatorHandle::spawn(settings, Arc::new(clock));
    // The demo's records are simulated: they never go into the history.
    let live = start_live(&handle, &discovery, &args.follow, &config, since, None).await?;
    let path = log_path.clone();
    let writer = tokio::spawn(async move {
        if let Err(e) = follow_clock(feed, &path, clock, WRITE_TICK).await {
            tracing::error!("demo writer stopped: {e}");
        }
    });
    Ok(DemoRun {
        handle,
        clock,
        log_path,
        live,
        writer,
        _dir: dir,
    })
}

/// `costtop demo`: the dashboard over the simulated organisation until the user quits.
pub(crate) async fn run_demo(args: DemoArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let opts = ui_options(&args.ui, &load_config(&args.common)?)?;
    let run = start_demo(&args).await?;
    let clock = run.clock;
    let result = crate::ui::run_terminal_with_clock(
        run.handle.snapshots(),
        run.handle.control_sender(),
        None,
        opts,
        move || clock.now(),
    )
    .await;
    drop(run);
    result.map(|()| ExitCode::SUCCESS)
}
