//! Outputs: everything that reads snapshots — the report, the `watch` JSON stream, alarm
//! actions, the recorder.

pub mod hooks;
pub mod record;
pub mod report;
pub mod watch;
