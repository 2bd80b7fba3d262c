//! Throughput of `parse_line` over a generated Claude Code transcript set (the hot path).

mod common;

use chrono::{TimeZone, Utc};
use costtop::parse::{LineContext, Parsed, parse_line};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn parse_transcripts(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    if common::generate(dir.path(), 20_000).is_none() {
        return;
    }
    let lines = common::load_lines(dir.path());
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let ctx = LineContext {
        fallback_time: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        path: "",
    };
    let usage = lines
        .iter()
        .filter(|l| matches!(parse_line(l, &ctx), Parsed::Usage(_)))
        .count();
    let invalid = lines
        .iter()
        .filter(|l| matches!(parse_line(l, &ctx), Parsed::Invalid(_)))
        .count();
    eprintln!(
        "parse bench: {} lines, {:.1} MB, {usage} usage, {invalid} invalid",
        lines.len(),
        bytes as f64 / 1e6
    );
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("claude_code_transcripts", |b| {
        b.iter(|| {
            let mut events = 0_usize;
            for line in &lines {
                if let Parsed::Usage(_) = parse_line(std::hint::black_box(line), &ctx) {
                    events += 1;
                }
            }
            events
        });
    });
    // Baselines in the same run: what any reader pays (finding line ends) and what the
    // prefilter alone costs, so the parser's figure reads as a ratio.
    let joined: Vec<u8> = lines
        .iter()
        .flat_map(|l| l.iter().chain(b"\n"))
        .copied()
        .collect();
    group.bench_function("baseline_count_lines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', std::hint::black_box(&joined)).count());
    });
    group.bench_function("baseline_prefilter", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| costtop::parse::looks_like_usage(std::hint::black_box(l)))
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, parse_transcripts);
criterion_main!(benches);
