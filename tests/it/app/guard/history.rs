//! The history as a user meets it: `report`, `watch` and `check` unchanged once Claude Code's
//! cleanup deleted the transcripts, `costtop history` (size, range, `--export`,
//! `--prune-before`), and a damaged history read around, reported and put aside.

use serde_json::Value;

use super::{APP, Home, SESSION_A, recent, text};

fn report(home: &Home) -> Value {
    let out = home
        .costtop()
        .args(["report", "--format", "json", "--tz", "UTC"])
        .output()
        .expect("report");
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn month_spent(home: &Home) -> Value {
    let out = home.run(
        &[
            "check",
            "--tz",
            "UTC",
            "--budget",
            "month=100000",
            "--format",
            "json",
        ],
        "",
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("check JSON");
    answer["budgets"][0]["spent_usd"].clone()
}

fn watched_month(home: &Home) -> Value {
    let out = home
        .costtop()
        .args(["watch", "--once", "--window", "month", "--tz", "UTC"])
        .output()
        .expect("watch");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let snap: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    snap["spend"]["month_usd"].clone()
}

#[test]
fn report_watch_and_the_month_budget_outlive_deleted_transcripts() {
    let home = Home::with_usage();
    let before = report(&home);
    let (month, watched) = (month_spent(&home), watched_month(&home));
    assert!(before["totals"]["requests"].as_u64() == Some(5));
    assert!(home.history().exists(), "the history was written");
    // Claude Code's cleanup deletes old transcripts.
    std::fs::remove_dir_all(home.projects()).unwrap();
    let after = report(&home);
    assert_eq!(after["totals"], before["totals"]);
    assert_eq!(month_spent(&home), month);
    assert_eq!(watched_month(&home), watched);
    // A new request is counted beside the history's.
    home.write(SESSION_A, APP, &[9], recent());
    assert_eq!(report(&home)["totals"]["requests"], 6);
}

#[test]
fn history_shows_its_range_exports_every_record_once_and_prunes() {
    let home = Home::with_usage();
    let before = report(&home);
    report(&home); // a second run writes nothing new
    let out = home.run(&["history", "--tz", "UTC"], "");
    let shown = text(&out.stdout);
    assert!(shown.contains("records  5 (5 requests"), "{shown}");
    assert!(shown.contains("damage   none"), "{shown}");
    let export = home.tmp.path().join("export.jsonl");
    let out = home.run(&["history", "--export", export.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&export).unwrap().lines().count(), 5);
    let exported = home.report_usd(&[&export]);
    assert!((exported - before["totals"]["cost_usd"].as_f64().unwrap()).abs() < 1e-12);
    let out = home.run(&["history", "--prune-before", "2999-01-01"], "");
    assert!(
        text(&out.stdout).starts_with("Dropped 5 records"),
        "{}",
        text(&out.stdout)
    );
    let out = home.run(&["history"], "");
    assert!(
        text(&out.stdout).contains("records  0"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_damaged_history_is_read_around_reported_and_put_aside() {
    let home = Home::with_usage();
    report(&home);
    home.write(SESSION_A, APP, &[7, 8], recent());
    report(&home); // a second block
    let mut bytes = std::fs::read(home.history()).unwrap();
    bytes[40] ^= 0x5a; // inside the first block's header
    std::fs::write(home.history(), &bytes).unwrap();
    let out = home
        .costtop()
        .args(["report", "--format", "json"])
        .output()
        .expect("report");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("damaged") && err.contains("put aside"),
        "{err}"
    );
    // The transcripts are still there: nothing is missing.
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["totals"]["requests"], 7);
    let aside: Vec<_> = std::fs::read_dir(home.history().parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "the damaged block is kept aside");
    let shown = text(&home.run(&["history"], "").stdout);
    assert!(shown.contains("damage   none"), "{shown}");
    // The history that is left, and what the run wrote back, hold every request.
    std::fs::remove_dir_all(home.projects()).unwrap();
    assert_eq!(report(&home)["totals"]["requests"], 7);
}

#[test]
fn a_file_that_is_not_a_history_is_left_alone_and_said() {
    let home = Home::with_usage();
    std::fs::create_dir_all(home.history().parent().unwrap()).unwrap();
    std::fs::write(home.history(), "my notes\n").unwrap();
    let out = home
        .costtop()
        .args(["report", "--format", "json"])
        .output()
        .expect("report");
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("not a costtop history"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(home.history()).unwrap(),
        "my notes\n"
    );
}
