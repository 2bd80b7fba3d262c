//! A real Claude Code sends its OTLP telemetry to `costtop serve`. Every request the mock
//! served is counted exactly once: beside the same run's transcript (which wins), and from the
//! telemetry alone when no transcript is read — exactly, 1-hour writes included: 2.1.328's
//! `api_request` events carry the 5m/1h split (`cache_creation_5m_tokens`, `…_1h_…`).
//!
//! Needs the pinned Claude Code (`bash scripts/install-claude-code.sh`); skips without it
//! unless `COSTTOP_REQUIRE_TOOLS=1`.

use serde_json::Value;

use crate::support::claude_code::{
    ClaudeHome, MockApi, MockOptions, Served, expected_totals, ids, install,
};
use crate::support::serve::Server;

#[test]
fn telemetry_over_protobuf_beside_the_transcript_counts_each_request_once() {
    let Some(run) = Run::new("http/protobuf", true) else {
        return;
    };
    // One `api_request` event reached the receiver for every request served …
    run.server
        .wait_snapshot("an api_request event per request", |_| {
            run.server.receiver()["lines"]
                .as_u64()
                .is_some_and(|n| n >= run.served.len() as u64)
        });
    // … and each request counts once: the totals are exactly what was served, split and all.
    let expected = expected_totals(&run.served);
    run.wait_for_totals(&expected);
    assert_eq!(
        run.server.receiver()["receiver"]["cache_ttl_assumed"],
        0,
        "2.1.328's events carry the TTL split"
    );
}

#[test]
fn telemetry_over_json_alone_counts_each_request_once() {
    let Some(run) = Run::new("http/json", false) else {
        return;
    };
    run.wait_for_totals(&expected_totals(&run.served));
    assert_eq!(run.server.receiver()["receiver"]["cache_ttl_assumed"], 0);
}

/// One `claude -p` with telemetry to a `costtop serve`, which follows the run's transcripts
/// when `follow` is set.
struct Run {
    server: Server,
    served: Vec<Served>,
    protocol: &'static str,
    _home: ClaudeHome,
}

impl Run {
    fn new(protocol: &'static str, follow: bool) -> Option<Run> {
        let claude = install::claude_or_skip()?;
        let mock = MockApi::start(MockOptions::default());
        let mut home = ClaudeHome::new();
        let projects = home.projects();
        let sources: Vec<&str> = if follow {
            vec![projects.to_str().expect("UTF-8 temp path")]
        } else {
            Vec::new()
        };
        let costtop = Server::serve(&sources);
        let endpoint = format!("http://{}", costtop.addr);
        home.env = [
            ("CLAUDE_CODE_ENABLE_TELEMETRY", "1"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_LOGS_EXPORT_INTERVAL", "500"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        home.print(&claude, &mock, "Say hello", &[]);
        let served = mock.served();
        eprintln!("served {:?}", ids(&served));
        assert!(!served.is_empty(), "the mock served nothing");
        Some(Run {
            server: costtop,
            served,
            protocol,
            _home: home,
        })
    }

    /// Waits until the snapshot's totals have every field of `expected` (and every served
    /// request counted once).
    fn wait_for_totals(&self, expected: &Value) {
        let what = format!("{}: totals {expected}", self.protocol);
        let snap = self.server.wait_snapshot(&what, |snap| {
            let totals = &snap["totals"];
            expected
                .as_object()
                .is_some_and(|e| e.iter().all(|(k, v)| &totals[k] == v))
        });
        assert_eq!(snap["totals"]["requests"], self.served.len(), "{snap}");
    }
}
