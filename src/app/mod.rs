//! Wiring: turns the parsed command line into sources, an aggregator and an output, and runs
//! them. One file per kind of command; the parts live in their own modules.

mod attach;
mod audit;
mod check;
mod demo;
mod generate;
mod history;
mod hook;
mod keep;
mod live;
mod prices;
mod replay;
mod report;
mod serve;
mod setup;
mod start;
mod statusline;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command, ConfigArgs};
use crate::config;
pub use demo::{DemoRun, start_demo, story_start};
use setup::{discover_or_explain, list_themes_if_asked, load_config, settings, ui_options};

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Report(args)) => report::run_report(args).await,
        Some(Command::Audit(args)) => audit::run_audit(args).await,
        Some(Command::Watch(args)) => live::run_watch(args).await,
        Some(Command::Serve(args)) => serve::run_serve(args).await,
        Some(Command::Config(args)) => Ok(run_config(&args)),
        Some(Command::Statusline(args)) => statusline::run_statusline(args).await,
        Some(Command::Check(args)) => check::run_check(args).await,
        Some(Command::Hook(args)) => hook::run_hook(args).await,
        Some(Command::History(args)) => history::run_history(args).await,
        Some(Command::Demo(args)) => demo::run_demo(args).await,
        Some(Command::Replay(args)) => run_replay(args).await,
        Some(Command::Attach(args)) => attach::run_attach(args).await,
        Some(Command::Prices(args)) => prices::run_prices(args).await,
        Some(Command::Completions(args)) => generate::run_completions(&args),
        Some(Command::Man(args)) => generate::run_man(&args),
        None => live::run_dashboard(cli.live).await,
    }
}

fn run_config(args: &ConfigArgs) -> ExitCode {
    if args.path || !args.sample {
        match config::default_path() {
            Some(p) => println!("{}", p.display()),
            None => println!("(no config directory on this system)"),
        }
    }
    if args.sample {
        print!("{}", config::SAMPLE);
    }
    ExitCode::SUCCESS
}

/// `costtop replay`: settings and sources from the flags, then the replay run.
async fn run_replay(args: crate::cli::ReplayArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let config = load_config(&args.common)?;
    let settings = settings(&config, &args.common, args.window, None, None)?;
    let ui = match args.format {
        None => Some(ui_options(&args.ui, &config)?),
        Some(_) => None,
    };
    let discovery = discover_or_explain(&args.sources)?;
    replay::run(&args, settings, &discovery, ui).await
}
