//! What every live run starts: the sources (tail, Admin API), the recorder, the alarm
//! actions and, when asked for, the HTTP listener; and the signals that stop it.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::keep::{has_history, history_path, keep_history};
use super::setup::{discover_live, live_since, load_config, settings, zone};
use crate::aggregate::{AggregatorHandle, CounterOptions, Settings};
use crate::cli::{CommonArgs, FollowArgs, ListenArgs, ProxyArgs};
use crate::config::Config;
use crate::listener::{self, ListenOptions, Listening};
use crate::outputs::hooks;
use crate::sources::{self, Discovery, TailOptions};
use crate::time::SystemClock;

/// Longest a one-shot command waits for the Admin API backfill.
pub(super) const ADMIN_BACKFILL_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The config, the history start and the aggregator settings of a live command; with the
/// `/metrics` counters when it listens (`always`: `serve`, which listens by default).
pub(super) fn live_settings(
    common: &CommonArgs,
    follow: &FollowArgs,
    listen: &ListenArgs,
    always: bool,
) -> Result<(Config, DateTime<Utc>, Settings)> {
    let config = load_config(common)?;
    let zone = zone(&config, common)?;
    let since = live_since(follow.since.as_deref(), zone)?;
    let mut settings = settings(&config, common, follow.window, Some(since), None)?;
    settings.counters = counter_options(listen, always)?;
    Ok((config, since, settings))
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
pub(crate) async fn shutdown_signal() {
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
pub(crate) fn alarm_actions(follow: &FollowArgs, config: &Config) -> hooks::AlarmActions {
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
pub(crate) fn tail_options(since: DateTime<Utc>) -> TailOptions {
    TailOptions {
        skip_older_than: Some(std::time::SystemTime::from(since)),
        ..TailOptions::default()
    }
}

/// What a live run started.
pub(crate) struct Live {
    /// The history this run reads and keeps, if any.
    pub(crate) history: Option<crate::history::Keeper>,
    /// Sources that will report `CaughtUp`.
    pub(crate) sources: usize,
    /// Files and folders found to follow.
    pub(crate) followed: usize,
    /// The source and output tasks (they end with the aggregator).
    pub(crate) tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Where sources send (through the recorder with `--record`), for sources started later.
    pub(crate) tx: tokio::sync::mpsc::Sender<crate::usage::SourceMsg>,
}

/// Discovers `sources` (none: the default ones, which may be missing when `others` — the
/// Admin API, the receiver — or the history feed the aggregator), spawns an aggregator with
/// `settings` and starts every source into it, the history when the run reads the defaults.
pub(super) async fn spawn_live(
    sources: &[String],
    follow: &FollowArgs,
    config: &Config,
    since: DateTime<Utc>,
    settings: Settings,
    others: bool,
) -> Result<(AggregatorHandle, Live)> {
    let history = history_path(config, sources);
    let discovery = discover_live(sources, others || has_history(history.as_deref()))?;
    let handle = AggregatorHandle::spawn(settings, std::sync::Arc::new(SystemClock));
    let live = start_live(
        &handle,
        &discovery,
        follow,
        config,
        since,
        history.as_deref(),
    )
    .await?;
    Ok((handle, live))
}

/// Starts the history (at `history`, when this run keeps one), the live sources (tail, Admin
/// API), the recorder and the alarm actions for a handle.
pub(crate) async fn start_live(
    handle: &AggregatorHandle,
    discovery: &Discovery,
    follow: &FollowArgs,
    config: &Config,
    since: DateTime<Utc>,
    history: Option<&std::path::Path>,
) -> Result<Live> {
    let mut tx = handle.source_sender();
    if let Some(path) = &follow.record {
        tx = crate::outputs::record::spawn_recorder(path, tx);
    }
    // On the dashboard the screen says what went wrong (the history's source line).
    let (tx, history) = keep_history(history, Some(since), None, tx, true).await;
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
        history,
        sources: count,
        followed: discovery.sources.len(),
        tasks,
        tx,
    })
}

impl Live {
    /// Writes the history's waiting records before the process ends (at most a few seconds).
    pub(crate) async fn flush_history(&self) {
        if let Some(keeper) = &self.history {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), keeper.flush()).await;
        }
    }
}

/// Starts the Admin API poller with the key from the environment or the config's command.
pub(crate) fn start_admin_api(
    follow: &FollowArgs,
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
        usage_api: config.usage_api().map_err(anyhow::Error::msg)?,
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

/// The counters the aggregator keeps when a listener runs (`serve` always listens; the
/// other commands with `--listen`): `None` without one.
pub(crate) fn counter_options(args: &ListenArgs, always: bool) -> Result<Option<CounterOptions>> {
    crate::outputs::metrics::check_labels(&args.metrics_label).map_err(anyhow::Error::msg)?;
    let listening = always || args.listen.is_some();
    if !listening && !args.metrics_label.is_empty() {
        anyhow::bail!("--metrics-label needs --listen");
    }
    Ok(listening.then(|| CounterOptions {
        labels: args.metrics_label.clone(),
        ..CounterOptions::default()
    }))
}

/// Starts the listener of a live run when `--listen` was given; it serves until the process
/// ends.
pub(crate) async fn start_listener(
    handle: &AggregatorHandle,
    live: &Live,
    args: &ListenArgs,
    default: Option<std::net::SocketAddr>,
) -> Result<Option<Listening>> {
    listen(handle, live, args, default, std::future::pending()).await
}

pub(super) async fn listen(
    handle: &AggregatorHandle,
    live: &Live,
    args: &ListenArgs,
    default: Option<std::net::SocketAddr>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Option<Listening>> {
    let Some(addr) = args.listen.or(default) else {
        return Ok(None);
    };
    let opts = ListenOptions {
        addr,
        token_file: args.listen_token_file.clone(),
        insecure: args.insecure_listen,
    };
    Ok(Some(
        listener::start(&opts, handle, live.tx.clone(), stop).await?,
    ))
}

/// Starts the Anthropic API proxy of a live run when `--proxy` was given; it serves until
/// `stop` resolves. Its token is the listener's (`--listen-token-file`), sent by clients in
/// `costtop-token`.
pub(crate) async fn start_proxy(
    live: &Live,
    args: &ProxyArgs,
    listen: &ListenArgs,
    config: &Config,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<Option<crate::sources::proxy::Proxying>> {
    use crate::sources::proxy::{ProxyOptions, start};
    let Some(addr) = args.proxy else {
        return Ok(None);
    };
    let proxy = &config.file.proxy;
    let upstream = proxy
        .upstream(args.upstream.as_deref())
        .map_err(anyhow::Error::msg)?;
    let token = listen
        .listen_token_file
        .as_deref()
        .map(crate::listener::Token::load)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let opts = ProxyOptions {
        addr,
        upstream,
        token,
        insecure: listen.insecure_listen,
        idle: proxy.idle().map_err(anyhow::Error::msg)?,
    };
    Ok(Some(start(opts, live.tx.clone(), stop).await?))
}
