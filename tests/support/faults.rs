//! Helpers for the fault tests: usage records built directly, an aggregator over every
//! record, and waiting for a source's health to show something.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::snapshot::SourceStatus;
use costtop::time::{SystemClock, Window};
use costtop::usage::{Tokens, UsageEvent};

/// One request of `model` with these input and output tokens at `at`.
pub fn usage(
    model: &str,
    input: u64,
    output: u64,
    at: DateTime<Utc>,
    key: Option<u64>,
) -> UsageEvent {
    let tokens = Tokens {
        input,
        output,
        ..Tokens::default()
    };
    UsageEvent {
        key,
        rank: 10,
        ..UsageEvent::request(at, model, tokens)
    }
}

/// A live aggregator on the wall clock showing every record (window `all`).
pub fn aggregator() -> AggregatorHandle {
    let settings = Settings {
        window: Window::All,
        ..Settings::default()
    };
    AggregatorHandle::spawn(settings, Arc::new(SystemClock))
}

/// Waits (10 s at most) for a source whose name starts with `prefix` to satisfy `done`.
pub async fn wait_for_source(
    handle: &AggregatorHandle,
    prefix: &str,
    done: impl Fn(&SourceStatus) -> bool,
) -> SourceStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snap = handle.snapshot_now(None).await.expect("aggregator alive");
        let found = snap.sources.iter().find(|s| s.name.starts_with(prefix));
        if let Some(s) = found.filter(|s| done(s)) {
            return s.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {prefix} source as expected: {:#?}",
            snap.sources
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
