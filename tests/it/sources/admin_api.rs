//! The Admin API source against a real HTTP server: pagination, faults, revisions, the
//! rejected key, secrecy of the key, and the cost report.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use costtop::pricing::Money;
use costtop::sources::admin_api::{AdminKey, spawn_admin_api};
use costtop::usage::SourceState;
use tokio::sync::mpsc;

use crate::support::admin::{
    self, COST_PATH, Collected, Reply, TestServer, USAGE_PATH, collect_until, fast_options, page,
    recent_minute, row,
};

const KEY: &str = "sk-ant-admin01-CANARY-5c1d7e9a";

fn key() -> AdminKey {
    AdminKey::resolve(Some(KEY.to_owned()), None).unwrap()
}

fn one_bucket(output: u64) -> String {
    page(
        &[(
            recent_minute(3),
            vec![row("claude-sonnet-4-5", "standard", 1000, output)],
        )],
        None,
    )
}

#[tokio::test]
async fn pages_are_joined_through_next_page() {
    let (t0, t1) = (recent_minute(4), recent_minute(3));
    let server = TestServer::start(move |hit, _| match hit.param("page") {
        None => Reply::json(page(
            &[(t0, vec![row("claude-sonnet-4-5", "standard", 1000, 200)])],
            Some("page_two"),
        )),
        Some("page_two") => Reply::json(page(
            &[(t1, vec![row("claude-haiku-4-5", "batch", 3000, 400)])],
            None,
        )),
        Some(_) => Reply::status(400),
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| c.caught_up).await;
    task.abort();

    let totals = got.totals();
    assert_eq!((totals.input, totals.output), (4000, 600));
    let hits = server.hits(USAGE_PATH);
    let second = hits.iter().find(|h| h.param("page") == Some("page_two"));
    let second = second.expect("the next_page token came back as `page`");
    assert_eq!(second.param("starting_at"), hits[0].param("starting_at"));
    assert_eq!(hits[0].param("bucket_width"), Some("1m"));
    assert_eq!(hits[0].param("limit"), Some("1440"));
    let groups: Vec<&str> = hits[0]
        .query
        .iter()
        .filter(|(k, _)| k == "group_by[]")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        groups,
        [
            "model",
            "service_tier",
            "context_window",
            "inference_geo",
            "workspace_id",
            "api_key_id",
            "speed"
        ]
    );
    assert_eq!(hits[0].beta.as_deref(), Some("fast-mode-2026-02-01"));
    assert_eq!(hits[0].version.as_deref(), Some("2023-06-01"));
    assert_eq!(hits[0].api_key.as_deref(), Some(KEY));
}

