//! `report --format html` as a user runs it: spend over time per hour on a day's records (its
//! table the same figures as `report --by hour`, its total the headline), and the note on
//! Claude Code's compactions when no `cost-state` line was read.

use std::path::Path;

use serde_json::Value;

use super::per_unit::{story_log, text};
use super::report::COMPACTION_NOTE;

/// The rows of the page's spend-over-time table: (label, requests, spend) as written.
fn over_time_rows(html: &str) -> Vec<(String, u64, String)> {
    let section = html
        .split("<h2>Spend over time</h2>")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("a spend over time section");
    let body = section.split("<tbody>").nth(1).expect("a table");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').expect("a cell") + 1..];
                    c[..c.find("</td>").expect("a cell's end")].to_string()
                })
                .collect();
            let requests = cells[1].replace(',', "").parse().expect("requests");
            (cells[0].clone(), requests, cells[2].clone())
        })
        .collect()
}

#[test]
fn a_day_of_records_is_charted_per_hour_with_report_by_hours_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = story_log(dir.path());
    let html = text(&log, &[], "html");
    assert!(
        html.contains("One column per hour (UTC)."),
        "no hourly chart"
    );
    let mut rows = over_time_rows(&html);
    let total = rows.pop().expect("a total row");
    let json: Value = serde_json::from_str(&text(&log, &["--by", "hour"], "json")).expect("json");
    let by_hour: Vec<(String, u64, String)> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let cost = costtop::money::Money::from_usd(r["cost_usd"].as_f64().expect("cost"));
            (
                r["key"].as_str().expect("key").to_string(),
                r["requests"].as_u64().expect("requests"),
                cost.to_string(),
            )
        })
        .collect();
    // The story runs from midnight to 13:00: a row per hour, none empty, as `--by hour` has them.
    assert_eq!(rows.len(), 13, "{rows:?}");
    assert_eq!(rows, by_hour);
    // The total row is the headline.
    let table = text(&log, &[], "table");
    assert_eq!(total.0, "Total");
    let headline =
        costtop::money::Money::from_usd(json["totals"]["cost_usd"].as_f64().expect("total"));
    assert_eq!(total.2, headline.to_string());
    assert!(table.contains(&total.2), "{table}");
}

/// Claude Code 2.1.328's session without its `cost-state` line: a compaction recorded, no
/// estimate of Claude Code's read.
#[test]
fn compactions_are_said_with_the_sources_without_claude_codes_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("-home-dev-api");
    std::fs::create_dir_all(&project).expect("project dir");
    let session = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-2.1.328/session.jsonl"),
    )
    .expect("fixture");
    let without: Vec<&str> = session
        .lines()
        .filter(|l| !l.contains(r#""type":"cost-state""#))
        .collect();
    assert!(
        without.len() < session.lines().count(),
        "no cost-state line left out"
    );
    std::fs::write(project.join("s.jsonl"), without.join("\n") + "\n").expect("transcript");

    let table = text(dir.path(), &[], "table");
    assert!(!table.contains("Claude Code's estimate"), "{table}");
    assert!(table.contains(COMPACTION_NOTE), "{table}");
    assert_eq!(table.matches("compaction").count(), 1, "{table}");
    let html = text(dir.path(), &[], "html");
    assert!(
        html.contains("1 compaction: its summary request is billed but in no transcript"),
        "no compaction note in the page"
    );
}
