//! The admin key never reaches stdout, stderr or the log file, even when the server rejects it
//! and echoes it back; the server does receive it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;

const KEY: &str = "sk-ant-admin01-CANARY-7f3b9c2e5d1a";

/// Serves 401 with the key echoed in the body; records the keys it received.
async fn rejecting_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handler = move |headers: HeaderMap| {
        let log = log.clone();
        async move {
            let key = headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            log.lock().unwrap().push(key.clone());
            let body = format!(
                r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {key}"}}}}"#
            );
            (StatusCode::UNAUTHORIZED, body)
        }
    };
    let app = Router::new()
        .route(
            "/v1/organizations/usage_report/messages",
            get(handler.clone()),
        )
        .route("/v1/organizations/cost_report", get(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

async fn run(args: &[&str], home: &std::path::Path) -> (String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args(args)
        .env("ANTHROPIC_ADMIN_KEY", KEY)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("COSTTOP_LOG", "trace")
        .output()
        .await
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn rejected_key_is_never_printed_or_logged() {
    let (base, seen) = rejecting_server().await;
    let home = tempfile::tempdir().unwrap();
    let watch = run(
        &[
            "watch",
            "--admin-api",
            "--api-base",
            &base,
            "--once",
            "--since",
            "1h",
        ],
        home.path(),
    )
    .await;
    let report = run(
        &[
            "report",
            "--admin-api",
            "--api-base",
            &base,
            "--since",
            "1h",
        ],
        home.path(),
    )
    .await;

    assert!(
        watch.0.contains("admin key rejected (HTTP 401)"),
        "watch stdout: {}",
        watch.0
    );
    assert!(
        report.0.contains("admin key rejected"),
        "report stdout: {}",
        report.0
    );
    // The log rotates daily (`costtop.log.<date>`): read every file of it.
    let mut log = String::new();
    for entry in std::fs::read_dir(home.path().join("data/costtop")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("costtop.log"))
        {
            log.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    assert!(log.contains("admin API request failed"), "log: {log}");
    for (what, text) in [
        ("watch stdout", &watch.0),
        ("watch stderr", &watch.1),
        ("report stdout", &report.0),
        ("report stderr", &report.1),
        ("log file", &log),
    ] {
        assert!(!text.contains(KEY), "the key leaked into {what}: {text}");
        assert!(
            !text.contains("CANARY"),
            "part of the key leaked into {what}: {text}"
        );
    }
    assert!(
        seen.lock().unwrap().iter().any(|k| k == KEY),
        "the server never saw the key"
    );
}
