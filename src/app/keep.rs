//! The history in a run: whether this run keeps it (the default sources, the config not
//! turning it off), and starting it in front of the aggregator.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::Sender;

use crate::config::Config;
use crate::history::{self, Keeper};
use crate::usage::{SourceHealth, SourceMsg, SourceState};

/// Names the history file, or `off`, over the config (for scripts and tests).
pub(crate) const HISTORY_ENV: &str = "COSTTOP_HISTORY";

/// Where this run keeps the history: only when it reads the default sources (no SOURCE named:
/// a report over one log file must not mix in everything else), and as `COSTTOP_HISTORY`,
/// else the config, say.
pub(crate) fn history_path(config: &Config, sources: &[String]) -> Option<PathBuf> {
    if !sources.is_empty() {
        return None;
    }
    configured_history(config)
}

/// The history `COSTTOP_HISTORY`, else the config, names (`None`: off).
pub(crate) fn configured_history(config: &Config) -> Option<PathBuf> {
    match std::env::var_os(HISTORY_ENV) {
        Some(v) if v == "off" => None,
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => config.history_path(),
    }
}

/// Whether a history with records may be there (so a run with no other source still has one).
pub(crate) fn has_history(path: Option<&Path>) -> bool {
    path.and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| m.len() > 16)
}

/// Reads the history at `path` (records in `[since, until)`) into `downstream` and puts its
/// tee in front; returns the sender sources should use and the keeper. Without a path, or
/// when the file cannot be used (said on stderr unless `quiet`, and as the source's error),
/// sources send to `downstream` directly.
pub(crate) async fn keep_history(
    path: Option<&Path>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    downstream: Sender<SourceMsg>,
    quiet: bool,
) -> (Sender<SourceMsg>, Option<Keeper>) {
    let Some(path) = path else {
        return (downstream, None);
    };
    match history::start(path, since, until, downstream.clone()).await {
        Ok((tx, keeper, summary)) => {
            if let Some(problem) = summary.problem()
                && !quiet
            {
                eprintln!(
                    "costtop: history {}: {problem}; the rest was read (damage is put aside)",
                    path.display()
                );
            }
            (tx, Some(keeper))
        }
        Err(e) => {
            if !quiet {
                eprintln!("costtop: history not kept this run: {e}");
            }
            let health = SourceHealth {
                name: format!("history {}", path.display()),
                state: SourceState::Error(e.to_string()),
                files: 1,
                ..SourceHealth::default()
            };
            let _ = downstream.send(SourceMsg::Health(health)).await;
            (downstream, None)
        }
    }
}
