//! `costtop check`: each exit code, the line and the JSON, budgets per session and project,
//! and the same figures from a running costtop's listener.

use serde_json::Value;

use super::{APP, Home, OTHER, SESSION_A, SESSION_B, text};
use crate::support::serve::Server;

/// `check ARGS --tz UTC`: (exit code, stdout, stderr).
fn check(home: &Home, args: &[&str]) -> (i32, String, String) {
    let out = home.run(&[&["check", "--tz", "UTC"], args].concat(), "");
    (
        out.status.code().expect("an exit code"),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("check's JSON")
}

/// A day budget `factor` times what was spent today.
fn day(spent: f64, factor: f64) -> String {
    format!("day={}", spent * factor)
}

#[test]
fn each_exit_code_says_where_the_budgets_stand() {
    let home = Home::with_usage();
    let spent = home.report_usd(&[]);
    assert!(spent > 0.0);
    let (code, line, _) = check(&home, &["--budget", &day(spent, 2.0)]);
    assert_eq!(code, 0, "{line}");
    assert!(line.starts_with("ok: day budget $"), "{line}");
    assert!(
        line.contains("(50%)") && line.contains("projected"),
        "{line}"
    );
    let (code, line, _) = check(&home, &["--budget", &day(spent, 1.1)]);
    assert_eq!(code, 1, "{line}");
    assert!(line.starts_with("warn: day budget"), "{line}");
    let (code, line, _) = check(&home, &["--budget", &day(spent, 0.5)]);
    assert_eq!(code, 2, "{line}");
    assert!(line.starts_with("exceeded: day budget"), "{line}");
    assert!(line.contains("(200%)"), "{line}");
    // The worst budget decides; JSON lists them all.
    let both = [
        "--budget",
        &day(spent, 0.5),
        "--budget",
        "month=100000",
        "--format",
        "json",
    ];
    let (code, out, _) = check(&home, &both);
    let answer = json(&out);
    assert_eq!((code, answer["exit_code"].as_i64()), (2, Some(2)));
    assert_eq!(answer["state"], "exceeded");
    assert_eq!(answer["source"], "files");
    let budgets = answer["budgets"].as_array().expect("budgets");
    assert_eq!(budgets.len(), 2);
    assert_eq!(budgets[1]["state"], "ok");
    assert!((budgets[0]["spent_usd"].as_f64().unwrap() - spent).abs() < 1e-9);
}

#[test]
fn costtop_that_cannot_tell_exits_3() {
    let home = Home::with_usage();
    // No budget at all.
    let (code, line, _) = check(&home, &[]);
    assert_eq!(code, 3);
    assert!(line.starts_with("unknown: no budget"), "{line}");
    // A broken config.
    std::fs::write(home.tmp.path().join("bad.toml"), "budgets = 3\n").unwrap();
    let (code, line, _) = check(&home, &["--config", "bad.toml", "--budget", "day=1"]);
    assert_eq!(code, 3);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("bad.toml"), "{line}");
    // Nothing to read: no transcripts and no history.
    let (code, out, _) = check(&Home::new(), &["--budget", "day=1", "--format", "json"]);
    assert_eq!(code, 3);
    assert_eq!(json(&out)["state"], "unknown");
    // A budget per session with no session to judge.
    let (code, line, _) = check(
        &home,
        &[
            "--budget",
            "day=1",
            "--scope",
            "session",
            "--session",
            "nobody",
        ],
    );
    assert_eq!(
        code, 0,
        "a session that spent nothing is under budget: {line}"
    );
}

#[test]
fn budgets_per_session_and_project_hold_only_their_spend() {
    let home = Home::with_usage();
    let a = home.report_usd(&[&home.transcript(SESSION_A, APP)]);
    let b = home.report_usd(&[&home.transcript(SESSION_B, OTHER)]);
    let spent = |args: &[&str]| {
        let (_, out, err) = check(
            &home,
            &[args, &["--budget", "day=1000", "--format", "json"]].concat(),
        );
        let answer = json(&out);
        let s = &answer["budgets"][0];
        (
            s["spent_usd"].as_f64().unwrap_or(-1.0),
            s["scope"].as_str().unwrap_or("?").to_owned(),
            err,
        )
    };
    let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
    let (got, scope, _) = spent(&["--scope", "session", "--session", SESSION_A]);
    assert!(close(got, a) && scope == "session", "{got} {a}");
    let (got, _, _) = spent(&["--scope", "project", "--project", OTHER]);
    assert!(close(got, b), "{got} {b}");
    let (got, _, _) = spent(&["--scope", "tag:git_branch=main"]);
    assert!(close(got, a + b), "{got}");
    let (got, _, _) = spent(&["--scope", "tag:git_branch=release"]);
    assert!(close(got, 0.0), "{got}");
    // A budget per session in the config: the current session's own spend.
    std::fs::write(
        home.tmp.path().join("config.toml"),
        "[[budgets]]\nname = \"per session\"\nperiod = \"day\"\nlimit_usd = 1000\nscope = \"session\"\n",
    )
    .unwrap();
    let (_, out, _) = check(
        &home,
        &[
            "--config",
            "config.toml",
            "--session",
            SESSION_B,
            "--format",
            "json",
        ],
    );
    let answer = json(&out);
    assert_eq!(answer["budgets"][0]["name"], "per session");
    assert_eq!(answer["budgets"][0]["subject"], SESSION_B);
    assert!(close(
        answer["budgets"][0]["spent_usd"].as_f64().unwrap(),
        b
    ));
}

#[test]
fn a_running_costtop_answers_with_the_same_figures() {
    let home = Home::with_usage();
    let projects = home.projects();
    let budget = ["--budget", "day=1000", "--tz", "UTC"];
    let server = Server::serve(&[&[projects.to_str().unwrap()][..], &budget].concat());
    let url = format!("http://{}", server.addr);
    let (_, remote, _) = check(
        &home,
        &["--budget", "day=1000", "--format", "json", "--url", &url],
    );
    let (_, local, _) = check(&home, &["--budget", "day=1000", "--format", "json"]);
    let (remote, local) = (json(&remote), json(&local));
    assert_eq!(remote["source"], "listener");
    assert_eq!(local["source"], "files");
    assert_eq!(
        remote["budgets"][0]["spent_usd"],
        local["budgets"][0]["spent_usd"]
    );
    assert_eq!(remote["budgets"][0]["state"], "ok");
    // A budget the listener cannot judge (an hour budget it does not keep): the files answer.
    let (_, hour, _) = check(
        &home,
        &["--budget", "hour=1000", "--format", "json", "--url", &url],
    );
    assert_eq!(json(&hour)["source"], "files");
    drop(server);
}
