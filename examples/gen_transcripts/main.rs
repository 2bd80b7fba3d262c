//! Writes a synthetic Claude Code home (`DIR/projects/…`) for benches and tests, and prints
//! what it contains — requests, tokens by model, exact cost — as JSON:
//!
//! ```text
//! cargo run --release --example gen_transcripts -- --out DIR --lines N --seed S [--days D]
//!     [--end 2026-11-23T06:00:00Z] [--sessions N] [--projects N] [--unknown-model]
//!     [--truth FILE]
//! ```
//!
//! `costtop report DIR --format json` must show the same requests, tokens and cost
//! (`tests/generated.rs` checks it).

mod generator;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Writes a synthetic Claude Code projects/ tree and prints its truth as JSON")]
struct Args {
    /// The Claude Code home to write (files go to DIR/projects/…).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// About this many lines in all, sub-agent files included (each session finishes the turn
    /// that reaches its share).
    #[arg(long, default_value_t = 20_000)]
    lines: u64,
    /// The seed: the same options give the same bytes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Days of history before --end.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// When the history ends (RFC 3339) [default: now, rounded down to the hour].
    #[arg(long, value_name = "TIME")]
    end: Option<DateTime<Utc>>,
    /// Sessions [default: one per 200 lines, 4 to 100].
    #[arg(long)]
    sessions: Option<u32>,
    /// Projects [default: one per 8 sessions, 2 to 12].
    #[arg(long)]
    projects: Option<u32>,
    /// Let some sessions run on a model no price table has (counted, unpriced).
    #[arg(long)]
    unknown_model: bool,
    /// Write the truth to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let end = match args.end {
        Some(end) => end,
        None => Utc::now().duration_trunc(TimeDelta::hours(1))?,
    };
    let options = generator::Options {
        out: args.out.clone(),
        lines: args.lines,
        seed: args.seed,
        days: args.days,
        end,
        sessions: args.sessions,
        projects: args.projects,
        unknown_model: args.unknown_model,
    };
    let began = Instant::now();
    let truth = generator::generate(&options)
        .with_context(|| format!("writing transcripts to {}", args.out.display()))?;
    let json = serde_json::to_string_pretty(&truth)?;
    match &args.truth {
        Some(path) => std::fs::write(path, json + "\n")
            .with_context(|| format!("writing {}", path.display()))?,
        None => println!("{json}"),
    }
    eprintln!(
        "gen_transcripts: {} lines, {} files, {:.1} MB, {} requests, ${} in {:.2?}",
        truth.lines,
        truth.files,
        truth.bytes as f64 / 1e6,
        truth.requests,
        truth.cost_usd,
        began.elapsed()
    );
    Ok(())
}
