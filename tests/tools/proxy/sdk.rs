//! The real SDKs through the real proxy, as an application uses them (base URL only, tags by
//! default headers and per request): every response body is byte for byte what the mock
//! sent, and costtop's totals and per-tag figures equal what the mock served, token for
//! token — Messages JSON and streamed, cached, 1-hour and `max_tokens` requests, and a
//! batch whose results are downloaded twice.
//!
//! The Python SDK (PyPI `anthropic`, pinned in `.ci/run`'s venv; `COSTTOP_OTEL_PYTHON` names
//! its python) and the TypeScript SDK (npm `@anthropic-ai/sdk`, installed by
//! `scripts/install-anthropic-sdk-js.sh`; `COSTTOP_SDK_JS_DIR` names another folder).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::claude_code::home::finish;
use crate::support::claude_code::{Served, expected_cost};
use crate::support::proxy::{API_KEY, Proxied, tag_rows};
use crate::support::tools;

/// The versions the tests are written against.
const PYTHON_SDK: &str = "2.10.0";
const JS_SDK: &str = "1.17.0";

/// The folder holding `costtop`'s build profile folders (`target/`).
fn target() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_costtop"));
    bin.parent()
        .and_then(Path::parent)
        .expect("the binary lies in <target>/<profile>/")
        .to_path_buf()
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools/proxy")
        .join(name)
}

/// A python with the pinned anthropic SDK, or `None` after the skip notice.
fn python() -> Option<String> {
    let python = std::env::var("COSTTOP_OTEL_PYTHON")
        .ok()
        .unwrap_or_else(|| {
            let venv = target().join("otel-venv/bin/python");
            if venv.exists() {
                venv.to_string_lossy().into_owned()
            } else {
                "python3".into()
            }
        });
    let version = Command::new(&python)
        .args(["-c", "import anthropic; print(anthropic.__version__)"])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if version != PYTHON_SDK {
        tools::missing(&format!(
            "{python} has anthropic {version:?}, not {PYTHON_SDK}"
        ));
        return None;
    }
    Some(python)
}

/// The folder with the pinned TypeScript SDK (and node), or `None` after the skip notice.
fn js_sdk() -> Option<PathBuf> {
    if !tools::tool("node") {
        return None;
    }
    let dir = std::env::var_os("COSTTOP_SDK_JS_DIR")
        .map_or_else(|| target().join("anthropic-sdk-js"), PathBuf::from);
    let manifest = dir.join("node_modules/@anthropic-ai/sdk/package.json");
    let version = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned));
    if version.as_deref() != Some(JS_SDK) {
        tools::missing(&format!(
            "@anthropic-ai/sdk {JS_SDK} is not in {} (bash scripts/install-anthropic-sdk-js.sh)",
            dir.display()
        ));
        return None;
    }
    Some(dir)
}

#[test]
fn the_python_sdk_through_the_proxy_is_counted_exactly_with_its_tags() {
    let Some(python) = python() else { return };
    let p = Proxied::start(&[]);
    let mut cmd = Command::new(python);
    cmd.arg(script("sdk.py")).args([&p.base_url(), API_KEY]);
    check(&p, &run(cmd), "anthropic-python");
}

#[test]
fn the_typescript_sdk_through_the_proxy_is_counted_exactly_with_its_tags() {
    let Some(dir) = js_sdk() else { return };
    let p = Proxied::start(&[]);
    let mut cmd = Command::new("node");
    cmd.arg(script("sdk.cjs"))
        .arg(&dir)
        .args([&p.base_url(), API_KEY]);
    check(&p, &run(cmd), "anthropic-typescript");
}

fn run(mut cmd: Command) -> Value {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the SDK script");
    let out = finish(child, std::time::Duration::from_secs(120));
    assert!(
        out.status.success(),
        "the SDK script failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("the script's JSON report")
}

/// What the script saw and what costtop counted, against what the mock served.
fn check(p: &Proxied, report: &Value, client: &str) {
    let served = p.mock.served();
    let bodies = report["bodies"].as_array().expect("bodies");
    let messages: Vec<&Served> = served.iter().filter(|s| s.custom_id.is_none()).collect();
    assert_eq!(messages.len(), 6, "six Messages requests");
    for s in &messages {
        let got = bodies
            .iter()
            .find(|b| b["request_id"] == s.request_id.as_str())
            .unwrap_or_else(|| panic!("no body for {}", s.request_id));
        assert_eq!(
            got["body"],
            s.sent.as_str(),
            "{} reached the SDK changed",
            s.request_id
        );
        assert!(s.costtop_headers.is_empty(), "{:?}", s.costtop_headers);
    }
    let results = json!(["n-1", "n-2"]);
    assert_eq!(report["downloads"], json!([results, results]));
    assert!(served.iter().any(|s| s.stop_reason == "max_tokens"));
    assert!(served.iter().any(|s| s.stream));

    p.wait_totals(&served);
    let cost = |group: &[Served]| json!(expected_cost(group)).as_f64().unwrap_or_default();
    let by = |tag: &str| -> Vec<Served> {
        served
            .iter()
            .filter(|s| s.tag.as_deref() == Some(tag))
            .cloned()
            .collect()
    };
    let truth: Vec<(String, u64, f64)> = ["agent", "chat", "classify", "nightly"]
        .iter()
        .map(|t| ((*t).to_owned(), by(t).len() as u64, cost(&by(t))))
        .collect();
    assert_eq!(tag_rows(&p.server, "feature"), truth);
    let users: Vec<(String, u64)> = tag_rows(&p.server, "user")
        .into_iter()
        .map(|(k, n, _)| (k, n))
        .collect();
    let mut truth_users = std::collections::BTreeMap::<String, u64>::new();
    for s in &served {
        *truth_users
            .entry(s.user.clone().unwrap_or_else(|| "(none)".into()))
            .or_default() += 1;
    }
    assert_eq!(users, truth_users.into_iter().collect::<Vec<_>>());
    assert_eq!(users.len(), 3, "no user, user-42 and user-7: {users:?}");
    let clients = tag_rows(&p.server, "client");
    assert_eq!(
        clients
            .iter()
            .map(|(k, n, _)| (k.as_str(), *n))
            .collect::<Vec<_>>(),
        [(client, served.len() as u64)]
    );
    let source = p.source();
    assert_eq!(source["parse_errors"], 0, "{source}");
    assert_eq!(source["proxy"]["errors"], 0, "{source}");
}
