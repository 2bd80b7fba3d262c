//! Helpers shared by the source tests: Claude Code-shaped lines with unique keys, and
//! collecting what a source sends.

#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use costtop::usage::{SourceHealth, SourceMsg};
use tokio::sync::mpsc::Receiver;

/// A real Claude Code assistant line (v2.1.126 shape) whose `message.id`, `requestId` and
/// `output_tokens` are derived from `n`, so every line has its own key.
pub(crate) fn line(n: u64) -> String {
    format!(
        r#"{{"parentUuid":"1ff742f9-960a-4061-a7d1-b5daa8a30591","isSidechain":false,"message":{{"model":"claude-sonnet-4-6","id":"msg_{n:024}","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_01G67VDs2nmkqzpTD72GihFS","name":"Bash","input":{{"command":"cargo test"}},"caller":{{"type":"direct"}}}}],"stop_reason":"tool_use","stop_sequence":null,"stop_details":null,"usage":{{"input_tokens":3,"cache_creation_input_tokens":2849,"cache_read_input_tokens":9493,"output_tokens":{n},"server_tool_use":{{"web_search_requests":0,"web_fetch_requests":0}},"service_tier":"standard","cache_creation":{{"ephemeral_1h_input_tokens":2849,"ephemeral_5m_input_tokens":0}},"inference_geo":"","iterations":[],"speed":"standard"}},"diagnostics":null}},"requestId":"req_{n:024}","type":"assistant","uuid":"a6a9cbc3-6456-43fd-85e8-b1d3e1a08361","timestamp":"2026-05-04T01:50:18.499Z","userType":"external","entrypoint":"sdk-cli","cwd":"/home/me/dev/app","sessionId":"dac472d2-1379-4e28-be38-cf9abf4ac4f0","version":"2.1.126","gitBranch":"main"}}"#
    )
}

/// Appends `text` to `path` (created if missing).
pub(crate) fn append(path: &std::path::Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

/// Lines `range` joined, each with its newline.
pub(crate) fn lines(range: std::ops::Range<u64>) -> String {
    range.map(|n| line(n) + "\n").collect()
}

/// Everything a source sent, in order.
#[derive(Debug, Default)]
pub(crate) struct Received {
    /// (dedupe key, output tokens) per event.
    pub events: Vec<(Option<u64>, u64)>,
    /// Latest health per source name.
    pub health: HashMap<String, SourceHealth>,
    /// Sources that said `CaughtUp`.
    pub caught_up: Vec<String>,
}

impl Received {
    /// Output-token values received, sorted: with one unique value per line, this is the
    /// exact multiset of lines read.
    pub(crate) fn outputs(&self) -> Vec<u64> {
        let mut out: Vec<u64> = self.events.iter().map(|e| e.1).collect();
        out.sort_unstable();
        out
    }

    /// Panics unless every event has its own key (no line read twice).
    pub(crate) fn assert_keys_unique(&self) {
        let mut keys: Vec<Option<u64>> = self.events.iter().map(|e| e.0).collect();
        assert!(keys.iter().all(Option::is_some), "events without key");
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "an event was received twice");
    }

    fn take(&mut self, msg: SourceMsg) {
        match msg {
            SourceMsg::Events(events) => self
                .events
                .extend(events.iter().map(|e| (e.key, e.tokens.output))),
            SourceMsg::Health(h) => {
                self.health.insert(h.name.clone(), h);
            }
            SourceMsg::CaughtUp { name } => self.caught_up.push(name),
            SourceMsg::Billed(_) | SourceMsg::Estimates(_) => {}
        }
    }

    /// Receives until `done` holds or `timeout` passes; returns whether `done` held.
    pub(crate) async fn until(
        &mut self,
        rx: &mut Receiver<SourceMsg>,
        timeout: Duration,
        done: impl Fn(&Received) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, rx.recv()).await {
                Ok(Some(msg)) => self.take(msg),
                Ok(None) | Err(_) => return done(self),
            }
        }
        true
    }

    /// Receives whatever arrives within `quiet` (to prove nothing more comes).
    pub(crate) async fn settle(&mut self, rx: &mut Receiver<SourceMsg>, quiet: Duration) {
        while let Ok(Some(msg)) = tokio::time::timeout(quiet, rx.recv()).await {
            self.take(msg);
        }
    }

    /// Receives everything until the channel closes.
    pub(crate) async fn all(rx: &mut Receiver<SourceMsg>) -> Received {
        let mut got = Received::default();
        while let Some(msg) = rx.recv().await {
            got.take(msg);
        }
        got
    }
}

/// `a..b` as a sorted vector, for comparing with [`Received::outputs`].
pub(crate) fn expect(ranges: &[std::ops::Range<u64>]) -> Vec<u64> {
    let mut v: Vec<u64> = ranges.iter().flat_map(Clone::clone).collect();
    v.sort_unstable();
    v
}
