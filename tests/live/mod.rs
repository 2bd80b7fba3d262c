//! Helpers for the live-pipeline tests: varied Claude Code-shaped lines, a real tail feeding
//! a real aggregator, the one-shot report over the same files, and waits with deadlines.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::snapshot::Snapshot;
use costtop::sources::{ReadOptions, TailOptions, discover, read_all, spawn_tail};
use costtop::time::{SystemClock, Window, Zone};

/// How long any condition may take to become true.
pub(crate) const DEADLINE: Duration = Duration::from_secs(15);

const MODELS: [&str; 4] = [
    "claude-sonnet-4-6",
    "claude-opus-4-6",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-1-20250805",
];

/// One streamed chunk of API response `n`: its output so far, and whether it is the last.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    /// Response number: key, model, tier, cache split and time derive from it.
    pub n: u64,
    /// Output tokens on this line.
    pub output: u64,
    /// The final chunk carries a stop reason; earlier ones carry `null`.
    pub last: bool,
}

/// The complete record of response `n` (its output derives from `n`).
pub(crate) fn record(n: u64) -> Chunk {
    Chunk {
        n,
        output: output_of(n),
        last: true,
    }
}

/// The output tokens of response `n`'s complete record.
pub(crate) fn output_of(n: u64) -> u64 {
    10 + (n * 37) % 5000
}

/// A Claude Code assistant line (v2.1.126 shape) for `c`, newline included. Models, tiers,
/// cache TTLs, stop reasons and minutes vary with `n` so every pane has something to show.
pub(crate) fn cc_line(c: Chunk) -> String {
    let n = c.n;
    let model = MODELS[(n % 4) as usize];
    let tier = if n.is_multiple_of(5) {
        "batch"
    } else {
        "standard"
    };
    let (w5, w1) = if n.is_multiple_of(2) {
        (1200 + n % 97, 0)
    } else {
        (0, 2849)
    };
    let stop = if !c.last {
        "null".to_string()
    } else if n.is_multiple_of(7) {
        "\"max_tokens\"".to_string()
    } else {
        "\"tool_use\"".to_string()
    };
    let secs = n * 13;
    let ts = format!(
        "2026-05-04T{:02}:{:02}:{:02}.499Z",
        1 + secs / 3600 % 20,
        secs / 60 % 60,
        secs % 60
    );
    format!(
        concat!(
            r#"{{"parentUuid":"1ff742f9-960a-4061-a7d1-b5daa8a30591","isSidechain":false,"message":{{"model":"{model}","id":"msg_{n:024}","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_01G67VDs2nmkqzpTD72GihFS","name":"Bash","input":{{"command":"cargo test"}},"caller":{{"type":"direct"}}}}],"stop_reason":{stop},"stop_sequence":null,"stop_details":null,"#,
            r#""usage":{{"input_tokens":{input},"cache_creation_input_tokens":{w},"cache_read_input_tokens":{read},"output_tokens":{out},"server_tool_use":{{"web_search_requests":0,"web_fetch_requests":0}},"service_tier":"{tier}","cache_creation":{{"ephemeral_1h_input_tokens":{w1},"ephemeral_5m_input_tokens":{w5}}},"inference_geo":"","iterations":[],"speed":"standard"}},"diagnostics":null}},"#,
            r#""requestId":"req_{n:024}","type":"assistant","uuid":"a6a9cbc3-6456-43fd-85e8-b1d3e1a08361","timestamp":"{ts}","userType":"external","entrypoint":"sdk-cli","cwd":"/home/me/dev/app{p}","sessionId":"dac472d2-1379-4e28-be38-cf9abf4ac4f0","version":"2.1.126","gitBranch":"main"}}"#,
            "\n"
        ),
        model = model,
        n = n,
        stop = stop,
        input = 3 + n % 11,
        w = w5 + w1,
        read = 9493 + n * 3,
        out = c.output,
        tier = tier,
        w1 = w1,
        w5 = w5,
        ts = ts,
        p = n % 3,
    )
}

/// Complete records for every `n` in `range`, one line each.
pub(crate) fn records(range: std::ops::Range<u64>) -> String {
    range.map(|n| cc_line(record(n))).collect()
}

/// Appends `text` to `path` (creating it).
pub(crate) fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

/// What the test wrote, as the aggregator should count it: the largest output per response,
/// and every line that went through a followed file.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    outputs: BTreeMap<u64, u64>,
    /// Lines written into followed files (each must be read exactly once).
    pub lines: u64,
}

impl Ledger {
    /// Notes chunks written into a followed file.
    pub(crate) fn wrote(&mut self, chunks: impl IntoIterator<Item = Chunk>) {
        for c in chunks {
            self.lines += 1;
            let o = self.outputs.entry(c.n).or_default();
            *o = (*o).max(c.output);
        }
    }

