//! `costtop report`: read every source once, in parallel, then print one snapshot (with
//! `--compare`, the split of the change between two periods; with `--per`, spend per unit).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

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
    let discovery = discover_live(&args.read.sources, args.admin_api)?;
    let (handle, summary) = read_once(&discovery, settings, since).await?;
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
    fail_if_nothing_read(&summary, &snap)?;
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
    if matches!(args.by, Some(GroupBy::Day | GroupBy::Hour)) {
        bail!(
            "--compare splits each group's change from A to B: a day or an hour is in one period only (use --by model, tier, project, session or tag:KEY)"
        );
    }
    Ok(Some(CompareSpec {
        a,
        b,
        by: args.by.clone(),
    }))
}

/// Reads every source once, in parallel, into an aggregator that publishes nothing by itself.
pub(super) async fn read_once(
    discovery: &Discovery,
    settings: Settings,
    since: Option<DateTime<Utc>>,
) -> Result<(AggregatorHandle, ReadSummary)> {
    let handle = AggregatorHandle::spawn_quiet(settings, Arc::new(SystemClock));
    let tx = handle.source_sender();
    let list = discovery.sources.clone();
    let opts = ReadOptions {
        threads: None,
        skip_older_than: since.map(std::time::SystemTime::from),
    };
    let summary = tokio::task::spawn_blocking(move || sources::read_all(&list, tx, opts))
        .await
        .context("reader thread failed")?;
    Ok((handle, summary))
}

/// Fails (after saying why for each source) when no file could be read at all.
pub(super) fn fail_if_nothing_read(summary: &ReadSummary, snap: &Snapshot) -> Result<()> {
    if summary.files_read == 0 && summary.files_failed > 0 {
        for s in &snap.sources {
            if let Some(r) = &s.reason {
                eprintln!("costtop: {}: {r}", s.name);
            }
        }
        bail!("nothing could be read");
    }
    Ok(())
}
