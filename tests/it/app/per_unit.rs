//! `--per tag:KEY` on the demo's story: the history `costtop demo` writes to its log before
//! its tail starts (seed 7, story at 13:00 UTC on 3 November 2026; retried lines twice, as
//! the demo writes them), which is what `demo --record` records of it. The figures were
//! worked out by hand from the log, outside costtop: the records carrying a `session` tag
//! (7,469 after dropping the retried copies: chat on Sonnet 5.5, agent on Opus 5.5 and Opus
//! 5, all standard tier, none past 200k prompt tokens) priced at PRICES.md's list prices
//! (Sonnet 5.5 $2/$10/$2.50/$4/$0.10 per million input/output/5m write/1h write/read, Opus
//! 5.5 $4/$20/$5/$8/$0.20, Opus 5 $5/$25/$6.25/$10/$0.50), and their distinct sessions.

use chrono::{DateTime, Utc};
use costtop::sources::demo::{DemoFeed, Scenario};
use serde_json::Value;

use crate::support::costtop;

pub(super) fn story_log(dir: &std::path::Path) -> std::path::PathBuf {
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-03T13:00:00Z")
        .expect("valid")
        .to_utc();
    let mut text = String::new();
    for r in DemoFeed::new(Scenario::new(7, start)).due(start) {
        for _ in 0..if r.retried { 2 } else { 1 } {
            text.push_str(&r.line());
            text.push('\n');
        }
    }
    let path = dir.join("demo-usage.jsonl");
    std::fs::write(&path, text).expect("log written");
    path
}

fn report(log: &std::path::Path, args: &[&str]) -> Value {
    serde_json::from_str(&text(log, args, "json")).expect("json")
}

#[test]
fn cost_per_session_of_the_demo_story_matches_the_hand_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = story_log(dir.path());
    let snap = report(&log, &["--per", "tag:session", "--by", "tag:feature"]);
    let per = &snap["per_unit"];
    assert_eq!(per["key"], "session");
    // 1,932 sessions; their records cost $214.2942405 exactly (214,294,240.5 µ$).
    assert_eq!(per["units"], 1932);
    assert_eq!(per["cost_usd"], 214.294_240_5);
    // $214.2942405 / 1,932 = $0.110918343944…
    assert_eq!(per["cost_per_unit_usd"], 0.110_918_343_9);
    // Every other record is untagged: the total less the tagged spend.
    let total = snap["totals"]["cost_usd"].as_f64().expect("total");
    let untagged = per["untagged_cost_usd"].as_f64().expect("untagged");
    assert!(
        (total - 214.294_240_5 - untagged).abs() < 1e-9,
        "{total} {untagged}"
    );
    // Per feature: chat 1,673 sessions for $74.6539926, agent 259 for $139.6402479.
    let rows = per["rows"].as_array().expect("rows");
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no row {key}: {rows:?}"))
    };
    assert_eq!(row("chat")["units"], 1673);
    assert_eq!(row("chat")["cost_usd"], 74.653_992_6);
    assert_eq!(row("chat")["cost_per_unit_usd"], 0.044_622_828_8);
    assert_eq!(row("agent")["units"], 259);
    assert_eq!(row("agent")["cost_usd"], 139.640_247_9);
    assert_eq!(row("agent")["cost_per_unit_usd"], 0.539_151_536_3);
    assert_eq!(
        rows.len(),
        2,
        "only chat and agent carry sessions: {rows:?}"
    );

    // The table and the HTML page say the same.
    let table = text(&log, &["--per", "tag:session"], "table");
    assert!(table.contains("$0.1109 per session"), "{table}");
    let html = text(&log, &["--per", "tag:session"], "html");
    assert!(
        html.contains("$0.1109"),
        "no per-session figure in the page"
    );
    assert!(html.contains("1,932 values of tag session"));
}

pub(super) fn text(log: &std::path::Path, args: &[&str], format: &str) -> String {
    let out = costtop()
        .arg("report")
        .arg(log)
        .args(["--tz", "UTC", "--format", format])
        .args(args)
        .output()
        .expect("costtop runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
