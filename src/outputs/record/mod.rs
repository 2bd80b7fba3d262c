//! `--record FILE`: appends every usage record the sources deliver to FILE as JSON lines in the
//! application usage-log format (billed iterations and the writing tool's estimate included,
//! and other tools' cost figures as `kind: "estimate"` lines), so a live session can be
//! replayed exactly later.
//!
//! The recorder sits between the sources and the aggregator (a tee on the bounded channel), so
//! it sees exactly the records the aggregator counts, in the same order.

mod lines;
mod recorder;

use std::path::Path;

use tokio::sync::mpsc;

use crate::usage::SourceMsg;
pub use lines::record_line;
use lines::record_lines;

/// Starts recording to FILE and returns the sender sources should use: every message is
/// passed on to `downstream` at once, and its records are appended to FILE by a writer that
/// never holds monitoring up (a file that cannot be written is an error on screen, retried
/// until it can; see `recorder.rs` here).
pub(crate) fn spawn_recorder(
    path: &Path,
    downstream: mpsc::Sender<SourceMsg>,
) -> mpsc::Sender<SourceMsg> {
    spawn_recorder_retrying(path, downstream, recorder::RETRY)
}

/// [`spawn_recorder`] retrying a failing file every `retry`.
pub fn spawn_recorder_retrying(
    path: &Path,
    downstream: mpsc::Sender<SourceMsg>,
    retry: std::time::Duration,
) -> mpsc::Sender<SourceMsg> {
    recorder::spawn(path, downstream, retry, record_lines)
}
