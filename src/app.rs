//! Wiring: turns the parsed command line into sources, an aggregator and an output, and runs
//! them. Each command is one function here; the parts live in their modules.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::aggregate::{AggregatorHandle, Budget, Settings, SystemClock, Window, Zone};
use crate::cli::{Cli, Command, CommonArgs, ConfigArgs, Format, ReportArgs, WatchArgs, parse_time};
use crate::config::{self, Config};
use crate::outputs::{hooks, report, watch};
use crate::sources::{self, Discovery, ReadOptions, TailOptions};

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Report(args)) => run_report(args).await,
        Some(Command::Watch(args)) => run_watch(args).await,
        Some(Command::Config(args)) => Ok(run_config(&args)),
        Some(Command::Demo(_)) => bail!("not wired up yet"),
        Some(Command::Replay(args)) => run_replay(args).await,
        None => run_dashboard(cli.live).await,
    }
}

/// The config file named by the flags (or the default one).
pub fn load_config(common: &CommonArgs) -> Result<Config> {
    Ok(Config::load(common.config.as_deref())?)
}

/// Aggregator settings from the config file and the flags (flags win).
pub fn settings(
    config: &Config,
    common: &CommonArgs,
    window: Option<Window>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Settings> {
    let fail = |e: String| anyhow::anyhow!("{}: {e}", config_name(config));
    let mut budgets = config.budgets().map_err(fail)?;
    budgets.extend(
        common
            .budget
            .iter()
            .map(|(p, usd)| Budget::simple(*p, *usd)),
    );
    Ok(Settings {
        prices: config.prices().map_err(fail)?,
        zone: zone(config, common)?,
        window: window
            .or(config.window().map_err(fail)?)
            .unwrap_or_default(),
        since,
        until,
        budgets,
    })
}

/// The time zone: `--tz`, else the config's, else local.
pub fn zone(config: &Config, common: &CommonArgs) -> Result<Zone> {
    let fail = |e: String| anyhow::anyhow!("{}: {e}", config_name(config));
    Ok(common
        .tz
        .or(config.zone().map_err(fail)?)
        .unwrap_or_default())
}

fn config_name(config: &Config) -> String {
    config.path.as_ref().map_or_else(
        || "config".to_string(),
        |p| format!("config {}", p.display()),
    )
}

/// Parses an optional time flag.
pub fn time_flag(value: Option<&str>, zone: &Zone, flag: &str) -> Result<Option<DateTime<Utc>>> {
    value
        .map(|v| parse_time(v, Utc::now(), zone).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
        .transpose()
}

/// Resolves SOURCE arguments, printing the ones that failed; fails when none is usable.
pub fn discover_or_explain(args: &[String]) -> Result<Discovery> {
    let discovery = sources::discover(args);
    for e in &discovery.errors {
        eprintln!("costtop: {e}");
    }
    if discovery.sources.is_empty() {
        if args.is_empty() {
            bail!(
                "no usage logs to read. Looked in: {}.\n\
                 Pass files or folders (costtop PATH...), or try `costtop demo`.",
                sources::default_locations()
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        bail!("none of the sources could be read");
    }
    Ok(discovery)
}

async fn run_report(args: ReportArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = time_flag(args.since.as_deref(), &zone, "since")?;
    let until = time_flag(args.until.as_deref(), &zone, "until")?;
    let settings = settings(&config, &args.common, Some(Window::All), since, until)?;
    let discovery = discover_or_explain(&args.sources)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let tx = handle.source_sender();
    let list = discovery.sources.clone();
    let opts = ReadOptions {
        threads: None,
        skip_older_than: since.map(std::time::SystemTime::from),
    };
    let summary = tokio::task::spawn_blocking(move || sources::read_all(&list, tx, opts))
        .await
        .context("reader thread failed")?;
    let snap = handle
        .snapshot_now(args.by.clone())
        .await
        .context("aggregator stopped")?;
    if summary.files_read == 0 && summary.files_failed > 0 {
        for s in &snap.sources {
            if let Some(r) = &s.reason {
                eprintln!("costtop: {}: {r}", s.name);
            }
        }
        bail!("nothing could be read");
    }
    let by = args.by.as_ref().map_or(String::new(), group_name);
    let text = match args.format {
        Format::Json => report::render_json(&snap),
        Format::Csv => report::render_csv(&snap, &by),
        Format::Table => {
            if snap.totals.requests == 0
                && snap.unpriced_models.is_empty()
                && snap.totals.input_tokens == 0
            {
                let names: Vec<&str> = discovery.sources.iter().map(|s| s.name.as_str()).collect();
                println!(
                    "No usage records found in {} ({} files, {} lines read{}).",
                    names.join(", "),
                    summary.files_read,
                    summary.lines,
                    if since.is_some() || until.is_some() {
                        " in the requested time range"
                    } else {
                        ""
                    }
                );
                print!("{}", report::render_sources(&snap));
                return Ok(ExitCode::SUCCESS);
            }
            report::render_table(&snap, &by)
        }
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

fn group_name(g: &crate::aggregate::GroupBy) -> String {
    use crate::aggregate::GroupBy;
    match g {
        GroupBy::Model => "model".into(),
        GroupBy::Tier => "tier".into(),
        GroupBy::Project => "project".into(),
        GroupBy::Session => "session".into(),
        GroupBy::Tag(k) => format!("tag:{k}"),
        GroupBy::Day => "day".into(),
        GroupBy::Hour => "hour".into(),
    }
}

/// Default history start of the live commands: the start of the month.
pub fn live_since(value: Option<&str>, zone: &Zone) -> Result<DateTime<Utc>> {
    Ok(time_flag(value, zone, "since")?.unwrap_or_else(|| zone.start_of_month(Utc::now())))
}

async fn run_watch(args: WatchArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = live_since(args.follow.since.as_deref(), &zone)?;
    let settings = settings(&config, &args.common, args.follow.window, Some(since), None)?;
    let discovery = discover_or_explain(&args.sources)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let live = start_live(&handle, &discovery, &args.follow, &config, since)?;
    if args.once {
        handle.caught_up(live.sources).await;
        let snap = handle
            .snapshot_now(None)
            .await
            .context("aggregator stopped")?;
        println!("{}", watch::json_line(&snap));
        return Ok(ExitCode::SUCCESS);
    }
    watch::print_every(&handle, args.interval, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
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

fn run_config(args: &ConfigArgs) -> ExitCode {
    if args.path || !args.sample {
        match config::default_path() {
            Some(p) => println!("{}", p.display()),
            None => println!("(no config directory on this system)"),
        }
    }
    if args.sample {
        print!("{}", config::SAMPLE);
    }
    ExitCode::SUCCESS
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
        tx = crate::outputs::record::spawn_recorder(path, tx)
            .with_context(|| format!("--record {}", path.display()))?;
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
        tasks.push(hooks::spawn_alarm_actions(handle.snapshots(), actions));
    }
    Ok(Live {
        sources: count,
        tasks,
    })
}

/// Starts the Admin API poller with the key from the environment or the config's command.
pub fn start_admin_api(
    follow: &crate::cli::FollowArgs,
    config: &Config,
    since: DateTime<Utc>,
    tx: tokio::sync::mpsc::Sender<crate::sources::SourceMsg>,
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

/// Prints the theme names when `--list-themes` was given; returns whether it did.
pub fn list_themes_if_asked(ui: &crate::cli::UiArgs) -> bool {
    if ui.list_themes {
        for name in crate::ui::list_themes() {
            println!("{name}");
        }
    }
    ui.list_themes
}

/// Screen options from the flags and the config; fails on a bad theme (naming file and role).
pub fn ui_options(ui: &crate::cli::UiArgs, config: &Config) -> Result<crate::ui::UiOptions> {
    let mut opts = crate::ui::UiOptions::default();
    if let Some(theme) = ui.theme.clone().or_else(|| config.file.theme.clone()) {
        opts.theme = theme;
    }
    crate::ui::Theme::select(&opts.theme, opts.no_color)?;
    if ui.no_bell || config.file.bell == Some(false) {
        opts.bell = crate::ui::Bell::Off;
    }
    Ok(opts)
}

/// `costtop replay`: settings and sources from the flags, then the replay module.
async fn run_replay(args: crate::cli::ReplayArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let config = load_config(&args.common)?;
    let settings = settings(&config, &args.common, args.window, None, None)?;
    let ui = match args.format {
        None => Some(ui_options(&args.ui, &config)?),
        Some(_) => None,
    };
    let discovery = discover_or_explain(&args.sources)?;
    sources::replay::run(&args, settings, &discovery, ui).await
}

async fn run_dashboard(args: crate::cli::LiveArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = live_since(args.follow.since.as_deref(), &zone)?;
    let settings = settings(&config, &args.common, args.follow.window, Some(since), None)?;
    let opts = ui_options(&args.ui, &config)?;
    let discovery = discover_or_explain(&args.sources)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let _live = start_live(&handle, &discovery, &args.follow, &config, since)?;
    crate::ui::run_terminal(handle.snapshots(), handle.control_sender(), None, opts).await?;
    Ok(ExitCode::SUCCESS)
}
