//! Outputs: everything that reads snapshots — the report, the `watch` JSON stream, alarm
//! actions, the recorder, the Prometheus exposition — and the `costtop prices` views of the
//! price table.

pub(crate) mod audit;
pub(crate) mod check;
pub(crate) mod claude_hook;
pub mod hooks;
pub mod metrics;
pub(crate) mod prices;
pub mod record;
pub(crate) mod report;
pub(crate) mod statusline;
pub mod watch;

use std::io::Write;

/// Writes text to stdout. A closed pipe (`costtop report | head`) is not an error: the reader
/// has what it wanted, so it returns `Ok(false)` and the caller stops writing.
pub(crate) fn emit(text: &str) -> std::io::Result<bool> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}
