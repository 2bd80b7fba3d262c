//! `check --admin-api` and `hook --admin-api` against the mock organisation: each of its
//! spend limits judged beside the budgets (0 under, 1 at `warn_at`, 2 over), a refused key
//! that leaves the rest judged, a running costtop's snapshot used instead of a second API
//! call, and a hook that blocks over an org limit and allows when the API is down.

use std::sync::Arc;

use serde_json::Value;

use super::{APP, Home, SESSION_A, text};
use crate::support::org_api::data::MockData;
use crate::support::org_api::{EFFECTIVE, OrgApi, demo};
use crate::support::serve::{Server, free_port};

const KEY: &str = "sk-ant-admin01-GUARD-CANARY-51c0de";
/// A key the mock refuses (401).
const WRONG: &str = "sk-ant-admin01-WRONG-KEY-77";

/// Alice's monthly org limit of $100 with `cents` spent, served with `KEY`.
async fn org(cents: &str) -> OrgApi {
    let data = MockData {
        effective: vec![demo::effective_alice(cents)],
        ..MockData::default()
    };
    OrgApi::start(KEY, data).await
}

fn set_spent(api: &OrgApi, cents: &str) {
    api.mock.data.lock().unwrap().effective = vec![demo::effective_alice(cents)];
}

/// `costtop ARGS --tz UTC` with `key` as the admin key: (exit code, stdout, stderr), and the
/// key in neither.
fn run(home: &Home, key: &str, args: &[&str], stdin: &str) -> (i32, String, String) {
    let args = [args, &["--tz", "UTC"]].concat();
    let out = home.run_with(&args, stdin, &[("ANTHROPIC_ADMIN_KEY", key)]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        !stdout.contains(key) && !stderr.contains(key),
        "{stdout}\n{stderr}"
    );
    (out.status.code().expect("an exit code"), stdout, stderr)
}

/// `costtop COMMAND --admin-api --api-base BASE ARGS` with `key`, as [`run`].
fn with_org(
    home: &Home,
    key: &str,
    command: &str,
    base: &str,
    args: &[&str],
    stdin: &str,
) -> (i32, String, String) {
    let head = [command, "--admin-api", "--api-base", base];
    run(home, key, &[&head[..], args].concat(), stdin)
}

