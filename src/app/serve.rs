//! `costtop serve`: headless, the HTTP listener only — `/metrics`, the JSON snapshot and the
//! OTLP/HTTP receiver — for systemd and containers. Logs go to stderr; SIGTERM stops it.

use std::process::ExitCode;

use anyhow::Result;

use super::start::{listen, live_settings, shutdown_signal, spawn_live, start_proxy};
use crate::cli::ServeArgs;
use crate::listener;

pub(super) async fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, true)?;
    // With no SOURCE the receiver alone is enough: the Claude Code folders are read when
    // they exist, as with --admin-api.
    let (handle, live) =
        spawn_live(&args.sources, &args.follow, &config, since, settings, true).await?;
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
    tracing::info!(sources = live.followed, "serving");
    eprintln!(
        "costtop: listening on http://{} ({} source{} followed, OTLP at /v1/logs /v1/metrics /v1/traces{})",
        listening.addr,
        live.followed,
        if live.followed == 1 { "" } else { "s" },
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
