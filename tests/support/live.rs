//! The live pipeline under test: a real tail feeding a real aggregator, the one-shot report
//! over the same files, what the test wrote ([`Ledger`]), and waits with deadlines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use costtop::aggregate::{AggregatorHandle, Settings};
use costtop::snapshot::Snapshot;
use costtop::sources::{ReadOptions, TailOptions, discover, read_all, spawn_tail};
use costtop::time::{SystemClock, Window, Zone};

use super::lines::{Chunk, record};

/// How long any condition may take to become true.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// What the test wrote, as the aggregator should count it: the largest output per response,
/// and every line that went through a followed file.
#[derive(Debug, Default)]
pub struct Ledger {
    outputs: BTreeMap<u64, u64>,
    /// Lines written into followed files (each must be read exactly once).
    pub lines: u64,
}

impl Ledger {
    /// Notes chunks written into a followed file.
    pub fn wrote(&mut self, chunks: impl IntoIterator<Item = Chunk>) {
        for c in chunks {
            self.lines += 1;
            let o = self.outputs.entry(c.n).or_default();
            *o = (*o).max(c.output);
        }
    }

    /// Notes complete records `range` written into a followed file.
    pub fn wrote_records(&mut self, range: std::ops::Range<u64>) {
        self.wrote(range.map(record));
    }

    /// (distinct requests, output tokens) the snapshot must show.
    pub fn expected(&self) -> (u64, u64) {
        (self.outputs.len() as u64, self.outputs.values().sum())
    }
}

/// Aggregator settings for these tests: every record, window `all`, UTC.
pub fn settings() -> Settings {
    Settings {
        zone: "UTC".parse::<Zone>().expect("zone"),
        window: Window::All,
        since: None,
        ..Settings::default()
    }
}

/// A real tail over `dir` feeding a real actor on the system clock.
pub struct Pipeline {
    /// The aggregator.
    pub handle: AggregatorHandle,
    _tail: tokio::task::JoinHandle<()>,
}

impl Pipeline {
    /// Starts following `dir` and waits until its history is read.
    pub async fn follow(dir: &Path) -> Pipeline {
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
    pub async fn now(&self) -> Arc<Snapshot> {
        self.handle
            .snapshot_now(None)
            .await
            .expect("aggregator alive")
    }

    /// Waits until `ok` holds for a fresh snapshot; panics with `what` and the last figures.
    pub async fn wait_for(&self, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
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
    pub async fn wait_counted(&self, ledger: &Ledger, what: &str) -> Arc<Snapshot> {
        let want = ledger.expected();
        self.wait_for(what, |s| {
            (s.totals.requests, s.totals.output_tokens) == want
        })
        .await
    }

    /// Waits until the source health says every written line was read (health is sent at
    /// most once a second), with no parse error.
    pub async fn wait_lines(&self, ledger: &Ledger) -> Arc<Snapshot> {
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
pub async fn report(paths: &[PathBuf]) -> Arc<Snapshot> {
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
pub fn figures(s: &Snapshot) -> impl PartialEq + std::fmt::Debug + use<> {
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
pub async fn assert_live_equals_report(live: &Pipeline, ledger: &Ledger, paths: &[PathBuf]) {
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
