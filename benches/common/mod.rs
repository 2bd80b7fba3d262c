//! Shared by the benches: generating a transcript set with the shared generator.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

const GENERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/bench/gen_claude_logs.py"
);

/// Writes the transcript set with the shared generator; `None` (with a message) when
/// python3 or the script is missing.
pub(crate) fn generate(out: &Path, lines: u32) -> Option<()> {
    if !Path::new(GENERATOR).exists() {
        eprintln!("skipping bench: {GENERATOR} not found");
        return None;
    }
    let status = Command::new("python3")
        .arg(GENERATOR)
        .args(["--out"])
        .arg(out)
        .args([
            "--lines",
            &lines.to_string(),
            "--seed",
            "7",
            "--end",
            "2026-11-20T00:00:00Z",
        ])
        .status();
    match status {
        Ok(status) if status.success() => Some(()),
        Ok(status) => {
            eprintln!("skipping bench: generator failed ({status})");
            None
        }
        Err(error) => {
            eprintln!("skipping bench: cannot run python3 ({error})");
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
