//! Shared by the benches: a generated transcript set, made in-process by the repository's own
//! generator (`examples/gen_transcripts`).
#![allow(dead_code)]

#[path = "../../examples/gen_transcripts/generator/mod.rs"]
mod generator;

use std::path::Path;

use chrono::{TimeZone, Utc};

/// Writes a set of about `lines` lines under `out` (seed 7, the 30 days before
/// 2026-11-20T00:00:00Z); `None` (with a message) when it cannot be written.
pub(crate) fn generate(out: &Path, lines: u32) -> Option<()> {
    let options = generator::Options {
        out: out.to_path_buf(),
        lines: u64::from(lines),
        seed: 7,
        days: 30,
        end: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).single()?,
        sessions: None,
        projects: None,
        unknown_model: false,
    };
    match generator::generate(&options) {
        Ok(truth) => {
            eprintln!(
                "generated {} lines, {} files, {:.1} MB, {} requests",
                truth.lines,
                truth.files,
                truth.bytes as f64 / 1e6,
                truth.requests
            );
            Some(())
        }
        Err(error) => {
            eprintln!("skipping bench: cannot write the transcript set ({error})");
            None
        }
    }
}

/// Every line of every `.jsonl` file under `dir`.
pub(crate) fn load_lines(dir: &Path) -> Vec<Vec<u8>> {
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
