//! How the live source follows its files.

use std::time::{Duration, SystemTime};

/// How the live source follows its files.
#[derive(Debug, Clone)]
pub struct TailOptions {
    /// How often every file is stat-ed even without notifications.
    pub poll_interval: Duration,
    /// Files last modified before this are not read for history (new lines still are).
    pub skip_older_than: Option<SystemTime>,
}

impl Default for TailOptions {
    fn default() -> Self {
        TailOptions {
            poll_interval: Duration::from_secs(1),
            skip_older_than: None,
        }
    }
}
