//! `costtop replay` end to end: load the sources, then either print snapshots (headless) or
//! open the dashboard on a [`Player`].

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::aggregate::Settings;
use crate::cli::{Format, ReplayArgs, parse_time};
use crate::outputs::{report, watch};
use crate::sources::Discovery;
use crate::sources::replay::{Engine, Player, Speed, Timeline, spawn_player};
use crate::time::Zone;

/// Runs `costtop replay` with settings and sources already resolved; `ui` is `None` for the
/// headless formats.
pub(crate) async fn run(
    args: &ReplayArgs,
    settings: Settings,
    discovery: &Discovery,
    ui: Option<crate::ui::UiOptions>,
) -> Result<ExitCode> {
    if args.format == Some(Format::Html) {
        bail!("--format html is for report and audit: `costtop report --until TIME --format html`");
    }
    let speed: Speed = args.speed.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let zone = settings.zone;
    let from = time(args.from.as_deref(), zone, "from")?;
    let to = time(args.to.as_deref(), zone, "to")?;
    let at = time(args.at.as_deref(), zone, "at")?;
    let sources = discovery.sources.clone();
    let started = Instant::now();
    let timeline = tokio::task::spawn_blocking(move || Timeline::load(&sources))
        .await
        .context("reader thread failed")?;
    let loaded = started.elapsed();
    let (Some(first), Some(last)) = (timeline.first(), timeline.last()) else {
        let names: Vec<&str> = discovery.sources.iter().map(|s| s.name.as_str()).collect();
        bail!(
            "no usage records to replay in {} ({} files, {} lines read)",
            names.join(", "),
            timeline.summary.files_read,
            timeline.summary.lines
        );
    };
    let start = from.unwrap_or(first);
    let end = to.unwrap_or(last);
    if end < start {
        bail!("--to {end} is before --from {start}");
    }
    // Headless runs load only as far as they print from; the screen loads the whole range
    // so `n` / `N` know every alarm.
    let (load_until, range_end) = match (args.format, at, args.every) {
        (Some(_), _, Some(_)) => (start, end),
        (Some(_), Some(at), None) => (at, at),
        (Some(_), None, None) => (end, end),
        (None, _, _) => {
            let e = at.map_or(end, |a| a.max(end));
            (e, e)
        }
    };
    let engine =
        tokio::task::spawn_blocking(move || Engine::new(timeline, settings, Some(load_until)))
            .await
            .context("replay engine failed")?;
    tracing::info!(
        read_ms = loaded.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        records = engine.timeline().events().len(),
        checkpoints = engine.checkpoints(),
        "replay loaded"
    );
    let range_start = at.map_or(start, |a| a.min(start));
    if let Some(format) = args.format {
        let player = Player::new(engine, range_start, range_end, speed, Some(load_until));
        return headless(player, format, args, at, start, end).await;
    }
    let Some(opts) = ui else {
        bail!("no output chosen");
    };
    let player =
        tokio::task::spawn_blocking(move || Player::new(engine, range_start, range_end, speed, at))
            .await
            .context("replay engine failed")?;
    let handles = spawn_player(player);
    crate::ui::run_terminal(
        handles.snapshots,
        handles.controls,
        Some(handles.commands),
        opts,
    )
    .await?;
    handles.task.abort();
    Ok(ExitCode::SUCCESS)
}

/// Prints the snapshot at `--at`, one per `--every` step, or the one at the end.
async fn headless(
    mut player: Player,
    format: Format,
    args: &ReplayArgs,
    at: Option<DateTime<Utc>>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<ExitCode> {
    let moments: Vec<DateTime<Utc>> = match (at, args.every) {
        (Some(at), None) => vec![at],
        (_, Some(every)) => {
            let step = chrono::Duration::from_std(every).context("--every")?;
            if step <= chrono::Duration::zero() {
                bail!("--every must be positive");
            }
            let mut v = Vec::new();
            let mut t = start;
            while t <= end {
                v.push(t);
                t += step;
            }
            v
        }
        (None, None) => vec![end],
    };
    let text = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        for t in moments {
            player.seek(t);
            let snap = player.snapshot();
            match format {
                Format::Json => {
                    out.push_str(&watch::json_line(&snap));
                    out.push('\n');
                }
                Format::Table => {
                    out.push_str("== ");
                    out.push_str(&t.to_rfc3339());
                    out.push_str(" ==\n");
                    out.push_str(&report::render_table(&snap, ""));
                }
                Format::Csv => out.push_str(&report::render_csv(&snap, "")),
                // Refused before loading.
                Format::Html => {}
            }
        }
        out
    })
    .await
    .context("replay engine failed")?;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("stdout"),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn time(value: Option<&str>, zone: Zone, flag: &str) -> Result<Option<DateTime<Utc>>> {
    value
        .map(|v| parse_time(v, Utc::now(), zone).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
        .transpose()
}
