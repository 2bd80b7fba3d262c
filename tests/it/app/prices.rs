//! `costtop prices` as a user runs it: the table in force, one id explained, and `--update`
//! against a local HTTP server — a good table is stored and then used by every command that
//! prices; a broken or older one changes nothing and says why.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::routing::get;

const BUILT_IN: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/prices.toml"));

/// A home of its own (data dir for the stored table, config dir) per test.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().unwrap())
    }

    fn stored(&self) -> PathBuf {
        self.0.path().join("data/costtop/prices.toml")
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    async fn run(&self, args: &[&str]) -> (String, String, i32) {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_costtop"))
            .args(args)
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env_remove("COSTTOP_CONFIG")
            .output()
            .await
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }
}

/// Serves `body` at `/prices.toml` on 127.0.0.1; returns its URL.
async fn serve(body: String) -> String {
    let app = Router::new().route("/prices.toml", get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/prices.toml")
}

/// The built-in table, checked later, with Opus 5.5's input at $3.
fn newer_table() -> String {
    let opus = "family = \"Opus 5.5\"\nids = [\"claude-opus-5-5\"]\ninput = 4.0";
    assert!(BUILT_IN.contains(opus));
    BUILT_IN
        .replace("checked = \"2026-12-01\"", "checked = \"2026-12-15\"")
        .replace(opus, &opus.replace("4.0", "3.0"))
}

/// One Opus 5.5 request of a million input tokens, as an application log line.
fn opus_log(home: &Home) -> PathBuf {
    let path = home.path().join("app.jsonl");
    std::fs::write(
        &path,
        r#"{"timestamp":"2026-11-20T12:00:00Z","model":"claude-opus-5-5","usage":{"input_tokens":1000000,"output_tokens":0}}
"#,
    )
    .unwrap();
    path
}

async fn report_cost(home: &Home, log: &Path) -> f64 {
    let (out, err, code) = home
        .run(&["report", log.to_str().unwrap(), "--format", "json"])
        .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["totals"]["cost_usd"].as_f64().unwrap()
}

/// The model entry of `name` in `costtop prices --format json`.
fn family<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let models = v["models"].as_array().unwrap();
    models.iter().find(|m| m["family"] == name).unwrap()
}

#[tokio::test]
async fn the_table_lists_every_model_with_its_dates_bands_and_source() {
    let home = Home::new();
    let (out, err, code) = home.run(&["prices"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("checked 2026-12-01 · built in"), "{out}");
    for family in [
        "Fable 5.2",
        "Mythos 5.1",
        "Opus 5.5",
        "Sonnet 5.5",
        "Haiku 5.5",
        "Haiku 3",
    ] {
        assert!(out.contains(family), "{family} missing:\n{out}");
    }
    assert!(out.contains("until 2026-10-07"), "{out}");
    assert!(out.contains("> 100,000"), "{out}");
    let (json, _, _) = home.run(&["prices", "--format", "json"]).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["checked"], "2026-12-01");
    assert_eq!(v["source"], "built-in");
    let sonnet = family(&v, "Sonnet 5.5");
    assert_eq!(sonnet["periods"][0]["bands"][0]["read"], 0.2);
    assert_eq!(sonnet["periods"][1]["bands"][0]["read"], 0.1);
    // --at keeps only the prices in force then.
    let (json, _, _) = home
        .run(&["prices", "--at", "2026-10-06", "--format", "json"])
        .await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sonnet = family(&v, "Sonnet 5.5");
    assert_eq!(sonnet["periods"].as_array().unwrap().len(), 1);
    assert_eq!(sonnet["periods"][0]["bands"][0]["read"], 0.2);
}

#[tokio::test]
async fn one_id_is_explained_or_said_to_be_unpriced() {
    let home = Home::new();
    let (out, _, code) = home
        .run(&[
            "prices",
            "anthropic/claude-sonnet-5.5",
            "--at",
            "2026-10-06",
        ])
        .await;
    assert_eq!(code, 0);
    assert!(out.contains("normalised        claude-sonnet-5-5"), "{out}");
    assert!(out.contains("until 2026-10-07"), "{out}");
    assert!(out.contains("read $0.20"), "{out}");
    let (out, _, _) = home
        .run(&["prices", "claude-opus-6", "--format", "json"])
        .await;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["priced"], false);
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("not in the price table")
    );
}

