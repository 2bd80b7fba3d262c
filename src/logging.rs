//! Logs go to a file in the user's data dir (never onto the screen): `costtop.log`, level from
//! `COSTTOP_LOG` (default `info`). The headless daemon (`costtop serve`) logs to stderr.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where the log file lives.
pub fn log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.data_local_dir().to_path_buf())
}

/// Starts file logging; keep the guard alive until exit so the last lines are written.
/// Without a writable data dir, logging is off.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    start(tracing_appender::non_blocking(
        tracing_appender::rolling::never(&dir, "costtop.log"),
    ))
}

/// Starts logging to stderr (`costtop serve`: systemd and containers collect it).
pub fn init_stderr() -> Option<WorkerGuard> {
    start(tracing_appender::non_blocking(std::io::stderr()))
}

fn start(
    (writer, guard): (tracing_appender::non_blocking::NonBlocking, WorkerGuard),
) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("COSTTOP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
