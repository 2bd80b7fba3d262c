//! The report pipeline in-process: parallel reading + parsing into the aggregator, and the
//! aggregator alone (dedupe, pricing, rollups, one snapshot) over pre-parsed records.
//! The end-to-end comparison with ccusage and `wc -l` is `benches/compare_report.py`.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use costtop::aggregate::{Settings, State};
use costtop::parse::{LineContext, Parsed, parse_line};
use costtop::sources::{ReadOptions, discover, read_all};
use costtop::time::Window;
use costtop::usage::SourceMsg;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn report(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    if common::generate(dir.path(), 20_000).is_none() {
        return;
    }
    let lines = common::load_lines(dir.path());
    let bytes: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
    let ctx = LineContext {
        fallback_time: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        path: "",
    };
    let events: Vec<_> = lines
        .iter()
        .filter_map(|l| match parse_line(l, &ctx) {
            Parsed::Usage(e) => Some(e),
            _ => None,
        })
        .collect();
    let settings = Settings {
        window: Window::All,
        ..Settings::default()
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();

    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("aggregate_and_snapshot", |b| {
        b.iter(|| {
            let mut state = State::new(settings.clone());
            for e in &events {
                state.ingest(e);
            }
            state.snapshot(now, None)
        });
    });
    group.throughput(Throughput::Bytes(bytes));
    let found = discover(&[dir.path().display().to_string()]);
    group.bench_function("read_parse_aggregate", |b| {
        b.iter(|| {
            let (tx, mut rx) = tokio::sync::mpsc::channel(64);
            let sources = found.sources.clone();
            let reader = std::thread::spawn(move || read_all(&sources, tx, ReadOptions::default()));
            let mut state = State::new(settings.clone());
            while let Some(msg) = rx.blocking_recv() {
                if let SourceMsg::Events(_) = &msg {
                    state.apply(msg);
                }
            }
            reader.join().expect("reader");
            Arc::new(state.snapshot(now, None))
        });
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
