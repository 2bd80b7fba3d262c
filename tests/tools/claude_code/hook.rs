//! `costtop hook` in a real, pinned Claude Code against the mock Messages API: with the
//! settings `costtop hook --print-settings` prints, prompts run while the day's spend is under
//! the budget; once what the mock served crossed it, the next prompt is blocked before any
//! request, and the reason is shown. A broken config or a missing costtop never stops a
//! prompt.

use std::path::Path;

use serde_json::Value;

use crate::support::claude_code::home::{RUN_TIMEOUT, finish};
use crate::support::claude_code::{ClaudeHome, MockApi, MockOptions, expected_cost, install};
use crate::support::costtop;

/// The settings `costtop hook --print-settings ARGS` prints, with the binary under test.
fn settings(args: &[&str]) -> Value {
    let out = costtop()
        .args(["hook", "--print-settings", "--url", "off", "--tz", "UTC"])
        .args(args)
        .output()
        .expect("print the settings");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("settings JSON")
}

fn install_hooks(home: &ClaudeHome, settings: &Value) {
    std::fs::write(
        home.config_dir.join("settings.json"),
        serde_json::to_string_pretty(settings).expect("JSON"),
    )
    .expect("write settings.json");
}

/// `claude -p PROMPT`: (success, stdout + stderr).
fn prompt(home: &ClaudeHome, claude: &Path, mock: &MockApi, text: &str) -> (bool, String) {
    let out = finish(home.spawn_print(claude, mock, text, &[]), RUN_TIMEOUT);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn a_prompt_over_the_day_budget_is_blocked_with_the_reason() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    // A first prompt, to learn what one costs at the mock's prices.
    let (ran, said) = prompt(&home, &claude, &mock, "Say hello.");
    assert!(ran, "{said}");
    let one = expected_cost(&mock.served());
    // A budget of one and a half prompts: the next prompt runs (the day's spend is under it),
    // and prompts run until what was served crosses it.
    let limit = one.usd() * 1.5;
    install_hooks(&home, &settings(&["--budget", &format!("day={limit}")]));
    let mut runs = 0;
    while expected_cost(&mock.served()).usd() < limit {
        let (ran, said) = prompt(&home, &claude, &mock, "Say hello again.");
        assert!(ran, "a prompt under the budget must run: {said}");
        runs += 1;
        assert!(runs < 5, "the budget was never crossed");
    }
    let served = mock.served().len();
    let (_, said) = prompt(&home, &claude, &mock, "One more, please.");
    eprintln!("blocked run said: {said}");
    assert_eq!(
        mock.served().len(),
        served,
        "a blocked prompt reaches no API"
    );
    assert!(
        said.contains("costtop: exceeded: day budget"),
        "the reason is shown: {said}"
    );
}

#[test]
fn a_broken_config_or_a_missing_costtop_never_stops_a_prompt() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    prompt(&home, &claude, &mock, "Spend a little.");
    // Far over this budget, but the config cannot be read: the hook allows.
    let broken = home.home.join("broken.toml");
    std::fs::write(&broken, "[[budgets]]\nlimit_usd = \"lots\"\n").expect("write config");
    let over = [
        "--budget",
        "day=0.000001",
        "--config",
        broken.to_str().expect("UTF-8"),
    ];
    install_hooks(&home, &settings(&over));
    let served = mock.served().len();
    let (ran, said) = prompt(&home, &claude, &mock, "Still here?");
    assert!(ran, "{said}");
    assert!(mock.served().len() > served, "the prompt reached the API");
    // The settings name a costtop that is not there.
    let text = settings(&["--budget", "day=0.000001"]).to_string();
    let program = env!("CARGO_BIN_EXE_costtop");
    let missing: Value = serde_json::from_str(&text.replace(program, "/nonexistent/costtop"))
        .expect("settings JSON");
    install_hooks(&home, &missing);
    let served = mock.served().len();
    let (ran, said) = prompt(&home, &claude, &mock, "And now?");
    assert!(ran, "{said}");
    assert!(mock.served().len() > served, "the prompt reached the API");
}
