//! `--admin-api` as a user runs it against the mock organisation: `report --by actor` with
//! Claude Code's estimate beside costtop's figures, the organisation's sections, the JSON;
//! and the mock served on its own for looking at the dashboard by hand.

use std::path::Path;

use crate::support::costtop;
use crate::support::org_api::{OrgApi, demo};

const KEY: &str = "sk-ant-admin01-APP-CANARY-9d2e41";

fn report(base: &str, home: &Path, args: &[&str]) -> String {
    let out = costtop()
        .args(["report", "--admin-api", "--api-base", base, "--since", "1h"])
        .args(args)
        .env("ANTHROPIC_ADMIN_KEY", KEY)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_by_actor_puts_claude_codes_estimate_beside_costtops() {
    let api = OrgApi::start(KEY, demo::small_org()).await;
    let home = tempfile::tempdir().unwrap();
    let base = api.base.clone();
    let text = tokio::task::spawn_blocking({
        let home = home.path().to_owned();
        move || report(&base, &home, &["--by", "actor"])
    })
    .await
    .unwrap();
    let header = text.lines().find(|l| l.starts_with("ACTOR")).expect(&text);
    assert!(header.ends_with("CLAUDE CODE EST."), "{header}");
    let alice = text
        .lines()
        .find(|l| l.starts_with("alice@example.com"))
        .expect(&text);
    assert!(
        alice.contains("$0.0800") && alice.ends_with("$10.25"),
        "{alice}"
    );
    let ci = text.lines().find(|l| l.starts_with("ci-bot")).expect(&text);
    assert!(ci.contains("$0.007500") && ci.ends_with("$0.0100"), "{ci}");
    for section in [
        "Spend limits (Anthropic's, UTC periods)",
        "Rate limits (configured; used: the latest minute with data)",
        "Claude Code Analytics",
        "Usage & Cost Analytics API (beta)",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    assert!(
        text.contains("  Claude Opus 4.x input_tokens_per_minute: 75% of 4.0k"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_json_has_the_org_section_and_rows_by_workspace() {
    let api = OrgApi::start(KEY, demo::small_org()).await;
    let home = tempfile::tempdir().unwrap();
    let base = api.base.clone();
    let text = tokio::task::spawn_blocking({
        let home = home.path().to_owned();
        move || report(&base, &home, &["--by", "workspace", "--format", "json"])
    })
    .await
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["rows"][0]["key"], "Engineering");
    assert_eq!(json["rows"][0]["cost_usd"], 0.1025);
    assert_eq!(json["org"]["spend_limits"][0]["spent_usd"], 70.0);
    assert_eq!(json["org"]["claude_code"][0]["estimate_usd"], 10.25);
    assert_eq!(json["org"]["rate_limits"][0]["used"], 3000);
    let source = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "admin-api")
        .unwrap();
    assert_eq!(source["note"], "Usage & Cost Analytics API (beta)");
}

/// Serves the busy mock organisation until interrupted, for looking at the dashboard by hand:
/// `COSTTOP_MOCK_PORT=8787 cargo test --test it serve_the_mock_organisation -- --ignored
/// --nocapture`, then `ANTHROPIC_ADMIN_KEY=sk-ant-admin01-mock costtop --admin-api
/// --api-base http://127.0.0.1:8787`.
#[tokio::test]
#[ignore = "serves until interrupted; run by hand"]
async fn serve_the_mock_organisation() {
    let port = std::env::var("COSTTOP_MOCK_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let api = OrgApi::start_on(port, "sk-ant-admin01-mock", demo::busy_org()).await;
    println!(
        "mock organisation on {} (key sk-ant-admin01-mock)",
        api.base
    );
    std::future::pending::<()>().await;
}
