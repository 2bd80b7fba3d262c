//! The live commands: `watch` and the dashboard.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::setup::{list_themes_if_asked, ui_options};
use super::start::{
    ADMIN_BACKFILL_WAIT, live_settings, shutdown_signal, spawn_live, start_listener, start_proxy,
};
use crate::cli::WatchArgs;
use crate::outputs::watch;

pub(super) async fn run_watch(args: WatchArgs) -> Result<ExitCode> {
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, false)?;
    let (handle, live) = spawn_live(
        &args.sources,
        &args.follow,
        &config,
        since,
        settings,
        args.follow.admin_api || args.proxy.proxy.is_some(),
    )
    .await?;
    if let Some(listening) = start_listener(&handle, &live, &args.listen, None).await? {
        eprintln!("costtop: listening on http://{}", listening.addr);
    }
    let proxy = start_proxy(
        &live,
        &args.proxy,
        &args.listen,
        &config,
        std::future::pending(),
    );
    if let Some(proxying) = proxy.await? {
        eprintln!("{}", proxying_line(&proxying));
    }
    if args.once {
        let wait = ADMIN_BACKFILL_WAIT;
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
        live.flush_history().await;
        return Ok(ExitCode::SUCCESS);
    }
    watch::print_every(&handle, args.interval, shutdown_signal()).await?;
    live.flush_history().await;
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn run_dashboard(args: crate::cli::LiveArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let (config, since, settings) = live_settings(&args.common, &args.follow, &args.listen, false)?;
    let opts = ui_options(&args.ui, &config)?;
    let (handle, live) = spawn_live(
        &args.sources,
        &args.follow,
        &config,
        since,
        settings,
        args.follow.admin_api || args.proxy.proxy.is_some(),
    )
    .await?;
    // On the dashboard the addresses go to the log and the sources pane: the screen is the UI's.
    let _listening = start_listener(&handle, &live, &args.listen, None).await?;
    let proxy = start_proxy(
        &live,
        &args.proxy,
        &args.listen,
        &config,
        std::future::pending(),
    );
    let _proxying = proxy.await?;
    let ran =
        crate::ui::run_terminal(handle.snapshots(), handle.control_sender(), None, opts).await;
    live.flush_history().await;
    ran?;
    Ok(ExitCode::SUCCESS)
}

/// What a headless command says when its proxy is up.
pub(super) fn proxying_line(p: &crate::sources::proxy::Proxying) -> String {
    format!(
        "costtop: proxying http://{} → {} (set ANTHROPIC_BASE_URL=http://{})",
        p.addr, p.upstream, p.addr
    )
}
