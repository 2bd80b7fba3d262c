//! Live follow: append → snapshot latency (time from writing a line into a followed folder
//! until a published snapshot counts it), p50/p99 at fixed rates, and the highest rate
//! followed with no record lost. A plain binary (`cargo bench --bench follow`) that prints
//! figures; it runs the real tail and the real aggregator, about a minute in all.

// The tests' own helpers (`pub`: the bench uses a part of them).
#[path = "../tests/support/lines.rs"]
pub mod lines;
#[path = "../tests/support/live.rs"]
pub mod live;

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lines::{cc_line, record};
use live::Pipeline;

/// How long a run waits for the last lines after writing stopped.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// What one run at a fixed rate measured.
struct Run {
    rate: u64,
    written: u64,
    counted: u64,
    achieved: f64,
    latencies: Vec<Duration>,
    drain: Duration,
}

impl Run {
    fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        self.latencies[i]
    }

    fn print(&self) {
        println!(
            "{:>7} lines/s (wrote {:>6} at {:>7.0}/s): p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms  drain {:>6.1} ms  lost {}",
            self.rate,
            self.written,
            self.achieved,
            ms(self.quantile(0.5)),
            ms(self.quantile(0.99)),
            ms(self.quantile(1.0)),
            ms(self.drain),
            self.written.saturating_sub(self.counted),
        );
    }

    fn sustained(&self) -> bool {
        self.counted == self.written
            && self.achieved >= self.rate as f64 * 0.95
            && self.drain < Duration::from_secs(1)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Appends lines `0..` at `rate` per second for `secs`, in 1 ms steps; returns when each
/// line was written.
fn write_at(
    path: &std::path::Path,
    rate: u64,
    duration: Duration,
    written: &AtomicU64,
) -> Vec<Instant> {
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    let total = (rate as f64 * duration.as_secs_f64()) as u64;
    let mut times = Vec::with_capacity(total as usize);
    let start = Instant::now();
    let mut n = 0;
    let mut buf = String::new();
    while n < total {
        let due = ((start.elapsed().as_secs_f64() * rate as f64) as u64 + 1).min(total);
        if due > n {
            buf.clear();
            for i in n..due {
                buf.push_str(&cc_line(record(i)));
            }
            file.write_all(buf.as_bytes()).expect("append");
            let now = Instant::now();
            times.extend(std::iter::repeat_n(now, (due - n) as usize));
            n = due;
            written.store(n, Ordering::Release);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    times
}

async fn run(rate: u64, duration: Duration) -> Run {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("session.jsonl");
    std::fs::write(&path, "").expect("create");
    let live = Pipeline::follow(&dir).await;
    let mut snapshots = live.handle.snapshots();
    snapshots.borrow_and_update();

    let written = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (written, done, path) = (Arc::clone(&written), Arc::clone(&done), path.clone());
        std::thread::spawn(move || {
            let times = write_at(&path, rate, duration, &written);
            done.store(true, Ordering::Release);
            times
        })
    };
    let started = Instant::now();
    // (when a snapshot was seen, requests it counted)
    let mut seen: Vec<(Instant, u64)> = Vec::new();
    let mut finished_at: Option<Instant> = None;
    loop {
        if let Ok(changed) =
            tokio::time::timeout(Duration::from_millis(50), snapshots.changed()).await
        {
            changed.expect("aggregator alive");
            let count = snapshots.borrow_and_update().totals.requests;
            seen.push((Instant::now(), count));
        }
        if done.load(Ordering::Acquire) {
            let at = *finished_at.get_or_insert_with(Instant::now);
            let total = written.load(Ordering::Acquire);
            let counted = seen.last().map_or(0, |s| s.1);
            if counted >= total || at.elapsed() > DRAIN_LIMIT {
                break;
            }
        }
    }
    let times = writer.join().expect("writer");
    let elapsed = finished_at.map_or(started.elapsed(), |f| f - started);
    let mut latencies = Vec::with_capacity(times.len());
    let mut covered = 0usize;
    for &(at, count) in &seen {
        let count = (count as usize).min(times.len());
        for t in &times[covered.min(count)..count] {
            latencies.push(at.saturating_duration_since(*t));
        }
        covered = covered.max(count);
    }
    latencies.sort_unstable();
    let last_seen = seen.last().map_or(started, |s| s.0);
    Run {
        rate,
        written: times.len() as u64,
        counted: seen.last().map_or(0, |s| s.1),
        achieved: times.len() as f64 / elapsed.as_secs_f64(),
        latencies,
        drain: finished_at.map_or(Duration::ZERO, |f| last_seen.saturating_duration_since(f)),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("append → published snapshot latency (real tail, real aggregator):");
        let mut target = None;
        for rate in [100, 1_000, 10_000] {
            let r = run(rate, Duration::from_secs(6)).await;
            r.print();
            if rate == 1_000 {
                target = Some(r.quantile(0.99));
            }
        }
        if let Some(p99) = target {
            let verdict = if p99 < Duration::from_millis(250) {
                "met"
            } else {
                "MISSED"
            };
            println!(
                "target p99 < 250 ms at 1,000 lines/s: {verdict} ({:.1} ms)",
                ms(p99)
            );
        }
        println!("highest sustained rate (all counted, drained within 1 s):");
        let mut best = None;
        for rate in [20_000, 50_000, 100_000, 200_000] {
            let r = run(rate, Duration::from_secs(3)).await;
            r.print();
            if !r.sustained() {
                break;
            }
            best = Some(rate);
        }
        match best {
            Some(rate) => println!("sustained with no record lost: {rate} lines/s"),
            None => println!("sustained with no record lost: below 20000 lines/s"),
        }
    });
}
