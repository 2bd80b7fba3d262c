//! `costtop audit`: read every source once, like `report`, then print the audit of the whole
//! range (or `--since` / `--until`): the four levers in dollars.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::keep::{has_history, history_path};
use super::report::{fail_if_nothing_read, read_once};
use super::setup::{discover_live, load_config, settings, time_flag, zone};
use crate::cli::{AuditArgs, Format};
use crate::outputs::audit;
use crate::time::Window;

pub(super) async fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    let config = load_config(&args.common)?;
    let zone = zone(&config, &args.common)?;
    let since = time_flag(args.read.since.as_deref(), zone, "since")?;
    let until = time_flag(args.read.until.as_deref(), zone, "until")?;
    let mut settings = settings(&config, &args.common, Some(Window::All), since, until)?;
    settings.spend_over_time = args.format == Format::Html;
    if let Some(by) = &args.by {
        settings.audit.group = by.clone();
    }
    let history = history_path(&config, &args.read.sources);
    let discovery = discover_live(&args.read.sources, has_history(history.as_deref()))?;
    let (handle, read) = read_once(&discovery, settings, history.as_deref()).await?;
    let snap = handle
        .snapshot_now(None)
        .await
        .context("aggregator stopped")?;
    fail_if_nothing_read(&read, &snap)?;
    let text = match args.format {
        Format::Json => audit::render_json(&snap),
        Format::Csv => audit::render_csv(&snap),
        Format::Table => audit::render_table(&snap),
        Format::Html => crate::outputs::report::html::render(
            &snap,
            &crate::outputs::report::html::Page {
                title: "costtop audit",
                by: "",
            },
        ),
    };
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    crate::outputs::emit(&format!("{text}{newline}"))?;
    Ok(ExitCode::SUCCESS)
}
