//! `--resume ID --fork-session` with the real Claude Code 2.1.328: the fork's file repeats the
//! parent's lines byte for byte but for `sessionId`. `report --by session` attributes each
//! request to the session that made it in every run (the reader threads reach the two files in
//! any order), and the sum of Claude Code's own estimates is not inflated by the parent's spend
//! that the fork's `cost-state` includes.

use crate::support::claude_code::{
    ClaudeHome, MockApi, MockOptions, expected_cost, ids, install, report_json,
};

/// Runs of `report --by session` that must all agree.
const RUNS: usize = 50;

#[test]
fn a_forked_session_is_reported_the_same_way_every_run_and_its_estimate_not_inflated() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    home.print(&claude, &mock, "First question.", &[]);
    home.print(&claude, &mock, "Second question.", &["--continue"]);
    let parent = home.sessions().pop().expect("the parent session");
    let before_fork = home.held(&mock.served());
    let args = ["--resume", parent.as_str(), "--fork-session"];
    home.print(&claude, &mock, "Third question, in a fork.", &args);
    let sessions = home.sessions();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let fork = sessions
        .iter()
        .find(|s| **s != parent)
        .expect("the fork")
        .clone();
    let held = home.held(&mock.served());
    assert!(
        home.mentions(&mock.served()).iter().any(|(_, n)| *n > 1),
        "the fork repeats no request, so this test proves nothing"
    );
    eprintln!("held {:?}", ids(&held));

    let first = report_json(&home.projects(), &["--by", "session"]);
    for run in 1..RUNS {
        let again = report_json(&home.projects(), &["--by", "session"]);
        assert_eq!(again["rows"], first["rows"], "run {run} differs");
    }
    let row = |session: &str| {
        first["rows"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["key"] == session))
            .unwrap_or_else(|| panic!("no row for {session}: {first}"))
            .clone()
    };
    // The parent made every request it held before the fork; the fork only its own.
    let parents: Vec<_> = before_fork.clone();
    let forks: Vec<_> = held
        .iter()
        .filter(|s| !before_fork.iter().any(|b| b.request_id == s.request_id))
        .cloned()
        .collect();
    assert_eq!(row(&parent)["requests"], parents.len(), "{first}");
    assert_eq!(
        row(&parent)["cost_usd"],
        serde_json::json!(expected_cost(&parents))
    );
    assert_eq!(row(&fork)["requests"], forks.len(), "{first}");
    assert_eq!(
        row(&fork)["cost_usd"],
        serde_json::json!(expected_cost(&forks))
    );

    // Claude Code's estimates, summed over the sessions, equal what was served (its own
    // prices are list prices): the fork's inherited share is not counted twice.
    let estimates = &first["claude_code_estimates"];
    let estimate = estimates["estimate_usd"].as_f64().expect("an estimate");
    let cost = expected_cost(&held).usd();
    assert!(
        (estimate - cost).abs() < 1e-6,
        "estimates sum to {estimate}, served {cost}: {estimates}"
    );
    assert_eq!(
        estimates["coverage"]["not_in_transcripts"]
            .as_array()
            .map_or(0, Vec::len),
        0,
        "no false 'not in any transcript line' note: {estimates}"
    );
}
