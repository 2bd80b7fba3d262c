//! `costtop hook` fed Claude Code's hook input: allow under every budget, warn near one,
//! block a prompt or a tool call over one with the reason, and allow (saying why on stderr)
//! whatever goes wrong of its own.

use serde_json::{Value, json};

use super::{APP, Home, OTHER, SESSION_A, SESSION_B, text};

/// Claude Code's input for `event` in session `session` of `project`.
pub(super) fn input(home: &Home, event: &str, session: &str, project: &str) -> String {
    let mut v = json!({
        "session_id": session,
        "transcript_path": home.transcript(session, project),
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": event,
    });
    match event {
        "UserPromptSubmit" => v["prompt"] = json!("Refactor the parser"),
        "PreToolUse" => {
            v["tool_name"] = json!("Bash");
            v["tool_input"] = json!({"command": "cargo test"});
        }
        "SessionStart" => v["source"] = json!("startup"),
        _ => {}
    }
    v.to_string()
}

/// `costtop hook ARGS --tz UTC` with `stdin`: (stdout as JSON or `Null`, stderr); asserts it
/// exits 0 whatever happens.
fn hook(home: &Home, args: &[&str], stdin: &str) -> (Value, String) {
    let out = home.run(&[&["hook", "--tz", "UTC"], args].concat(), stdin);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let answer = if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).expect("the answer is JSON")
    };
    (answer, text(&out.stderr))
}

#[test]
fn a_prompt_runs_under_budget_is_warned_near_it_and_blocked_over_it() {
    let home = Home::with_usage();
    let spent = home.report_usd(&[]);
    let prompt = input(&home, "UserPromptSubmit", SESSION_A, APP);
    let budget = |factor: f64| format!("day={}", spent * factor);
    let (answer, _) = hook(&home, &["--budget", &budget(2.0)], &prompt);
    assert_eq!(answer, Value::Null, "allowed silently");
    let (answer, _) = hook(&home, &["--budget", &budget(1.1)], &prompt);
    let message = answer["systemMessage"].as_str().expect("a warning");
    assert!(
        message.starts_with("costtop: warn: day budget"),
        "{message}"
    );
    assert!(answer.get("decision").is_none());
    let (answer, _) = hook(&home, &["--budget", &budget(0.5)], &prompt);
    assert_eq!(answer["decision"], "block");
    let reason = answer["reason"].as_str().expect("a reason");
    assert!(
        reason.starts_with("costtop: exceeded: day budget $"),
        "{reason}"
    );
}

#[test]
fn a_tool_call_is_denied_over_budget_and_a_new_session_is_told() {
    let home = Home::with_usage();
    let over = ["--budget", "day=0.01"];
    let (answer, _) = hook(&home, &over, &input(&home, "PreToolUse", SESSION_A, APP));
    let out = &answer["hookSpecificOutput"];
    assert_eq!(out["hookEventName"], "PreToolUse");
    assert_eq!(out["permissionDecision"], "deny");
    assert!(
        out["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("exceeded")
    );
    let (answer, _) = hook(&home, &over, &input(&home, "SessionStart", SESSION_A, APP));
    assert!(
        answer["systemMessage"]
            .as_str()
            .unwrap()
            .contains("exceeded")
    );
    // Near a limit a tool call is not interrupted by warnings.
    let spent = home.report_usd(&[]);
    let near = format!("day={}", spent * 1.1);
    let (answer, _) = hook(
        &home,
        &["--budget", &near],
        &input(&home, "PreToolUse", SESSION_A, APP),
    );
    assert_eq!(answer, Value::Null);
    // Events costtop does not answer are allowed.
    let (answer, _) = hook(&home, &over, &input(&home, "Stop", SESSION_A, APP));
    assert_eq!(answer, Value::Null);
}

#[test]
fn a_budget_per_session_blocks_only_the_session_over_it() {
    let home = Home::with_usage();
    let a = home.report_usd(&[&home.transcript(SESSION_A, APP)]);
    let b = home.report_usd(&[&home.transcript(SESSION_B, OTHER)]);
    assert!(b > a, "session B spends more ({b} vs {a})");
    let limit = f64::midpoint(a, b);
    std::fs::write(
        home.tmp.path().join("config.toml"),
        format!("[[budgets]]\nname = \"per session\"\nperiod = \"day\"\nlimit_usd = {limit}\nscope = \"session\"\n"),
    )
    .unwrap();
    let config = ["--config", "config.toml"];
    let (answer, _) = hook(
        &home,
        &config,
        &input(&home, "UserPromptSubmit", SESSION_B, OTHER),
    );
    assert_eq!(answer["decision"], "block", "{answer}");
    assert!(answer["reason"].as_str().unwrap().contains(SESSION_B));
    let (answer, _) = hook(
        &home,
        &config,
        &input(&home, "UserPromptSubmit", SESSION_A, APP),
    );
    assert!(answer.get("decision").is_none(), "{answer}");
}

#[test]
fn whatever_goes_wrong_the_prompt_runs_and_stderr_says_why() {
    let home = Home::with_usage();
    let prompt = input(&home, "UserPromptSubmit", SESSION_A, APP);
    for bad in ["", "not json", "[1, 2]", "{\"prompt\": \"no event name\"}"] {
        let (answer, err) = hook(&home, &["--budget", "day=0.01"], bad);
        assert_eq!(answer, Value::Null, "{bad:?}");
        assert!(
            err.contains("not Claude Code's hook JSON") && err.contains("allowing"),
            "{err}"
        );
    }
    std::fs::write(home.tmp.path().join("bad.toml"), "[[budgets]]\nname = 3\n").unwrap();
    let (answer, err) = hook(
        &home,
        &["--config", "bad.toml", "--budget", "day=0.01"],
        &prompt,
    );
    assert_eq!(answer, Value::Null);
    assert!(
        err.contains("bad.toml") && err.contains("allowing"),
        "{err}"
    );
    let (answer, err) = hook(&home, &[], &prompt);
    assert_eq!(answer, Value::Null);
    assert!(err.contains("no budget"), "{err}");
    let empty = Home::new();
    let nothing = input(&empty, "UserPromptSubmit", SESSION_A, APP);
    let (answer, err) = hook(&empty, &["--budget", "day=0.01"], &nothing);
    assert_eq!(answer, Value::Null);
    assert!(err.contains("nothing to read"), "{err}");
}

#[test]
fn print_settings_gives_the_snippet_for_three_events() {
    let home = Home::new();
    let out = home.run(&["hook", "--print-settings", "--budget", "day=20"], "");
    assert!(out.status.success());
    let settings: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for event in ["SessionStart", "UserPromptSubmit", "PreToolUse"] {
        let command = settings["hooks"][event][0]["hooks"][0]["command"]
            .as_str()
            .expect("a command");
        assert!(
            command.contains(" hook ") && command.ends_with("--budget day=20 --url off"),
            "{command}"
        );
    }
}
