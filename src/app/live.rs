//! The live commands: `watch` and the dashboard, and what every live run starts (tail, Admin
//! API, recorder, alarm actions, the HTTP listener when asked for).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::serve::{counter_options, start_listener};
use super::{
    discover_live, list_themes_if_asked, live_since, load_config, settings, ui_options, zone,
};
use crate::aggregate::{AggregatorHandle, SystemClock};
use crate::cli::WatchArgs;
use crate::config::Config;
use crate::outputs::{hooks, watch};
use crate::sources::{self, Discovery, TailOptions};

pub(super) async fn run_watch(args: WatchArgs) -> Result<ExitCode> {
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, false)?;
    let discovery = discover_live(&args.sources, args.follow.admin_api)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let live = start_live(&handle, &discovery, &args.follow, &config, since)?;
    if let Some(listening) = start_listener(&handle, &live, &args.listen, None).await? {
        eprintln!("costtop: listening on http://{}", listening.addr);
    }
    if args.once {
        let wait = super::report::ADMIN_BACKFILL_WAIT;
        if tokio::time::timeout(wait, handle.caught_up(live.sources))
            .await
            .is_err()
        {
            eprintln!(
                "costtop: a source did not finish reading its history in {}s",
                wait.as_secs()
            );
        }
        let snap = handle
            .snapshot_now(None)
            .await
            .context("aggregator stopped")?;
        crate::outputs::emit(&format!("{}\n", watch::json_line(&snap)))?;
        return Ok(ExitCode::SUCCESS);
    }
    watch::print_every(&handle, args.interval, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// The config, the history start and the aggregator settings of a live command; with the
/// `/metrics` counters when it listens (`always`: `serve`, which listens by default).
pub(super) fn live_settings(
    common: &crate::cli::CommonArgs,
    follow: &crate::cli::FollowArgs,
    listen: &crate::cli::ListenArgs,
    always: bool,
) -> Result<(Config, DateTime<Utc>, crate::aggregate::Settings)> {
    let config = load_config(common)?;
    let zone = zone(&config, common)?;
    let since = live_since(follow.since.as_deref(), &zone)?;
    let mut settings = settings(&config, common, follow.window, Some(since), None)?;
    settings.counters = counter_options(listen, always)?;
    Ok((config, since, settings))
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut hup = signal(SignalKind::hangup()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            Some(()) = async { match term.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {}
            Some(()) = async { match hup.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Alarm actions from the flags, else the config.
pub fn alarm_actions(follow: &crate::cli::FollowArgs, config: &Config) -> hooks::AlarmActions {
    hooks::AlarmActions {
        webhook: follow
            .webhook
            .clone()
            .or_else(|| config.file.webhook.clone()),
        on_alarm: follow
            .on_alarm
            .clone()
            .or_else(|| config.file.on_alarm.clone()),
        timing: hooks::HookTiming::default(),
    }
}

/// Tail options for a live run reading history from `since`.
pub fn tail_options(since: DateTime<Utc>) -> TailOptions {
    TailOptions {
        skip_older_than: Some(std::time::SystemTime::from(since)),
        ..TailOptions::default()
    }
}

/// What a live run started.
pub struct Live {
    /// Sources that will report `CaughtUp`.
    pub sources: usize,
    /// The source and output tasks (they end with the aggregator).
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Where sources send (through the recorder with `--record`), for sources started later.
    pub tx: tokio::sync::mpsc::Sender<crate::usage::SourceMsg>,
}

/// Starts the live sources (tail, Admin API), the recorder and the alarm actions for a handle.
pub fn start_live(
    handle: &AggregatorHandle,
    discovery: &Discovery,
    follow: &crate::cli::FollowArgs,
    config: &Config,
    since: DateTime<Utc>,
) -> Result<Live> {
    let mut tx = handle.source_sender();
    if let Some(path) = &follow.record {
        tx = crate::outputs::record::spawn_recorder(path, tx);
    }
    let mut tasks = Vec::new();
    let mut count = discovery.sources.len();
    if !discovery.sources.is_empty() {
        tasks.push(sources::spawn_tail(
            discovery.sources.clone(),
            tx.clone(),
            tail_options(since),
        ));
    }
    if follow.admin_api {
        tasks.push(start_admin_api(follow, config, since, tx.clone())?);
        count += 1;
    }
    let actions = alarm_actions(follow, config);
    if !actions.is_empty() {
        tasks.push(hooks::spawn_alarm_actions(
            handle.snapshots(),
            &actions,
            Some(handle.source_sender()),
        ));
    }
    Ok(Live {
        sources: count,
        tasks,
        tx,
    })
}

/// Starts the Admin API poller with the key from the environment or the config's command.
pub fn start_admin_api(
    follow: &crate::cli::FollowArgs,
    config: &Config,
    since: DateTime<Utc>,
    tx: tokio::sync::mpsc::Sender<crate::usage::SourceMsg>,
) -> Result<tokio::task::JoinHandle<()>> {
    use crate::sources::admin_api::{AdminKey, AdminOptions, spawn_admin_api};
    let key = AdminKey::resolve(
        std::env::var("ANTHROPIC_ADMIN_KEY").ok(),
        config.file.admin_key_command.as_deref(),
    )
    .context("--admin-api needs an admin key: set ANTHROPIC_ADMIN_KEY or admin_key_command in the config")?;
    let mut opts = AdminOptions {
        since,
        ..AdminOptions::default()
    };
    if let Some(base) = follow
        .api_base
        .clone()
        .or_else(|| config.file.api_base.clone())
    {
        opts.api_base = base;
    }
    let configured = config
        .file
        .poll_interval
        .as_deref()
        .and_then(|p| humantime::parse_duration(p).ok());
    if let Some(every) = follow.poll_interval.or(configured) {
        opts.poll_interval = every;
    }
    Ok(spawn_admin_api(opts, key, tx))
}

pub(super) async fn run_dashboard(args: crate::cli::LiveArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, false)?;
    let opts = ui_options(&args.ui, &config)?;
    let discovery = discover_live(&args.sources, args.follow.admin_api)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let live = start_live(&handle, &discovery, &args.follow, &config, since)?;
    // On the dashboard the address goes to the log: the screen is the UI's.
    let _listening = start_listener(&handle, &live, &args.listen, None).await?;
    crate::ui::run_terminal(handle.snapshots(), handle.control_sender(), None, opts).await?;
    Ok(ExitCode::SUCCESS)
}
