//! The `costtop` binary: parses the command line, starts logging, and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use costtop::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `statusline` runs every few seconds for a few milliseconds: no log file (its writer
    // thread and buffer cost more than the line) and a runtime on this thread alone; the same
    // for `completions` and `man`, which packagers run at build time in a sandbox.
    // `serve` runs under systemd or in a container: it logs to stderr.
    let brief = matches!(
        cli.command,
        Some(Command::Statusline(_) | Command::Completions(_) | Command::Man(_))
    );
    let _log = match cli.command {
        _ if brief => None,
        Some(Command::Serve(_)) => costtop::logging::init_stderr(),
        _ => costtop::logging::init(),
    };
    let runtime = if brief {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("costtop: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(costtop::app::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("costtop: {e:#}");
            ExitCode::FAILURE
        }
    }
}
