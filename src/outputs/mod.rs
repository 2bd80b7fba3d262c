//! Outputs: everything that reads snapshots — the report, the `watch` JSON stream, alarm hooks,
//! the recorder.

pub mod report;
