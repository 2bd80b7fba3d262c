//! `costtop report`: read every source once, in parallel, then print one snapshot (with
//! `--compare`, the split of the change between two periods; with `--per`, spend per unit).

use std::process::ExitCode;
use std::sync::Arc;

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use super::keep::{has_history, history_path, keep_history};
use super::setup::{discover_live, load_config, settings, time_flag, zone};
use super::start::{ADMIN_BACKFILL_WAIT, start_admin_api};
use crate::aggregate::{AggregatorHandle, CompareSpec, Settings};
use crate::cli::{Format, ReportArgs, parse_span};
use crate::outputs::report;
use crate::snapshot::{GroupBy, Snapshot};
use crate::sources::{self, Discovery, ReadOptions, ReadSummary};
use crate::time::{SystemClock, Window, Zone};

pub(super) async fn run_report(args: ReportArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let compare = compare_spec(&args, zone)?;
    // A comparison reads both periods (and what lies between) unless told otherwise.
    let since = time_flag(args.read.since.as_deref(), zone, "since")?
        .or(compare.as_ref().map(|c| c.a.start.min(c.b.start)));
    let until = time_flag(args.read.until.as_deref(), zone, "until")?
        .or(compare.as_ref().map(|c| c.a.end.max(c.b.end)));
    let mut settings = settings(&config, &args.common, Some(Window::All), since, until)?;
    settings.compare = compare;
    settings.per.clone_from(&args.per);
    settings.spend_over_time = args.format == Format::Html;
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
    let by = args.by.as_ref().map_or(String::new(), ToString::to_string);
    let text = match (args.format, &snap.compare) {
        (Format::Json, _) => report::render_json(&snap),
        (Format::Html, _) => report::html::render(
            &snap,
            &report::html::Page {
                title: "costtop report",
                by: &by,
            },
        ),
        (Format::Csv, Some(c)) => report::compare::render_csv(c),
        (Format::Csv, None) => report::render_csv(&snap, &by),
        (Format::Table, Some(c)) => report::compare::render_table(&snap, c),
        (Format::Table, None) => {
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

/// The two periods of `--compare`, in the time zone, with the `--by` groups.
fn compare_spec(args: &ReportArgs, zone: Zone) -> Result<Option<CompareSpec>> {
    let Some(periods) = &args.compare else {
        return Ok(None);
    };
    let [a, b] = periods.as_slice() else {
        bail!("--compare takes two periods, A and B");
    };
    let now = Utc::now();
    let a = parse_span(a, now, zone).map_err(|e| anyhow::anyhow!("--compare A: {e}"))?;
    let b = parse_span(b, now, zone).map_err(|e| anyhow::anyhow!("--compare B: {e}"))?;
    if matches!(
        args.by,
        Some(GroupBy::Day | GroupBy::Hour | GroupBy::Week | GroupBy::Month)
    ) {
        bail!(
            "--compare splits each group's change from A to B: a time row is in one period only (use --by model, tier, project, session, actor, api_key, workspace, product or tag:KEY)"
        );
    }
    Ok(Some(CompareSpec {
        a,
        b,
        by: args.by.clone(),
    }))
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