    /// Notes complete records `range` written into a followed file.
    pub(crate) fn wrote_records(&mut self, range: std::ops::Range<u64>) {
        self.wrote(range.map(record));
    }

    /// (distinct requests, output tokens) the snapshot must show.
    pub(crate) fn expected(&self) -> (u64, u64) {
        (self.outputs.len() as u64, self.outputs.values().sum())
    }
}

/// Aggregator settings for these tests: every record, window `all`, UTC.
pub(crate) fn settings() -> Settings {
    Settings {
        zone: "UTC".parse::<Zone>().expect("zone"),
        window: Window::All,
        since: None,
        ..Settings::default()
    }
}

/// A real tail over `dir` feeding a real actor on the system clock.
pub(crate) struct Pipeline {
    /// The aggregator.
    pub handle: AggregatorHandle,
    _tail: tokio::task::JoinHandle<()>,
}

impl Pipeline {
    /// Starts following `dir` and waits until its history is read.
    pub(crate) async fn follow(dir: &Path) -> Pipeline {
        let found = discover(&[dir.display().to_string()]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let handle = AggregatorHandle::spawn(settings(), Arc::new(SystemClock));
        let n = found.sources.len();
        let tail = spawn_tail(
            found.sources,
            handle.source_sender(),
            TailOptions::default(),
        );
        tokio::time::timeout(DEADLINE, handle.caught_up(n))
            .await
            .expect("history read in time");
        Pipeline {
            handle,
            _tail: tail,
        }
    }

    /// A fresh snapshot.
    pub(crate) async fn now(&self) -> Arc<Snapshot> {
        self.handle
            .snapshot_now(None)
            .await
            .expect("aggregator alive")
    }

    /// Waits until `ok` holds for a fresh snapshot; panics with `what` and the last figures.
    pub(crate) async fn wait_for(
        &self,
        what: &str,
        ok: impl Fn(&Snapshot) -> bool,
    ) -> Arc<Snapshot> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let snap = self.now().await;
            if ok(&snap) {
                return snap;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: requests {}, output {}, sources {:?}",
                snap.totals.requests,
                snap.totals.output_tokens,
                snap.sources
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the snapshot counts exactly what `ledger` says was written.
    pub(crate) async fn wait_counted(&self, ledger: &Ledger, what: &str) -> Arc<Snapshot> {
        let want = ledger.expected();
        self.wait_for(what, |s| {
            (s.totals.requests, s.totals.output_tokens) == want
        })
        .await
    }

    /// Waits until the source health says every written line was read (health is sent at
    /// most once a second), with no parse error.
    pub(crate) async fn wait_lines(&self, ledger: &Ledger) -> Arc<Snapshot> {
        let snap = self
            .wait_for("source health to count every line", |s| {
                s.sources.iter().map(|h| h.lines).sum::<u64>() >= ledger.lines
            })
            .await;
        let lines: u64 = snap.sources.iter().map(|h| h.lines).sum();
        assert_eq!(
            lines, ledger.lines,
            "a line was read twice: {:?}",
            snap.sources
        );
        let errors: u64 = snap.sources.iter().map(|h| h.parse_errors).sum();
        assert_eq!(errors, 0, "parse errors: {:?}", snap.sources);
        snap
    }
}

/// The one-shot report path over `paths`: `read_all` into a fresh actor.
pub(crate) async fn report(paths: &[PathBuf]) -> Arc<Snapshot> {
    let args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let found = discover(&args);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let handle = AggregatorHandle::spawn(settings(), Arc::new(SystemClock));
    let tx = handle.source_sender();
    tokio::task::spawn_blocking(move || read_all(&found.sources, tx, ReadOptions::default()))
        .await
        .expect("reader");
    handle.snapshot_now(None).await.expect("aggregator alive")
}

/// The figures the live and one-shot paths must agree on exactly.
pub(crate) fn figures(s: &Snapshot) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.totals,
        s.by_model.clone(),
        s.cache,
        s.batch,
        s.output_tokens.clone(),
    )
}

/// Waits until the live snapshot equals the report over `paths`, then makes sure it stays
/// equal after the tail's next full pass (nothing counted late or twice).
pub(crate) async fn assert_live_equals_report(live: &Pipeline, ledger: &Ledger, paths: &[PathBuf]) {
    let reported = report(paths).await;
    assert_eq!(
        (reported.totals.requests, reported.totals.output_tokens),
        ledger.expected(),
        "the report itself miscounts"
    );
    let want = figures(&reported);
    live.wait_for("live figures to equal the report", |s| figures(s) == want)
        .await;
    live.wait_lines(ledger).await;
    // Two poll intervals more: a late re-read would show now.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let last = live.now().await;
    assert_eq!(figures(&last), want, "live figures drifted after settling");
    assert!(last.totals.requests > 0);
}
