//! A real, pinned Claude Code through the proxy, interactive in tmux (so it makes a session
//! title) with a `/compact`, while costtop also follows its transcripts: every request the
//! mock served is counted once — the conversation's (which the transcript holds too) and the
//! title and the compaction (which no transcript holds).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::claude_code::{ClaudeHome, MODEL, MockApi, MockOptions, Purpose, ids, install};
use crate::support::proxy::{API_KEY, Proxied};
use crate::terminal::Tmux;

/// Longest any step may take.
const PATIENCE: Duration = Duration::from_secs(90);

/// Pre-accepts Claude Code's first-run dialogs (onboarding, the API key, the folder's trust).
fn accept_dialogs(home: &ClaudeHome) {
    let key_suffix = &API_KEY[API_KEY.len() - 20..];
    let config = json!({
        "hasCompletedOnboarding": true,
        "customApiKeyResponses": {"approved": [key_suffix], "rejected": []},
        "projects": {home.cwd.to_string_lossy(): {"hasTrustDialogAccepted": true}},
    })
    .to_string();
    for path in [
        home.home.join(".claude.json"),
        home.config_dir.join(".claude.json"),
    ] {
        std::fs::write(path, &config).expect("write .claude.json");
    }
}

#[test]
fn claude_code_through_the_proxy_is_counted_once_titles_and_compactions_included() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let home = ClaudeHome::new();
    accept_dialogs(&home);
    let projects = home.projects().to_string_lossy().into_owned();
    let p = Proxied::with(MockApi::start(MockOptions::default()), &[&projects]);
    let command = format!(
        "sh -c 'cd {} && exec env -i HOME={} CLAUDE_CONFIG_DIR={} PATH={} TERM=xterm-256color ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={API_KEY} DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 {} --model {MODEL}'",
        home.cwd.display(),
        home.home.display(),
        home.config_dir.display(),
        std::env::var("PATH").unwrap_or_default(),
        p.base_url(),
        claude.display(),
    );
    let Some(tmux) = Tmux::start_sized(&command, 160, 50) else {
        return;
    };
    let served_of = |purpose: Purpose| {
        p.mock
            .served()
            .iter()
            .filter(|s| s.purpose == purpose)
            .count()
    };

    // An empty input line: `❯` alone (2.1.197 and 2.1.328 alike).
    tmux.wait_up_to(PATIENCE, "the prompt", |s| {
        s.lines().any(|l| l.trim() == "❯")
    });
    // Compaction needs a few turns of conversation.
    for (turn, prompt) in ["Say hello to costtop.", "And once more.", "A third time."]
        .iter()
        .enumerate()
    {
        tmux.keys(&[prompt, "Enter"]);
        tmux.wait_up_to(PATIENCE, "the answer", |s| {
            s.matches("Hello from the mock").count() > turn && served_of(Purpose::Main) > turn
        });
    }
    let deadline = Instant::now() + PATIENCE;
    while served_of(Purpose::SessionTitle) == 0 {
        assert!(
            Instant::now() < deadline,
            "no session title: {:?}",
            ids(&p.mock.served())
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = p.mock.served().len();
    tmux.keys(&["/compact", "Enter"]);
    tmux.wait_up_to(PATIENCE, "the compaction", |s| {
        s.to_lowercase().contains("compacted") && p.mock.served().len() > before
    });
    tmux.keys(&["/exit", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));

    let served = p.mock.served();
    let held = home.held(&served);
    eprintln!("served {:?}\nheld {:?}", ids(&served), ids(&held));
    assert!(
        held.len() < served.len() && !held.is_empty(),
        "the transcript holds some requests, not all: {:?}",
        ids(&held)
    );
    p.wait_totals(&served);
    // costtop has read every transcript line (the conversation's requests a second time)
    // and still counts each served request once.
    let lines: u64 = home
        .transcripts()
        .iter()
        .map(|t| std::fs::read_to_string(t).map_or(0, |s| s.lines().count() as u64))
        .sum();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let snap = p.server.snapshot();
        let read: u64 = snap["sources"].as_array().map_or(0, |s| {
            s.iter()
                .filter(|s| s["name"] != "proxy")
                .filter_map(|s| s["lines"].as_u64())
                .sum()
        });
        if read >= lines {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the transcripts' {lines} lines never read: {snap}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    p.wait_totals(&served);
}
