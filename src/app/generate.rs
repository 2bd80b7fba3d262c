//! `costtop completions` and `costtop man`: files about costtop itself, generated from the same
//! command-line definition that parses the arguments, so they cannot drift from `--help`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub(super) fn run_completions(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "costtop", &mut script);
    crate::outputs::emit(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// The page of costtop on stdout (its SUBCOMMANDS section names every subcommand), or with
/// `--out DIR` that page and one per subcommand (`costtop-report.1`, …) as files.
pub(super) fn run_man(args: &ManArgs) -> Result<ExitCode> {
    // `help` has no page of its own, so the SUBCOMMANDS section must not point at one.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = &args.out else {
        crate::outputs::emit(&render(cmd)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pages = std::iter::once(cmd.clone()).chain(cmd.get_subcommands().cloned());
    for page in pages {
        let path = dir.join(format!(
            "{}.1",
            page.get_display_name().unwrap_or("costtop")
        ));
        std::fs::write(&path, render(page)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("costtop: man pages written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// One page; every page's footer names costtop and its version (a subcommand has none).
fn render(cmd: clap::Command) -> Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(format!("costtop {}", env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .context("rendering the man page")?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
