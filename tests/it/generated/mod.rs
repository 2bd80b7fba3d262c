//! `costtop report --format json` over generated Claude Code homes equals what the generator
//! says it wrote (and, in [`history`], still does once the transcripts are gone): requests,
//! every model's token sums, unpriced requests, and cost to the picodollar. The sets hold
//! every kind of copy costtop must count once (streamed placeholders, resumed and forked
//! sessions, sub-agent calls in `progress` lines, in `subagents/` files, and in both), dated
//! and banded prices, and a model no table has.

#[path = "../../../examples/gen_transcripts/generator/mod.rs"]
mod generator;
mod history;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Picodollars in one dollar.
const PICOS_PER_USD: i128 = 1_000_000_000_000;

/// Seeds tried for a set that covers everything (a change to the generator may move which).
const SEEDS: std::ops::RangeInclusive<u64> = 1..=40;

/// Records costtop's dedupe index keeps replaceable before it only remembers their keys
/// (two generations of `GENERATION` in `src/aggregate/dedupe.rs`): a set with more requests
/// has copies that arrive after their record was sealed.
const DEDUPE_HORIZON: u64 = 2 * 8_192;

/// Writes sets of about `lines` lines from seed 1 on until one holds every kind of copy and
/// reaches every rule in `rules`, then compares costtop's report with its truth.
fn report_equals_truth(lines: u64, end: &str, unknown_model: bool, rules: &[&str]) {
    let home = tempfile::tempdir().expect("temp dir");
    let mut tried = Vec::new();
    for seed in SEEDS {
        let options = generator::Options {
            out: home.path().join(format!("claude-{seed}")),
            lines,
            seed,
            days: 30,
            end: end.parse::<DateTime<Utc>>().expect("end time"),
            sessions: None,
            projects: None,
            unknown_model,
        };
        let truth = generator::generate(&options).expect("generate");
        let missing = missing(&truth, rules);
        if missing.is_empty() {
            eprintln!(
                "seed {seed}: {} requests in {} lines",
                truth.requests, truth.lines
            );
            assert_eq!(truth.unpriced_requests > 0, unknown_model);
            assert_eq!(truth.requests > DEDUPE_HORIZON, lines > 40_000, "set size");
            check(home.path(), &options.out, &truth);
            return;
        }
        std::fs::remove_dir_all(&options.out).expect("remove set");
        tried.push((seed, missing));
    }
    panic!("no seed covers every case: {tried:?}");
}

/// Compares `costtop report` over `dir` with `truth`.
fn check(home: &Path, dir: &Path, truth: &generator::Truth) {
    let report = report(home, dir);
    let totals = &report["totals"];
    assert_eq!(totals["requests"], truth.requests, "requests");
    assert_eq!(
        totals["unpriced_requests"], truth.unpriced_requests,
        "unpriced"
    );
    assert_eq!(totals["cost_is_lower_bound"], truth.cost_is_lower_bound);
    assert_eq!(
        picos(&totals["cost_usd"]),
        truth.cost_picodollars as i128,
        "total cost in picodollars"
    );
    let rows = report["by_model"].as_array().expect("by_model rows");
    assert_eq!(rows.len(), truth.by_model.len(), "models: {rows:#?}");
    for (model, sums) in &truth.by_model {
        let row = rows
            .iter()
            .find(|row| row["model"] == model.as_str())
            .unwrap_or_else(|| panic!("no row for {model}"));
        let counts = [
            ("requests", sums.requests),
            ("input_tokens", sums.input_tokens),
            ("cache_write_5m_tokens", sums.cache_write_5m_tokens),
            ("cache_write_1h_tokens", sums.cache_write_1h_tokens),
            ("cache_read_tokens", sums.cache_read_tokens),
            ("output_tokens", sums.output_tokens),
            ("web_search_requests", sums.web_search_requests),
        ];
        for (field, want) in counts {
            assert_eq!(row[field], want, "{model} {field}");
        }
        assert_eq!(row["priced"], sums.priced, "{model} priced");
        assert_eq!(
            picos(&row["cost_usd"]),
            sums.cost_picodollars as i128,
            "{model} cost"
        );
    }
    let source = &report["sources"][0];
    assert_eq!(source["lines"], truth.lines, "lines read");
    assert_eq!(source["parse_errors"], 0);
}

/// The JSON report of the set under `dir`, with no config, price update or cache of the
/// user's.
fn report(home: &Path, dir: &Path) -> Value {
    let config = home.join("config.toml");
    std::fs::write(&config, "").expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .arg("report")
        .arg(dir)
        .args(["--format", "json", "--tz", "UTC"])
        .env("COSTTOP_CONFIG", &config)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .expect("run costtop");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// A JSON dollar amount as exact picodollars. Its text is the shortest that round-trips, so
/// for amounts of at most 15 significant digits (every cost here is a whole number of
/// 10⁻⁸ dollars, the smallest price step) it is the decimal costtop computed.
fn picos(amount: &Value) -> i128 {
    let text = amount.to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().expect("exponent")),
        None => (text.as_str(), 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().expect("digits");
    let shift = 12 + exponent - fraction.len() as i32;
    assert!(shift >= 0, "{text} is finer than a picodollar");
    digits * 10_i128.pow(shift.unsigned_abs())
}

/// What a set lacks: kinds of copies it has none of, and rules of `rules` it never reaches.
fn missing(truth: &generator::Truth, rules: &[&str]) -> Vec<String> {
    let copies = serde_json::to_value(&truth.copies).expect("copies as JSON");
    let kinds = copies.as_object().expect("an object").iter();
    kinds
        .filter(|(kind, count)| *kind != "special_rules" && count.as_u64() == Some(0))
        .map(|(kind, _)| kind.clone())
        .chain(
            rules
                .iter()
                .filter(|rule| !truth.copies.special_rules.contains_key(*rule))
                .map(ToString::to_string),
        )
        .collect()
}

#[test]
fn report_equals_truth_across_the_sonnet_5_5_price_change_with_an_unknown_model() {
    report_equals_truth(
        5_000,
        "2026-10-20T00:00:00Z",
        true,
        &["haiku_5_5_upper_band", "sonnet_5_5_read_before_2026_10_07"],
    );
}

/// Resumed and forked copies, read long after their first copy, must still count once (the
/// slowest test here: about 60,000 lines, ~140 MB).
#[test]
fn report_equals_truth_past_the_dedupe_horizon() {
    report_equals_truth(
        60_000,
        "2026-12-01T06:00:00Z",
        false,
        &["haiku_5_5_upper_band"],
    );
}

#[test]
fn picos_reads_json_dollars_exactly() {
    assert_eq!(picos(&serde_json::json!(78.522_471_63)), 78_522_471_630_000);
    assert_eq!(picos(&serde_json::json!(0.000_000_01)), 10_000);
    assert_eq!(picos(&serde_json::json!(12)), 12 * PICOS_PER_USD);
    assert_eq!(picos(&serde_json::json!(0)), 0);
}