#[tokio::test]
async fn rate_limit_honours_retry_after_and_goes_stale_not_error() {
    let server = TestServer::start(|_, n| {
        if n == 0 {
            let mut reply = Reply::status(429);
            reply.headers.push(("retry-after", "1".to_owned()));
            reply
        } else {
            Reply::json(one_bucket(50))
        }
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| c.caught_up).await;
    task.abort();

    let hits = server.hits(USAGE_PATH);
    let waited = hits[1].at - hits[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
    assert!(got.reasons().is_empty(), "{:?}", got.reasons());
    assert!(got.health.iter().any(|h| h.state == SourceState::Stale));
    assert_eq!(got.health.last().unwrap().state, SourceState::Ok);
    assert_eq!(got.totals().output, 50);
}

#[tokio::test]
async fn server_error_backs_off_then_succeeds() {
    let server = TestServer::start(|_, n| {
        if n == 0 {
            Reply::status(500)
        } else {
            Reply::json(one_bucket(70))
        }
    })
    .await;
    let mut opts = fast_options(&server.base);
    opts.backoff_start = Duration::from_millis(400);
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(opts, key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| c.caught_up).await;
    task.abort();

    let hits = server.hits(USAGE_PATH);
    let waited = hits[1].at - hits[0].at;
    assert!(
        waited >= Duration::from_millis(190),
        "retried after {waited:?}"
    );
    assert_eq!(got.reasons(), ["server error (HTTP 500)"]);
    assert_eq!(got.health.last().unwrap().state, SourceState::Ok);
    assert_eq!(got.totals().output, 70);
}

#[tokio::test]
async fn slow_response_times_out_and_is_retried() {
    let server = TestServer::start(|_, n| {
        let mut reply = Reply::json(one_bucket(80));
        if n == 0 {
            reply.delay = Duration::from_secs(3);
        }
        reply
    })
    .await;
    let mut opts = fast_options(&server.base);
    opts.request_timeout = Duration::from_millis(300);
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(opts, key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| c.caught_up).await;
    task.abort();

    let hits = server.hits(USAGE_PATH);
    assert!(hits[1].at - hits[0].at < Duration::from_millis(1500));
    assert_eq!(got.reasons(), ["request timed out"]);
    assert_eq!(got.totals().output, 80);
}

#[tokio::test]
async fn bad_json_and_schema_mismatch_are_reported_then_recovered() {
    let phase = Arc::new(AtomicUsize::new(0));
    let script_phase = phase.clone();
    let server = TestServer::start(move |_, _| match script_phase.load(Ordering::SeqCst) {
        0 => Reply::json("{not json".to_owned()),
        1 => Reply::json(one_bucket(5).replace("\"output_tokens\"", "\"output_tokenz\"")),
        _ => Reply::json(one_bucket(90)),
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| !c.reasons().is_empty()).await;
    assert!(
        got.reasons()[0].starts_with("unexpected response: "),
        "{:?}",
        got.reasons()
    );

    phase.store(1, Ordering::SeqCst);
    collect_until(&mut rx, &mut got, |c| {
        c.reasons()
            .iter()
            .any(|r| r.contains("missing field `output_tokens`"))
    })
    .await;
    assert!(got.events.is_empty() && !got.caught_up);

    phase.store(2, Ordering::SeqCst);
    collect_until(&mut rx, &mut got, |c| c.caught_up).await;
    task.abort();
    assert_eq!(got.health.last().unwrap().state, SourceState::Ok);
    assert_eq!(got.totals().output, 90);
}

#[tokio::test]
async fn revised_bucket_replaces_the_earlier_value() {
    // Backfill and the first poll see 100 output tokens; later polls see the revision.
    let server =
        TestServer::start(|_, n| Reply::json(one_bucket(if n < 2 { 100 } else { 250 }))).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| {
        c.events.iter().any(|e| e.tokens.output == 250) && server.hits(USAGE_PATH).len() >= 4
    })
    .await;
    task.abort();

    let raw: u64 = got.events.iter().map(|e| e.tokens.output).sum();
    assert!(raw >= 350, "both versions were sent: {raw}");
    assert_eq!(got.totals().output, 250);
    assert_eq!(got.totals().input, 1000);
}

#[tokio::test]
async fn vanished_bucket_is_replaced_by_zero_tokens() {
    let t0 = recent_minute(3);
    let server = TestServer::start(move |_, n| {
        let mut rows = vec![row("claude-sonnet-4-5", "standard", 1000, 10)];
        if n == 0 {
            rows.push(row("claude-opus-4-6", "standard", 500, 20));
        }
        Reply::json(page(&[(t0, rows)], None))
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| {
        c.events.iter().any(|e| e.tokens.total() == 0)
    })
    .await;
    task.abort();

    let totals = got.totals();
    assert_eq!((totals.input, totals.output), (1000, 10));
}

#[tokio::test]
async fn rejected_key_stops_polling() {
    let server = TestServer::start(|_, _| Reply::status(401)).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| !c.reasons().is_empty()).await;
    assert_eq!(got.reasons(), ["admin key rejected (HTTP 401)"]);

    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(server.hits(USAGE_PATH).len() <= 2);
    assert!(server.hits(COST_PATH).is_empty());
    assert!(!got.caught_up);
    task.abort();
}

#[tokio::test]
async fn cost_report_amount_in_cents_is_exact() {
    let started = chrono::Utc::now();
    let server = TestServer::start(|_, _| Reply::json(one_bucket(1))).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&server.base), key(), tx);
    let mut got = Collected::default();
    collect_until(&mut rx, &mut got, |c| !c.billed.is_empty()).await;
    task.abort();

    let billed = &got.billed[0];
    assert_eq!(billed.amount, Money(1_234_500_000_000)); // "123.45" cents = $1.2345
    assert_eq!(billed.amount, Money::from_cents_str("123.45").unwrap());
    assert_eq!(billed.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(billed.day.to_string(), "2026-11-20");
    let hits = server.hits(COST_PATH);
    assert_eq!(hits[0].param("group_by[]"), Some("description"));
    // Buckets that end before `ending_at` are returned: today's needs tomorrow's start.
    let ending: chrono::DateTime<chrono::Utc> =
        hits[0].param("ending_at").unwrap().parse().unwrap();
    let tomorrow = |t: chrono::DateTime<chrono::Utc>| {
        (t.date_naive() + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    };
    // (The poll may straddle midnight UTC: either side is right.)
    assert!([tomorrow(started), tomorrow(chrono::Utc::now())].contains(&ending));
}

#[tokio::test]
async fn key_never_leaks_but_reaches_the_server() {
    // A server that rejects the key.
    let rejecting = TestServer::start(|_, _| Reply::status(403)).await;
    let opts = fast_options(&rejecting.base);
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(opts.clone(), key(), tx);
    let mut rejected = Collected::default();
    collect_until(&mut rx, &mut rejected, |c| !c.reasons().is_empty()).await;
    task.abort();
    assert_eq!(rejected.reasons(), ["admin key rejected (HTTP 403)"]);

    // A server that fails, then echoes the key where a number belongs, then recovers.
    let echoing = TestServer::start(|_, n| match n {
        0 => Reply::status(502),
        1 => Reply::json(one_bucket(3).replace(
            "\"output_tokens\":3",
            &format!("\"output_tokens\":\"{KEY}\""),
        )),
        _ => Reply::json(one_bucket(3)),
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_admin_api(fast_options(&echoing.base), key(), tx);
    let mut echoed = Collected::default();
    collect_until(&mut rx, &mut echoed, |c| c.caught_up).await;
    task.abort();
    assert!(
        echoed.reasons()[1].contains("invalid type: string \"***\""),
        "{:?}",
        echoed.reasons()
    );

    for server in [&rejecting, &echoing] {
        let hits = server.hits(USAGE_PATH);
        assert!(hits.iter().all(|h| h.api_key.as_deref() == Some(KEY)));
    }
    // Every test in this file logs here (a process-wide subscriber at TRACE level).
    let logs = admin::captured_logs().text();
    assert!(
        logs.contains("admin API request failed"),
        "subscriber captured: {logs}"
    );
    let seen = [
        format!("{:?} {} {opts:?}", key(), key()),
        format!("{rejected:?}"),
        format!("{echoed:?}"),
        rejected.reasons().join("\n") + &echoed.reasons().join("\n"),
        logs,
    ];
    for text in seen {
        assert!(!text.contains(KEY), "key leaked into: {text}");
    }
}
