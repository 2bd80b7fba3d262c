//! `costtop history`: what the history holds (where, its size, records and time range, bytes
//! per record, damage), `--export` (every record once, as application-log lines) and
//! `--prune-before`.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use super::keep::configured_history;
use crate::cli::{CommonArgs, HistoryArgs, parse_time};
use crate::config::Config;
use crate::format::thousands;
use crate::history::{self, Identity, identity};
use crate::outputs::record::record_line;
use crate::time::Zone;
use crate::usage::UsageEvent;

pub(super) async fn run_history(args: HistoryArgs) -> Result<ExitCode> {
    let common = CommonArgs {
        config: args.config.clone(),
        tz: args.tz,
        ..CommonArgs::default()
    };
    let config = Config::load(common.config.as_deref())?;
    let zone = super::setup::zone(&config, &common)?;
    let Some(path) = configured_history(&config) else {
        crate::outputs::emit(
            "The history is off (`history = false` in the config, or COSTTOP_HISTORY=off).\n",
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(when) = &args.prune_before {
        let cutoff = parse_time(when, Utc::now(), zone)
            .map_err(|e| anyhow::anyhow!("--prune-before: {e}"))?;
        let pruned = tokio::task::spawn_blocking(move || history::prune_before(&path, cutoff))
            .await
            .context("prune failed")??;
        let mut text = format!(
            "Dropped {} records before {}; kept {} ({} → {} bytes).\n",
            thousands(pruned.dropped),
            zone.local(cutoff).format("%Y-%m-%d %H:%M"),
            thousands(pruned.kept),
            thousands(pruned.bytes_before),
            thousands(pruned.bytes_after)
        );
        if let Some(aside) = pruned.aside {
            let _ = writeln!(text, "Damaged bytes were put aside in {}.", aside.display());
        }
        crate::outputs::emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = args.export.clone() {
        let written = tokio::task::spawn_blocking(move || export(&path, &out))
            .await
            .context("export failed")??;
        eprintln!("costtop: exported {} records", thousands(written as u64));
        return Ok(ExitCode::SUCCESS);
    }
    let shown = path.clone();
    let (summary, distinct) = tokio::task::spawn_blocking(move || {
        let mut known = history::Known::default();
        let summary = history::visit(&path, 0, true, |_, records| {
            for r in &records {
                known.add(identity(r), r.rank);
            }
        });
        summary.map(|s| (s, known.len()))
    })
    .await
    .context("reading the history failed")??;
    crate::outputs::emit(&describe(
        &shown.display().to_string(),
        &summary,
        distinct,
        zone,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The summary as text.
fn describe(path: &str, s: &history::Summary, distinct: usize, zone: Zone) -> String {
    let when = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| zone.local(t).format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let per_record = s.bytes.checked_div(s.records).unwrap_or(0);
    let mut text = format!(
        "history  {path}\nsize     {} bytes, {} blocks\nrecords  {} ({} requests; {per_record} bytes per record)\nrange    {} → {} ({zone})\n",
        thousands(s.bytes),
        thousands(s.blocks),
        thousands(s.records),
        thousands(distinct as u64),
        when(s.first),
        when(s.last),
    );
    let _ = writeln!(
        text,
        "damage   {}",
        s.problem().unwrap_or_else(|| "none".to_owned())
    );
    text
}

/// Writes every record the history holds, once (per key the most complete copy), as
/// application-log lines to `out` (`-`: stdout); returns how many.
fn export(path: &std::path::Path, out: &std::path::Path) -> Result<usize> {
    let mut keyed: foldhash::HashMap<u64, UsageEvent> = foldhash::HashMap::default();
    let mut other: Vec<UsageEvent> = Vec::new();
    let summary = history::visit(path, 0, true, |_, records| {
        for r in records {
            match identity(&r) {
                Identity::Key(key) => match keyed.get(&key) {
                    Some(held) if held.rank >= r.rank => {}
                    _ => {
                        keyed.insert(key, r);
                    }
                },
                Identity::Content(_) => other.push(r),
            }
        }
    })?;
    if let Some(problem) = summary.problem() {
        eprintln!(
            "costtop: history {}: {problem}; exporting the rest",
            path.display()
        );
    }
    let mut all: Vec<UsageEvent> = keyed.into_values().chain(other).collect();
    all.sort_by_key(|e| e.timestamp);
    let mut text = String::with_capacity(all.len() * 300);
    for e in &all {
        text.push_str(&record_line(e));
        text.push('\n');
    }
    if out.as_os_str() == "-" {
        crate::outputs::emit(&text)?;
    } else {
        if out.exists() {
            bail!("{} exists: export writes a new file", out.display());
        }
        let mut file = std::fs::File::create(out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        file.write_all(text.as_bytes())?;
    }
    Ok(all.len())
}
