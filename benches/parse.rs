//! Throughput of `parse_line` over a generated Claude Code transcript set (the hot path).

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use costtop::parse::{LineContext, Parsed, parse_line};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const GENERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/bench/gen_claude_logs.py"
);

/// Writes the transcript set with the shared generator; `None` (with a message) when
/// python3 or the script is missing.
fn generate(out: &Path) -> Option<()> {
    if !Path::new(GENERATOR).exists() {
        eprintln!("skipping parse bench: {GENERATOR} not found");
        return None;
    }
    let status = Command::new("python3")
        .arg(GENERATOR)
        .args(["--out"])
        .arg(out)
        .args([
            "--lines",
            "20000",
            "--seed",
            "7",
            "--end",
            "2026-11-20T00:00:00Z",
        ])
        .status();
    match status {
        Ok(status) if status.success() => Some(()),
        Ok(status) => {
            eprintln!("skipping parse bench: generator failed ({status})");
            None
        }
        Err(error) => {
            eprintln!("skipping parse bench: cannot run python3 ({error})");
            None
        }
    }
}

/// Every line of every `.jsonl` file under `dir`.
fn load_lines(dir: &Path) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk generated dir");
        if entry.path().extension().is_some_and(|e| e == "jsonl") {
            let bytes = std::fs::read(entry.path()).expect("read generated file");
            lines.extend(bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec));
        }
    }
    lines
}

fn parse_transcripts(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    if generate(dir.path()).is_none() {
        return;
    }
    let lines = load_lines(dir.path());
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
    group.finish();
}

criterion_group!(benches, parse_transcripts);
criterion_main!(benches);
