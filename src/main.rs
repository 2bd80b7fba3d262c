//! The `costtop` binary: parses the command line, starts logging, and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = costtop::cli::Cli::parse();
    let _log = match cli.command {
        Some(costtop::cli::Command::Serve(_)) => costtop::logging::init_stderr(),
        _ => costtop::logging::init(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
