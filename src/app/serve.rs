//! `costtop serve`: headless, the HTTP listener only — `/metrics`, the JSON snapshot and the
//! OTLP/HTTP receiver — for systemd and containers. Logs go to stderr; SIGTERM stops it.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::keep::history_path;
use super::setup::discover_live;
use super::start::{listen, live_settings, shutdown_signal, start_live, start_proxy};
use crate::aggregate::AggregatorHandle;
use crate::cli::ServeArgs;
use crate::listener;
use crate::time::SystemClock;

pub(super) async fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, true)?;
    // With no SOURCE the receiver alone is enough: the Claude Code folders are read when
    // they exist, as with --admin-api.
    let discovery = discover_live(&args.sources, true)?;
    let history = history_path(&config, &args.sources);
    let handle = AggregatorHandle::spawn(settings, Arc::new(SystemClock));
    let live = start_live(
        &handle,
        &discovery,
        &args.follow,
        &config,
        since,
        history.as_deref(),
    )
    .await?;
    let (stopped_tx, stopped) = tokio::sync::oneshot::channel::<()>();
    let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
    let stop = async move {
        shutdown_signal().await;
        let _ = stopping_tx.send(true);
        let _ = stopped_tx.send(());
    };
    let proxy_stop = async move {
        let mut stopping = stopping;
        let _ = stopping.wait_for(|s| *s).await;
    };
    let proxying = start_proxy(&live, &args.proxy, &args.listen, &config, proxy_stop).await?;
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
    if let Some(p) = &proxying {
        eprintln!("{}", super::live::proxying_line(p));
    }
    let _ = listening.task.await;
    live.flush_history().await;
    if let Some(p) = proxying {
        let _ = p.task.await;
    }
    if stopped.await.is_ok() {
        eprintln!("costtop: stopped");
    }
    Ok(ExitCode::SUCCESS)
}
