//! A costtop proxying the tests' mock Messages API: `costtop serve --proxy` on free loopback
//! ports in front of a [`MockApi`], requests sent through it with the raw HTTP client, and
//! what costtop counted, read from its snapshot.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::claude_code::{MockApi, MockOptions, Served, expected_totals};
use super::serve::{Body, DEADLINE, Reply, Server, request};

/// A key of the right shape; the mock accepts any. Tests grep costtop's output for it.
pub const API_KEY: &str = "sk-ant-api03-costtop-proxy-SECRET-0123456789abcdefghij";

/// A mock Messages API and a `costtop serve --proxy` in front of it.
pub struct Proxied {
    /// The running costtop (listener, snapshot, `/metrics`).
    pub server: Server,
    /// The proxy's address.
    pub proxy: SocketAddr,
    /// The upstream.
    pub mock: MockApi,
}

impl Proxied {
    /// A fresh mock and `costtop serve --proxy 127.0.0.1:0 --upstream MOCK ARGS`.
    pub fn start(args: &[&str]) -> Proxied {
        Proxied::with(MockApi::start(MockOptions::default()), args)
    }

    /// `costtop serve --proxy 127.0.0.1:0 --upstream MOCK ARGS` in front of `mock`.
    pub fn with(mock: MockApi, args: &[&str]) -> Proxied {
        let mut all = vec!["--proxy", "127.0.0.1:0", "--upstream", mock.base_url()];
        all.extend_from_slice(args);
        let server = Server::serve(&all);
        let proxy = server.proxy_addr();
        Proxied {
            server,
            proxy,
            mock,
        }
    }

    /// `http://` and the proxy's address: an application's `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.proxy)
    }

    /// One request through the proxy (the API key and version headers added).
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut all = vec![
            ("x-api-key", API_KEY),
            ("anthropic-version", "2023-06-01"),
            ("content-type", "application/json"),
        ];
        all.extend_from_slice(headers);
        request(self.proxy, method, path, &all, Body::Fixed(body.to_vec()))
    }

    /// `POST /v1/messages` through the proxy.
    pub fn message(&self, headers: &[(&str, &str)], body: &Value) -> Reply {
        self.send("POST", "/v1/messages", headers, body.to_string().as_bytes())
    }

    /// The proxy's entry in the snapshot's `sources`.
    pub fn source(&self) -> Value {
        let snap = self.server.snapshot();
        snap["sources"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "proxy").cloned())
            .unwrap_or_else(|| panic!("the proxy is a source: {snap}"))
    }

    /// Waits until the proxy's source line satisfies `done`; returns it.
    pub fn wait_source(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let source = self.source();
            if done(&source) {
                return source;
            }
            assert!(Instant::now() < deadline, "{what}: {source}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the snapshot's totals are what counting `served` once gives; returns the
    /// snapshot (panics with both when they never are).
    pub fn wait_totals(&self, served: &[Served]) -> Value {
        let expected = expected_totals(served);
        let deadline = Instant::now() + DEADLINE;
        loop {
            let snap = self.server.snapshot();
            if snap["totals"] == expected {
                return snap;
            }
            assert!(
                Instant::now() < deadline,
                "totals never matched what the mock served:\n  costtop {}\n  served  {expected}",
                snap["totals"]
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

/// A Messages request body.
pub fn message_body(model: &str, stream: bool, max_tokens: u64) -> Value {
    json!({
        "model": model,
        "max_tokens": max_tokens,
        "stream": stream,
        "messages": [{"role": "user", "content": "Hello through costtop's proxy."}],
    })
}

/// The rows of `GET /api/v1/snapshot?by=tag:KEY` as `(tag value, requests, cost)`.
pub fn tag_rows(server: &Server, key: &str) -> Vec<(String, u64, f64)> {
    let r = server.get(&format!("/api/v1/snapshot?by=tag:{key}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let snap: Value = serde_json::from_slice(&r.body).expect("snapshot JSON");
    let mut rows: Vec<(String, u64, f64)> = snap["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows by tag:{key}: {snap}"))
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap_or_default().to_owned(),
                r["requests"].as_u64().unwrap_or_default(),
                r["cost_usd"].as_f64().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}
