//! Logs go to a file in the user's data dir (never onto the screen): `costtop.log.<date>`, one
//! file a day and the last 7 kept (a monitor left running for weeks must not fill the disk),
//! level from `COSTTOP_LOG` (default `info`). The headless daemon (`costtop serve`) logs to stderr.

use std::path::PathBuf;

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// Where the log file lives.
pub(crate) fn log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.data_local_dir().to_path_buf())
}

/// Starts file logging; keep the guard alive until exit so the last lines are written.
/// Without a writable data dir, logging is off.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("costtop.log")
        .max_log_files(7)
        .build(&dir)
        .ok()?;
    start(bounded().finish(appender))
}

/// Starts logging to stderr (`costtop serve`: systemd and containers collect it).
pub fn init_stderr() -> Option<WorkerGuard> {
    start(bounded().finish(std::io::stderr()))
}

/// Lines beyond the buffer are dropped rather than held (the default buffer is 128k lines).
fn bounded() -> NonBlockingBuilder {
    NonBlockingBuilder::default()
        .buffered_lines_limit(4096)
        .lossy(true)
}

fn start((writer, guard): (NonBlocking, WorkerGuard)) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("COSTTOP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
