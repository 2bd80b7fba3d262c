//! Replay seek latency: load a generated transcript set once, then time a seek to moments
//! spread over the whole range (backwards and forwards) plus the snapshot there.
//! `COSTTOP_BENCH_DIR=/path/to/set` measures an existing set instead of a generated 20k one.

mod common;

use std::time::Instant;

use chrono::Duration;
use costtop::aggregate::Settings;
use costtop::budget::Budget;
use costtop::sources::discover;
use costtop::sources::replay::{Engine, Timeline};
use costtop::time::Period;
use criterion::{Criterion, criterion_group, criterion_main};

fn replay(c: &mut Criterion) {
    let generated = tempfile::tempdir().expect("temp dir");
    let dir = if let Ok(dir) = std::env::var("COSTTOP_BENCH_DIR") {
        dir
    } else {
        if common::generate(generated.path(), 20_000).is_none() {
            return;
        }
        generated.path().display().to_string()
    };
    let started = Instant::now();
    let timeline = Timeline::load(&discover(std::slice::from_ref(&dir)).sources);
    let read = started.elapsed();
    let settings = Settings {
        zone: "UTC".parse().expect("zone"),
        budgets: vec![
            Budget::simple(Period::Day, 50.0),
            Budget::simple(Period::Month, 1000.0),
        ],
        ..Settings::default()
    };
    let mut engine = Engine::new(timeline, settings, None);
    eprintln!(
        "{dir}: {} records, read {read:?}, loaded (read + straight pass) {:?}, {} checkpoints",
        engine.timeline().events().len(),
        started.elapsed(),
        engine.checkpoints()
    );
    let (Some(first), Some(last)) = (engine.timeline().first(), engine.timeline().last()) else {
        return;
    };
    // Moments spread over the range in a scrambled order: every seek jumps far, often back.
    let span = (last - first).num_seconds().max(1);
    let moments: Vec<_> = (0..64u64)
        .map(|i| first + Duration::seconds((i * 37 % 64) as i64 * span / 64 + 17))
        .collect();
    let slowest = moments
        .iter()
        .map(|t| {
            let began = Instant::now();
            engine.seek(*t);
            let _ = engine.snapshot();
            began.elapsed()
        })
        .max()
        .unwrap_or_default();
    eprintln!("slowest of {} seeks: {slowest:?}", moments.len());
    let mut next = 0;
    let mut group = c.benchmark_group("replay");
    group.sample_size(30);
    group.bench_function("seek_and_snapshot", |b| {
        b.iter(|| {
            next = (next + 1) % moments.len();
            engine.seek(moments[next]);
            engine.snapshot()
        });
    });
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
