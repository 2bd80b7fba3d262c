//! What the proxy costs an application, each figure beside the same call made directly to the
//! upstream in the same run: added latency (p50, p99) of JSON Messages calls and the time to
//! the first SSE event, at 1 and 100 concurrent clients; throughput at 100 clients; and the
//! proxy's resident memory per open stream with 100 long streams held open.
//!
//! A harness-less bench (percentiles and memory are not criterion's shape): a minimal Messages
//! API on 127.0.0.1 in this process, a release `costtop serve --proxy` in its own process (so
//! its memory is its own), and a keep-alive hyper client per run. `cargo bench --bench proxy`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

const JSON: &[u8] = br#"{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[{"type":"text","text":"Hello."}],"stop_reason":"end_turn","usage":{"input_tokens":1200,"output_tokens":40,"cache_read_input_tokens":15000,"cache_creation_input_tokens":300}}"#;
const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-5-5\",\"content\":[],\"usage\":{\"input_tokens\":1200,\"output_tokens\":1,\"cache_read_input_tokens\":15000}}}\n\n";
const REST: &str = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello.\"}}\n\nevent: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":40}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

/// A response body fed chunk by chunk from a channel.
struct Chunks(mpsc::Receiver<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|c| c.map(|b| Ok(Frame::data(b))))
    }
    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// The mock Messages API: JSON, or SSE when the body asks to stream; a request with a
/// `bench-hold` header gets `message_start` and then waits for `release`.
async fn mock(release: Arc<Notify>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let addr = listener.local_addr().expect("mock addr");
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let release = Arc::clone(&release);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let release = Arc::clone(&release);
                    async move { Ok::<_, Infallible>(answer(req, release).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    addr
}

async fn answer(req: Request<Incoming>, release: Arc<Notify>) -> Response<Chunks> {
    let hold = req.headers().contains_key("bench-hold");
    let body = req
        .into_body()
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let stream = memchr::memmem::find(&body, b"\"stream\":true").is_some();
    let (tx, rx) = mpsc::channel(4);
    let mut response = Response::builder().header("request-id", "req_bench");
    if stream {
        response = response.header("content-type", "text/event-stream");
        tokio::spawn(async move {
            let _ = tx.send(Bytes::from_static(START.as_bytes())).await;
            if hold {
                release.notified().await;
            }
            let _ = tx.send(Bytes::from_static(REST.as_bytes())).await;
        });
    } else {
        response = response.header("content-type", "application/json");
        let _ = tx.try_send(Bytes::from_static(JSON));
    }
    response.body(Chunks(rx)).expect("response")
}

/// `costtop serve --proxy` in front of `upstream`, and the proxy's address.
fn costtop(upstream: SocketAddr, home: &std::path::Path) -> (Child, SocketAddr) {
    use std::io::BufRead as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_costtop"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--proxy",
            "127.0.0.1:0",
            "--upstream",
        ])
        .arg(format!("http://{upstream}"))
        .env("HOME", home)
        .env("CLAUDE_CONFIG_DIR", home.join("none"))
        .env("COSTTOP_LOG", "info")
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start costtop");
    let stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut lines = stderr.lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            let rest = l.split("proxying http://").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .expect("costtop says where it proxies");
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

type Http = Client<HttpConnector, Full<Bytes>>;

fn request(addr: SocketAddr, stream: bool, hold: bool) -> Request<Full<Bytes>> {
    let body = format!(
        r#"{{"model":"claude-sonnet-5-5","max_tokens":1024,"stream":{stream},"messages":[{{"role":"user","content":"Hello."}}]}}"#
    );
    let mut r = Request::post(format!("http://{addr}/v1/messages"))
        .header("x-api-key", "sk-ant-bench")
        .header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json")
        .header("costtop-tag-feature", "bench");
    if hold {
        r = r.header("bench-hold", "1");
    }
    r.body(Full::new(Bytes::from(body))).expect("request")
}

/// One call: the time to its whole body (JSON) or to its first event (SSE), in µs.
async fn call(client: &Http, addr: SocketAddr, stream: bool) -> u64 {
    let started = Instant::now();
    let response = client
        .request(request(addr, stream, false))
        .await
        .expect("a response");
    let mut body = response.into_body();
    let mut first = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.expect("a body frame");
        if first.is_none() && frame.is_data() {
            first = Some(started.elapsed());
        }
    }
    let took = if stream {
        first.unwrap_or_default()
    } else {
        started.elapsed()
    };
    u64::try_from(took.as_micros()).unwrap_or(u64::MAX)
}