#[tokio::test]
async fn an_update_is_stored_and_then_wins_over_the_built_in_table() {
    let home = Home::new();
    let log = opus_log(&home);
    assert!((report_cost(&home, &log).await - 4.0).abs() < 1e-9);
    let url = serve(newer_table()).await;
    let (out, err, code) = home.run(&["prices", "--update", "--from", &url]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("checked 2026-12-15"), "{out}");
    assert_eq!(
        std::fs::read_to_string(home.stored()).unwrap(),
        newer_table()
    );
    let (out, _, _) = home.run(&["prices"]).await;
    assert!(
        out.contains("checked 2026-12-15 · the maintained table stored at"),
        "{out}"
    );
    assert!((report_cost(&home, &log).await - 3.0).abs() < 1e-9);
    // A config override still wins over both.
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[prices.\"claude-opus-5-5\"]\ninput = 2.0\noutput = 10.0\n",
    )
    .unwrap();
    let (out, err, code) = home
        .run(&[
            "report",
            log.to_str().unwrap(),
            "--format",
            "json",
            "--config",
            config.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["cost_usd"], 2.0);
}

#[tokio::test]
async fn a_broken_or_older_download_changes_nothing_and_says_why() {
    let home = Home::new();
    let good = serve(newer_table()).await;
    assert_eq!(
        home.run(&["prices", "--update", "--from", &good]).await.2,
        0
    );
    let log = opus_log(&home);

    let typo = serve(newer_table().replacen("write_1h = ", "wirte_1h = ", 1)).await;
    let (_, err, code) = home.run(&["prices", "--update", "--from", &typo]).await;
    assert_ne!(code, 0);
    assert!(
        err.contains("prices not updated") && err.contains("wirte_1h"),
        "{err}"
    );
    assert!(err.contains("line"), "{err}");

    let older =
        serve(BUILT_IN.replace("checked = \"2026-12-01\"", "checked = \"2026-11-01\"")).await;
    let (_, err, code) = home.run(&["prices", "--update", "--from", &older]).await;
    assert_ne!(code, 0);
    assert!(err.contains("older than the built-in table"), "{err}");

    // Older than the stored one (though not than the built-in): refused too.
    let (_, err, code) = home
        .run(&["prices", "--update", "--from", "data/prices.toml"])
        .await;
    assert_ne!(code, 0);
    assert!(err.contains("older than the stored table"), "{err}");

    let (_, err, code) = home
        .run(&[
            "prices",
            "--update",
            "--from",
            "http://example.com/prices.toml",
        ])
        .await;
    assert_ne!(code, 0);
    assert!(err.contains("plain http is refused"), "{err}");

    assert_eq!(
        std::fs::read_to_string(home.stored()).unwrap(),
        newer_table()
    );
    assert!((report_cost(&home, &log).await - 3.0).abs() < 1e-9);
}

#[tokio::test]
async fn a_broken_stored_table_is_ignored_and_the_built_in_one_used() {
    let home = Home::new();
    std::fs::create_dir_all(home.stored().parent().unwrap()).unwrap();
    std::fs::write(
        home.stored(),
        "checked = \"2027-01-01\"\n[[model]]\nfamily = 3\n",
    )
    .unwrap();
    let log = opus_log(&home);
    assert!((report_cost(&home, &log).await - 4.0).abs() < 1e-9);
    let (out, _, _) = home.run(&["prices"]).await;
    assert!(
        out.contains("built in") && out.contains("is not used"),
        "{out}"
    );
    let (_, err, _) = home.run(&["report", log.to_str().unwrap()]).await;
    assert!(
        err.contains("stored price table") && err.contains("family"),
        "{err}"
    );
}