/// Runs blocking `f` off the runtime that serves the mock.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_org_limit_is_judged_as_a_budget() {
    let api = org("5000").await;
    let home = Arc::new(Home::new());
    let base = api.base.clone();
    let check = move |home: &Home, extra: &[&str]| with_org(home, KEY, "check", &base, extra, "");
    std::fs::write(
        home.tmp.path().join("late.toml"),
        "[spend_limits]\nwarn_at = 0.9\n",
    )
    .unwrap();
    let alice = "org limit \"user alice@example.com\" monthly";
    // (cents spent, extra arguments, exit code, the line's start)
    let cases: [(&str, &[&str], i32, String); 3] = [
        (
            "5000",
            &[],
            0,
            format!("ok: {alice} $50.00 of $100.00 (50%)"),
        ),
        (
            "8500",
            &[],
            1,
            format!("warn: {alice} $85.00 of $100.00 (85%)"),
        ),
        // `[spend_limits] warn_at` moves the warning.
        (
            "8500",
            &["--config", "late.toml"],
            0,
            format!("ok: {alice} $85.00"),
        ),
    ];
    for (cents, extra, want, start) in cases {
        set_spent(&api, cents);
        let (h, c) = (Arc::clone(&home), check.clone());
        let (code, line, _) = blocking(move || c(&h, extra)).await;
        assert_eq!(code, want, "{line}");
        assert!(line.starts_with(&start), "{line}");
    }
    set_spent(&api, "10500");
    let (h, c) = (Arc::clone(&home), check.clone());
    let (code, out, _) = blocking(move || c(&h, &["--format", "json"])).await;
    assert_eq!(code, 2, "{out}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["source"], "admin-api");
    let limit = &answer["budgets"][0];
    assert_eq!(limit["kind"], "spend_limit");
    assert_eq!(limit["state"], "exceeded");
    assert_eq!(
        (limit["spent_usd"].as_f64(), limit["limit_usd"].as_f64()),
        (Some(105.0), Some(100.0))
    );
    assert_eq!(limit["spent_source"], "anthropic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_limits_stand_beside_the_budgets_and_the_worst_wins() {
    let api = org("8500").await;
    let home = Arc::new(Home::with_usage());
    let spent = blocking({
        let home = Arc::clone(&home);
        move || home.report_usd(&[])
    })
    .await;
    let base = api.base.clone();
    let day = format!("day={}", spent * 2.0);
    let (code, out, _) = blocking(move || {
        let args = ["--budget", &day, "--format", "json"];
        with_org(&home, KEY, "check", &base, &args, "")
    })
    .await;
    assert_eq!(code, 1, "the org limit at 85% decides: {out}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = answer["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["budget", "spend_limit"]);
    assert_eq!(answer["budgets"][0]["state"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_leaves_the_rest_judged_and_says_why() {
    let api = org("10500").await;
    let home = Arc::new(Home::with_usage());
    let base = api.base.clone();
    let (code, line, err) = blocking({
        let home = Arc::clone(&home);
        move || {
            with_org(
                &home,
                WRONG,
                "check",
                &base,
                &["--budget", "day=100000"],
                "",
            )
        }
    })
    .await;
    assert_eq!(code, 0, "the day budget is judged: {line}\n{err}");
    assert!(line.starts_with("ok: day budget"), "{line}");
    assert!(
        err.contains("org spend limits not read: admin key rejected (HTTP 401)"),
        "{err}"
    );
    // Nothing else to judge: it cannot tell.
    let base = api.base.clone();
    let (code, line, _) = blocking(move || with_org(&home, WRONG, "check", &base, &[], "")).await;
    assert_eq!(code, 3, "{line}");
    assert!(
        line.starts_with("unknown: org spend limits not read: admin key rejected (HTTP 401)"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_costtop_with_the_admin_api_answers_for_the_org() {
    let api = org("8500").await;
    let base = api.base.clone();
    let server = blocking(move || {
        let server = Server::start_with(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--admin-api",
                "--api-base",
                &base,
            ],
            &[("ANTHROPIC_ADMIN_KEY", KEY)],
        )
        .expect("costtop serve starts");
        server.wait_snapshot("the org's spend limits", |s| {
            s["org"]["spend_limits"]
                .as_array()
                .is_some_and(|l| !l.is_empty())
        });
        server
    })
    .await;
    let url = format!("http://{}", server.addr);
    let hits = api.hits(EFFECTIVE).len();
    // A wrong key here: only the listener's snapshot can answer.
    let (code, out, err) = blocking(move || {
        let home = Home::new();
        let args = ["check", "--admin-api", "--url", &url, "--format", "json"];
        run(&home, WRONG, &args, "")
    })
    .await;
    assert_eq!(code, 1, "{out}\n{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["source"], "listener");
    assert_eq!(answer["budgets"][0]["spent_usd"], 85.0);
    assert!(answer.get("problems").is_none(), "{answer}");
    assert_eq!(api.hits(EFFECTIVE).len(), hits, "no second API call");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_blocks_over_an_org_limit_and_allows_when_the_api_is_down() {
    let api = org("10500").await;
    let home = Arc::new(Home::with_usage());
    let prompt = super::hook::input(&home, "UserPromptSubmit", SESSION_A, APP);
    let hook = |base: String| {
        let (home, prompt) = (Arc::clone(&home), prompt.clone());
        let budget = ["--budget", "day=100000"];
        blocking(move || with_org(&home, KEY, "hook", &base, &budget, &prompt))
    };
    let (code, out, _) = hook(api.base.clone()).await;
    assert_eq!(code, 0);
    let answer: Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(answer["decision"], "block");
    let reason = answer["reason"].as_str().unwrap();
    assert!(
        reason.contains("org limit \"user alice@example.com\""),
        "{reason}"
    );
    // Nobody listens at the API's address: the prompt runs, and stderr says why.
    let (code, out, err) = hook(format!("http://127.0.0.1:{}", free_port())).await;
    assert_eq!(code, 0);
    assert!(out.trim().is_empty(), "allowed silently: {out}");
    assert!(err.contains("org spend limits not read"), "{err}");
}
