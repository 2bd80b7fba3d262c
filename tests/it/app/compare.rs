//! `costtop report --compare A B`, `--per tag:KEY` and `--format html` as a user runs them,
//! over an application log with one lever pulled per feature; every figure computed by hand
//! from PRICES.md (µ$ = millionths of a dollar).

use std::fmt::Write as _;

use serde_json::Value;

use crate::support::costtop;

/// One application log line: `n` requests of `feature` on `model` on October `day` 2026.
fn lines(
    out: &mut String,
    n: usize,
    day: u32,
    feature: &str,
    model: &str,
    usage: &str,
    tier: &str,
) {
    for i in 0..n {
        let _ = writeln!(
            out,
            r#"{{"timestamp":"2026-10-{day:02}T12:00:{i:02}Z","id":"msg_{feature}_{day}_{i}","model":"{model}","service_tier":"{tier}","usage":{usage},"tags":{{"feature":"{feature}","document":"doc-{feature}-{}"}}}}"#,
            i % 4
        );
    }
}

/// 1–6 October against 7–12 October: summaries move from Opus 5.5 to Sonnet 5.5 (mix,
/// 80,000 → 40,000 µ$), chat's cache breaks on Sonnet 5 (cache, 48,000 → 260,000 µ$), the
/// nightly job moves to the Batch API (batch, 200,000 → 100,000 µ$) and search pays Sonnet 5.5's
/// new read price from the 7th (price, 30,000 → 20,000 µ$). Each feature has 4 documents.
fn log() -> tempfile::TempDir {
    let u = |input: u64, w5: u64, read: u64, output: u64| {
        format!(
            r#"{{"input_tokens":{input},"output_tokens":{output},"cache_read_input_tokens":{read},"cache_creation_input_tokens":{w5}}}"#
        )
    };
    let mut s = String::new();
    lines(
        &mut s,
        10,
        2,
        "summaries",
        "claude-opus-5-5",
        &u(1_000, 0, 0, 200),
        "standard",
    );
    lines(
        &mut s,
        10,
        8,
        "summaries",
        "claude-sonnet-5-5",
        &u(1_000, 0, 0, 200),
        "standard",
    );
    lines(
        &mut s,
        10,
        3,
        "chat",
        "claude-sonnet-5",
        &u(1_000, 0, 9_000, 100),
        "standard",
    );
    lines(
        &mut s,
        10,
        9,
        "chat",
        "claude-sonnet-5",
        &u(0, 10_000, 0, 100),
        "standard",
    );
    lines(
        &mut s,
        10,
        4,
        "nightly",
        "claude-sonnet-5",
        &u(5_000, 0, 0, 1_000),
        "standard",
    );
    lines(
        &mut s,
        10,
        10,
        "nightly",
        "claude-sonnet-5",
        &u(5_000, 0, 0, 1_000),
        "batch",
    );
    lines(
        &mut s,
        10,
        5,
        "search",
        "claude-sonnet-5-5",
        &u(0, 0, 10_000, 100),
        "standard",
    );
    lines(
        &mut s,
        10,
        11,
        "search",
        "claude-sonnet-5-5",
        &u(0, 0, 10_000, 100),
        "standard",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("usage.jsonl"), s).unwrap();
    dir
}

