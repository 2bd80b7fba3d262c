//! Helpers for the listener tests: a real `costtop serve` (or `watch --listen`) on a free
//! loopback port, a small raw HTTP/1.1 client (so tests control chunking and headers
//! exactly), the OTLP fixture in both encodings, and waits with deadlines.

mod http;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;
use serde_json::Value;

pub use http::{Body, Reply, request, request_within};

/// How long any condition may take to become true.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The fixture: one `claude_code.api_request` event as Claude Code 2.1.197 sends it.
pub const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/otlp/claude-code-api-request.json"
));

/// The fixture's request id.
pub const FIXTURE_REQUEST: &str = "req_011CExampleTelemetry01";

/// The fixture re-encoded as protobuf (decoded with the same crate costtop uses).
pub fn fixture_protobuf() -> Vec<u8> {
    let req: ExportLogsServiceRequest = serde_json::from_str(FIXTURE).expect("fixture decodes");
    req.encode_to_vec()
}

/// A Claude Code transcript line for the fixture's request: the same tokens, with the 5m/1h
/// split the event lacks (all 3,000 writes are 1-hour writes) and `output` output tokens;
/// `last` gives it a stop reason.
pub fn transcript_line(output: u64, last: bool, five_minute: u64) -> String {
    let stop = if last { "\"end_turn\"" } else { "null" };
    let one_hour = 3000 - five_minute;
    format!(
        concat!(
            r#"{{"parentUuid":null,"isSidechain":false,"message":{{"model":"claude-opus-4-8","id":"msg_01ExampleTelemetry","type":"message","role":"assistant","content":[{{"type":"text","text":"ok"}}],"stop_reason":{stop},"stop_sequence":null,"#,
            r#""usage":{{"input_tokens":1201,"cache_creation_input_tokens":3000,"cache_read_input_tokens":15000,"output_tokens":{output},"service_tier":"standard","cache_creation":{{"ephemeral_1h_input_tokens":{one_hour},"ephemeral_5m_input_tokens":{five_minute}}},"inference_geo":"","iterations":[],"speed":"standard"}}}},"#,
            r#""requestId":"{request}","type":"assistant","uuid":"a6a9cbc3-6456-43fd-85e8-b1d3e1a08361","timestamp":"2026-12-01T21:56:19.873Z","userType":"external","cwd":"/home/me/dev/app","sessionId":"239f9f22-6bef-46d5-b40e-e46900c78d1d","version":"2.1.197"}}"#,
            "\n"
        ),
        stop = stop,
        output = output,
        one_hour = one_hour,
        five_minute = five_minute,
        request = FIXTURE_REQUEST,
    )
}

/// A running costtop with a listener, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    /// The listener's address.
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
    /// Stdout lines (for `watch`).
    pub stdout: Option<std::sync::mpsc::Receiver<String>>,
    /// The proxy's address, once it said it is up (`--proxy`).
    proxy: Arc<Mutex<Option<SocketAddr>>>,
    home: tempfile::TempDir,
}

/// `costtop` with an empty config and a home without Claude Code folders.
pub fn costtop(home: &Path) -> Command {
    let mut cmd = super::costtop();
    cmd.env("HOME", home)
        .env("CLAUDE_CONFIG_DIR", home.join("no-claude"))
        .env("COSTTOP_LOG", "info")
        .current_dir(home);
    cmd
}

impl Server {
    /// `costtop serve ARGS --listen 127.0.0.1:0 --window all --since 2000-01-01`.
    pub fn serve(args: &[&str]) -> Server {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--window", "all", "--since", "2000-01-01"]);
        Server::start(&all).expect("costtop serve starts")
    }

    /// Starts costtop with `args` and waits for its "listening on" line; `Err` carries the
    /// stderr of a run that exited instead.
    pub fn start(args: &[&str]) -> Result<Server, String> {
        Server::start_with(args, &[])
    }

    /// [`Server::start`] with these environment variables set too.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
        let home = tempfile::tempdir().expect("tempdir");
        let mut child = costtop(home.path())
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn costtop");
        let stderr = Arc::new(Mutex::new(String::new()));
        let proxy = Arc::new(Mutex::new(None));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        {
            let pipe = child.stderr.take().expect("stderr");
            let stderr = Arc::clone(&stderr);
            let proxy = Arc::clone(&proxy);
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                        let _ = addr_tx.send(addr);
                    }
                    if let Some(rest) = line.split("proxying http://").nth(1) {
                        let addr = rest.split_whitespace().next().and_then(|a| a.parse().ok());
                        *proxy.lock().expect("proxy lock") = addr;
                    }
                    let mut s = stderr.lock().expect("stderr lock");
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        let (out_tx, out_rx) = std::sync::mpsc::channel();
        {
            let pipe = child.stdout.take().expect("stdout");
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if out_tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(addr) = addr_rx.recv_timeout(Duration::from_millis(50)) {
                let addr = addr.parse().expect("the printed address parses");
                return Ok(Server {
                    child,
                    addr,
                    stderr,
                    stdout: Some(out_rx),
                    proxy,
                    home,
                });
            }
            if let Ok(Some(_)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                return Err(stderr.lock().expect("stderr lock").clone());
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "costtop did not start listening: {}",
                    stderr.lock().expect("stderr lock")
                );
            }
        }
    }

    /// The proxy's address (`--proxy`), once it said it is up.
    pub fn proxy_addr(&self) -> SocketAddr {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(addr) = *self.proxy.lock().expect("proxy lock") {
                return addr;
            }
            assert!(Instant::now() < deadline, "no proxy: {}", self.stderr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The home folder costtop runs with (its log file is under it).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Everything written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "costtop did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resident set size high-water mark of the process, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Reply {
        request(self.addr, "GET", path, &[], Body::Fixed(Vec::new()))
    }

    /// `POST path` with a fixed body and these headers.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        request(self.addr, "POST", path, headers, Body::Fixed(body.to_vec()))
    }

    /// `POST /v1/logs` of a JSON body.
    pub fn post_json_logs(&self, body: &str) -> Reply {
        self.post(
            "/v1/logs",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }

    /// `GET /api/v1/snapshot` as JSON.
    pub fn snapshot(&self) -> Value {
        let r = self.get("/api/v1/snapshot");
        assert_eq!(r.status, 200, "{}", r.text());
        serde_json::from_slice(&r.body).expect("snapshot JSON")
    }

    /// The receiver's entry in the snapshot's sources.
    pub fn receiver(&self) -> Value {
        let snap = self.snapshot();
        snap["sources"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "otlp").cloned())
            .expect("the receiver is a source")
    }

    /// Waits until `done` holds for the snapshot; returns it.
    pub fn wait_snapshot(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let snap = self.snapshot();
            if done(&snap) {
                return snap;
            }
            assert!(Instant::now() < deadline, "{what}: {snap}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `/metrics` shows `sample` with a value `done` accepts; returns the text.
    pub fn wait_metrics(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self.get("/metrics").text();
            if done(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{what}:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the first sample of `/metrics` text whose line starts with `prefix`.
pub fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Every counter sample (`*_total`, histogram `_bucket`/`_count`/`_sum`) of a text
/// exposition, by its full series line (name and labels).
pub fn counter_samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let name = series.split('{').next()?;
            let counter = name.ends_with("_total")
                || name.ends_with("_bucket")
                || name.ends_with("_count")
                || name.ends_with("_sum");
            if !counter {
                return None;
            }
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// A folder for transcripts under the system temp dir.
pub fn transcripts() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects/app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    (tmp, dir)
}

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
