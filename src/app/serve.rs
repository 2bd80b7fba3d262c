//! `costtop serve`: headless, the HTTP listener only — `/metrics`, the JSON snapshot and the
//! OTLP/HTTP receiver — for systemd and containers. Logs go to stderr; SIGTERM stops it.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::live::{live_settings, shutdown_signal, start_live};
use super::{Live, discover_live};
use crate::aggregate::{AggregatorHandle, CounterOptions, SystemClock};
use crate::cli::{ListenArgs, ServeArgs};
use crate::listener::{self, ListenOptions, Listening};

pub(super) async fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, true)?;
    // With no SOURCE the receiver alone is enough: the Claude Code folders are read when
    // they exist, as with --admin-api.
    let discovery = discover_live(&args.sources, true)?;
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let live = start_live(&handle, &discovery, &args.follow, &config, since)?;
    let (stopped_tx, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        shutdown_signal().await;
        let _ = stopped_tx.send(());
    };
    let default = Some(listener::DEFAULT_ADDR);
    let Some(listening) = listen(&handle, &live, &args.listen, default, stop).await? else {
        anyhow::bail!("no address to listen on");
    };
    tracing::info!(sources = discovery.sources.len(), "serving");
    eprintln!(
        "costtop: listening on http://{} ({} source{} followed, OTLP at /v1/logs /v1/metrics /v1/traces{})",
        listening.addr,
        discovery.sources.len(),
        if discovery.sources.len() == 1 {
            ""
        } else {
            "s"
        },
        if listening.authenticated {
            ", bearer token required"
        } else {
            ""
        },
    );
    let _ = listening.task.await;
    if stopped.await.is_ok() {
        eprintln!("costtop: stopped");
    }
    Ok(ExitCode::SUCCESS)
}

/// The counters the aggregator keeps when a listener runs (`serve` always listens; the
/// other commands with `--listen`): `None` without one.
pub fn counter_options(args: &ListenArgs, always: bool) -> Result<Option<CounterOptions>> {
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
pub async fn start_listener(
    handle: &AggregatorHandle,
    live: &Live,
    args: &ListenArgs,
    default: Option<std::net::SocketAddr>,
) -> Result<Option<Listening>> {
    listen(handle, live, args, default, std::future::pending()).await
}

async fn listen(
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