/// `clients` concurrent clients making `per_client` calls each: the latencies and the rate.
async fn run(
    addr: SocketAddr,
    stream: bool,
    clients: usize,
    per_client: usize,
) -> (Histogram<u64>, f64) {
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    for _ in 0..20 {
        call(&client, addr, stream).await;
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut h = Histogram::<u64>::new(3).expect("histogram");
                for _ in 0..per_client {
                    h.record(call(&client, addr, stream).await).expect("record");
                }
                h
            })
        })
        .collect();
    let mut all = Histogram::<u64>::new(3).expect("histogram");
    for t in tasks {
        all.add(t.await.expect("client task")).expect("add");
    }
    let rate = (clients * per_client) as f64 / started.elapsed().as_secs_f64();
    (all, rate)
}

/// The resident and peak resident memory of `pid`, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Opens `n` streams through the proxy that stay open after their first event, and returns
/// the proxy's memory then; the streams end when `release` is notified.
async fn hold_streams(proxy: SocketAddr, n: usize, pid: u32, release: &Notify) -> (u64, u64) {
    let client: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(n)
        .build_http();
    let (opened_tx, mut opened) = mpsc::channel(n);
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            let opened_tx = opened_tx.clone();
            tokio::spawn(async move {
                let response = client
                    .request(request(proxy, true, true))
                    .await
                    .expect("a stream");
                let mut body = response.into_body();
                let _ = body.frame().await;
                let _ = opened_tx.send(()).await;
                while body.frame().await.is_some() {}
            })
        })
        .collect();
    for _ in 0..n {
        opened.recv().await.expect("a stream opened");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = memory(pid);
    release.notify_waiters();
    for t in tasks {
        t.await.expect("stream task");
    }
    held
}

fn line(what: &str, direct: &Histogram<u64>, proxied: &Histogram<u64>) {
    let p = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q);
    let (d50, d99, p50, p99) = (
        p(direct, 0.5),
        p(direct, 0.99),
        p(proxied, 0.5),
        p(proxied, 0.99),
    );
    println!(
        "{what:<28} direct p50 {d50:>6} µs p99 {d99:>6} µs | proxied p50 {p50:>6} µs p99 {p99:>6} µs | added p50 {:>5} µs p99 {:>5} µs | ratio p50 {:.2} p99 {:.2}",
        p50.saturating_sub(d50),
        p99.saturating_sub(d99),
        p50 as f64 / d50.max(1) as f64,
        p99 as f64 / d99.max(1) as f64,
    );
}

#[tokio::main]
async fn main() {
    let release = Arc::new(Notify::new());
    let upstream = mock(Arc::clone(&release)).await;
    let home = tempfile::tempdir().expect("tempdir");
    let (mut child, proxy) = costtop(upstream, home.path());
    let pid = child.id();

    for (stream, what) in [(false, "JSON, whole body"), (true, "SSE, first event")] {
        for (clients, per_client) in [(1, 2_000), (100, 40)] {
            let (direct, direct_rate) = run(upstream, stream, clients, per_client).await;
            let (proxied, proxied_rate) = run(proxy, stream, clients, per_client).await;
            line(&format!("{what}, {clients} client(s)"), &direct, &proxied);
            println!(
                "{:<28} throughput direct {direct_rate:>7.0}/s proxied {proxied_rate:>7.0}/s ratio {:.2}",
                "",
                proxied_rate / direct_rate
            );
        }
    }

    let (idle, _) = memory(pid);
    let (held, peak) = hold_streams(proxy, 100, pid, &release).await;
    println!(
        "memory: idle {idle} KiB, 100 open streams {held} KiB (peak {peak} KiB): {:.1} KiB per open stream",
        held.saturating_sub(idle) as f64 / 100.0
    );
    let _ = child.kill();
    let _ = child.wait();
}