fn run(dir: &tempfile::TempDir, args: &[&str]) -> (String, String, bool) {
    let out = costtop()
        .arg("report")
        .arg(dir.path().join("usage.jsonl"))
        .args(["--tz", "UTC"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

const A: &str = "2026-10-01..2026-10-06";
const B: &str = "2026-10-07..2026-10-12";

fn compare_json(dir: &tempfile::TempDir, a: &str, b: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--compare", a, b, "--format", "json"];
    args.extend(extra);
    let (stdout, stderr, ok) = run(dir, &args);
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    v["compare"].clone()
}

/// Dollars from µ$, as the JSON writes them.
fn usd(micros: i64) -> Value {
    serde_json::json!(micros as f64 / 1e6)
}

#[test]
fn each_lever_is_its_own_effect_and_the_effects_add_up_to_the_change() {
    let dir = log();
    let c = compare_json(&dir, A, B, &["--by", "tag:feature"]);
    assert_eq!(c["a"]["cost_usd"], usd(80_000 + 48_000 + 200_000 + 30_000));
    assert_eq!(c["b"]["cost_usd"], usd(40_000 + 260_000 + 100_000 + 20_000));
    assert_eq!(c["delta_usd"], usd(62_000));
    let e = &c["effects"];
    let sum: f64 = [
        "volume", "mix", "cache", "batch", "output", "input", "price",
    ]
    .iter()
    .map(|k| e[k].as_f64().unwrap())
    .sum();
    assert!((sum - 0.062).abs() < 1e-12, "{e}");
    let row = |key: &str| {
        c["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("{key}: {c}"))
            .clone()
    };
    for (feature, effect, micros) in [
        ("summaries", "mix", -40_000),
        ("chat", "cache", 212_000),
        ("nightly", "batch", -100_000),
        ("search", "price", -10_000),
    ] {
        let r = row(feature);
        assert_eq!(r["delta_usd"], usd(micros), "{feature}");
        for (k, v) in r["effects"].as_object().unwrap() {
            let expected = if k == effect { usd(micros) } else { usd(0) };
            assert_eq!(*v, expected, "{feature}: {k}");
        }
    }
    assert_eq!(c["method"], "shapley-7");
    assert_eq!(c["by"], "tag:feature");
}

#[test]
fn swapping_the_periods_negates_every_effect() {
    let dir = log();
    let ab = compare_json(&dir, A, B, &["--by", "tag:feature"]);
    let ba = compare_json(&dir, B, A, &["--by", "tag:feature"]);
    let neg = |v: &Value| serde_json::json!(-v.as_f64().unwrap());
    assert_eq!(ba["delta_usd"], neg(&ab["delta_usd"]));
    for (k, v) in ab["effects"].as_object().unwrap() {
        assert_eq!(ba["effects"][k], neg(v), "{k}");
    }
}

#[test]
fn cost_per_unit_counts_distinct_tag_values() {
    // 4 documents per feature, 4 features: 16 in each period; A's 358,000 µ$ / 16 = 22,375 µ$.
    let dir = log();
    let c = compare_json(&dir, A, B, &["--per", "tag:document"]);
    assert_eq!(c["per"], "document");
    assert_eq!(c["a"]["units"], 16);
    assert_eq!(c["a"]["cost_per_unit_usd"], usd(22_375));
    assert_eq!(c["b"]["cost_per_unit_usd"], usd(26_250));
    assert_eq!(c["delta_per_unit_usd"], usd(3_875));
    // The plain report over both periods: the same 16 documents, 778,000 µ$ / 16 = 48,625 µ$.
    let (stdout, stderr, ok) = run(&dir, &["--per", "tag:document", "--format", "json"]);
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["per_unit"]["units"], 16);
    assert_eq!(v["per_unit"]["cost_per_unit_usd"], usd(48_625));
    assert_eq!(v["per_unit"]["untagged_cost_usd"], usd(0));
    let (table, _, ok) = run(&dir, &["--per", "tag:document", "--by", "tag:feature"]);
    assert!(ok);
    assert!(table.contains("Per unit  $0.0486 per document"), "{table}");
    // Per row: chat's 308,000 µ$ over its 4 documents.
    assert!(
        table.contains("chat: $0.0770 per document (4 values"),
        "{table}"
    );
}

#[test]
fn the_compare_table_names_every_effect_and_the_total() {
    let dir = log();
    let (stdout, stderr, ok) = run(&dir, &["--compare", A, B, "--by", "tag:feature"]);
    assert!(ok, "{stderr}");
    for needle in [
        "A 2026-10-01..2026-10-06",
        "+$0.0620 (+17.3%)",
        "  cache",
        "+$0.2120",
        "  total",
        "By tag:feature",
        "summaries",
    ] {
        assert!(stdout.contains(needle), "{needle:?} in\n{stdout}");
    }
    let (csv, _, ok) = run(&dir, &["--compare", A, B, "--format", "csv"]);
    assert!(ok);
    assert!(
        csv.starts_with("group,a_usd,b_usd,delta_usd,volume,mix,cache,batch,output,input,price\n")
    );
    assert!(csv.contains("TOTAL,0.358,0.42,0.062,"), "{csv}");
}

#[test]
fn bad_periods_and_groupings_are_refused_with_a_reason() {
    let dir = log();
    let (_, stderr, ok) = run(&dir, &["--compare", "last-fortnight", B]);
    assert!(!ok);
    assert!(stderr.contains("is not a period"), "{stderr}");
    let (_, stderr, ok) = run(&dir, &["--compare", A, B, "--by", "day"]);
    assert!(!ok);
    assert!(stderr.contains("--compare"), "{stderr}");
    let (_, stderr, ok) = run(&dir, &["--per", "document"]);
    assert!(!ok);
    assert!(stderr.contains("tag:KEY"), "{stderr}");
}

#[test]
fn the_html_page_escapes_data_and_points_nowhere_outside_itself() {
    let dir = log();
    let hostile = r#"{"timestamp":"2026-10-09T13:00:00Z","model":"claude-sonnet-5","usage":{"input_tokens":10,"output_tokens":1},"tags":{"feature":"<script>alert('x')</script>","document":"\"><img src=x onerror=alert(1)>"}}"#;
    crate::support::files::append(&dir.path().join("usage.jsonl"), &format!("{hostile}\n"));
    let (html, stderr, ok) = run(
        &dir,
        &[
            "--compare",
            A,
            B,
            "--by",
            "tag:feature",
            "--per",
            "tag:document",
            "--format",
            "html",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "a tag value became markup");
    assert!(!html.contains("<img"), "a tag value became markup");
    assert!(html.contains("&lt;script&gt;"));
    let lower = html.to_lowercase();
    for reference in [
        "src=", "href=", "url(", "@import", "<link", "<iframe", "<object",
    ] {
        assert!(!lower.contains(reference), "{reference} in the page");
    }
    for section in [
        "What changed and why",
        "Spend over time",
        "The four levers",
        "Cost review",
        "Spend per document",
    ] {
        assert!(html.contains(section), "{section}");
    }
    let replay = costtop()
        .args(["replay", "--format", "html"])
        .arg(dir.path().join("usage.jsonl"))
        .output()
        .unwrap();
    let (ok, stderr) = (
        replay.status.success(),
        String::from_utf8_lossy(&replay.stderr),
    );
    assert!(!ok);
    assert!(stderr.contains("report and audit"), "{stderr}");
}

#[test]
fn the_worked_example_of_docs_reports_md_holds() {
    // docs/reports.md: search doubles its requests in B (10 more on the 12th) while Sonnet
    // 5.5's price per request falls from 3,000 µ$ to 2,000 µ$. Volume: (20 − 10) requests ×
    // the average of 3,000 and 2,000 µ$ = +25,000 µ$; price: −1,000 µ$ × the average of 10
    // and 20 requests = −15,000 µ$; together the change, 40,000 − 30,000 = +10,000 µ$.
    let dir = log();
    let mut more = String::new();
    lines(
        &mut more,
        10,
        12,
        "search",
        "claude-sonnet-5-5",
        r#"{"input_tokens":0,"output_tokens":100,"cache_read_input_tokens":10000,"cache_creation_input_tokens":0}"#,
        "standard",
    );
    crate::support::files::append(&dir.path().join("usage.jsonl"), &more);
    let c = compare_json(&dir, A, B, &["--by", "tag:feature"]);
    let search = c["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "search")
        .unwrap()
        .clone();
    assert_eq!(search["a_usd"], usd(30_000), "{search}");
    assert_eq!(search["b_usd"], usd(40_000), "{search}");
    assert_eq!(search["effects"]["volume"], usd(25_000));
    assert_eq!(search["effects"]["price"], usd(-15_000));
    for k in ["mix", "cache", "batch", "output", "input"] {
        assert_eq!(search["effects"][k], usd(0), "{k}");
    }
}
