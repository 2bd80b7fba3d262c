//! `costtop report`: read every source once, in parallel, then print one snapshot.

use std::process::ExitCode;
use std::sync::Arc;

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use super::keep::{has_history, history_path, keep_history};
use super::setup::{discover_live, load_config, settings, time_flag, zone};
use super::start::{ADMIN_BACKFILL_WAIT, start_admin_api};
use crate::aggregate::{AggregatorHandle, Settings};
use crate::cli::{Format, ReportArgs};
use crate::outputs::report;
use crate::snapshot::Snapshot;
use crate::sources::{self, Discovery, ReadOptions, ReadSummary};
use crate::time::{SystemClock, Window};

pub(super) async fn run_report(args: ReportArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = time_flag(args.read.since.as_deref(), zone, "since")?;
    let until = time_flag(args.read.until.as_deref(), zone, "until")?;
    let settings = settings(&config, &args.common, Some(Window::All), since, until)?;
    let history = history_path(&config, &args.read.sources);
    let discovery = discover_live(
        &args.read.sources,
        args.admin_api || has_history(history.as_deref()),
    )?;
    let (handle, read) = read_once(&discovery, settings, history.as_deref()).await?;
    if args.admin_api {
        let follow = crate::cli::FollowArgs {
            admin_api: true,
            api_base: args.api_base.clone(),
            ..crate::cli::FollowArgs::default()
        };
        let from = since.unwrap_or_else(|| Utc::now() - chrono::Duration::days(30));
        let _poller = start_admin_api(&follow, &config, from, handle.source_sender())?;
        // A failing API is retried with back-off; past this, report what is known and the error.
        if tokio::time::timeout(ADMIN_BACKFILL_WAIT, handle.caught_up(1))
            .await
            .is_err()
        {
            eprintln!(
                "costtop: the Admin API backfill did not finish in {}s; reporting what was read",
                ADMIN_BACKFILL_WAIT.as_secs()
            );
        }
    }
    let snap = handle
        .snapshot_now(args.by.clone())
        .await
        .context("aggregator stopped")?;
    fail_if_nothing_read(&read, &snap)?;
    let summary = &read.summary;
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
                let range = if since.is_some() || until.is_some() {
                    " in the requested time range"
                } else {
                    ""
                };
                format!(
                    "No usage records found in {} ({} files, {} lines read{range}).\n{}",
                    names.join(", "),
                    summary.files_read,
                    summary.lines,
                    report::render_sources(&snap)
                )
            } else {
                report::render_table(&snap, &by)
            }
        }
    };
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    crate::outputs::emit(&format!("{text}{newline}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads the history (at `history`, when this run keeps one) and every source once, in
/// parallel, into an aggregator that publishes nothing by itself; the records the history
/// lacks are written to it before this returns.
pub(super) async fn read_once(
    discovery: &Discovery,
    settings: Settings,
    history: Option<&Path>,
) -> Result<(AggregatorHandle, Read)> {
    let (since, until) = (settings.since, settings.until);
    let handle = AggregatorHandle::spawn_quiet(settings, Arc::new(SystemClock));
    let (tx, keeper) = keep_history(history, since, until, handle.source_sender(), false).await;
    let list = discovery.sources.clone();
    let opts = ReadOptions {
        threads: None,
        skip_older_than: since.map(std::time::SystemTime::from),
    };
    let summary = tokio::task::spawn_blocking(move || sources::read_all(&list, tx, opts))
        .await
        .context("reader thread failed")?;
    let kept = keeper.is_some();
    if let Some(keeper) = keeper {
        keeper.finish().await;
    }
    Ok((
        handle,
        Read {
            summary,
            history: kept,
        },
    ))
}

/// What a one-shot read did.
pub(super) struct Read {
    /// The sources' files and lines.
    pub(super) summary: ReadSummary,
    /// Whether the history was read too.
    pub(super) history: bool,
}

/// Fails (after saying why for each source) when no file could be read at all.
pub(super) fn fail_if_nothing_read(read: &Read, snap: &Snapshot) -> Result<()> {
    let summary = &read.summary;
    if summary.files_read == 0 && summary.files_failed > 0 && !read.history {
        for s in &snap.sources {
            if let Some(r) = &s.reason {
                eprintln!("costtop: {}: {r}", s.name);
            }
        }
        bail!("nothing could be read");
    }
    Ok(())
}

fn group_name(g: &crate::snapshot::GroupBy) -> String {
    use crate::snapshot::GroupBy;
    match g {
        GroupBy::Model => "model".into(),
        GroupBy::Tier => "tier".into(),
        GroupBy::Project => "project".into(),
        GroupBy::Session => "session".into(),
        GroupBy::Tag(k) => format!("tag:{k}"),
        GroupBy::Day => "day".into(),
        GroupBy::Hour => "hour".into(),
        GroupBy::Org(d) => d.tag_key().into(),
        GroupBy::Week => "week".into(),
        GroupBy::Month => "month".into(),
    }
}
