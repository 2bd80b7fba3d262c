//! The listener under load and abuse, over real sockets: hundreds of silent connections and
//! senders that trickle their bodies a byte a second never keep another client's scrapes and
//! OTLP posts from being answered (within a second) and counted, on an open listener and on a
//! token-protected one; silent and slow-to-speak connections are closed on HTTP/1.1 and on
//! HTTP/2 with prior knowledge alike; the receiver's record count equals the requests counted
//! whatever the interleaving of concurrent posts; malformed chunked framing is a 400.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::support::serve::{Body, FIXTURE, FIXTURE_REQUEST, Server, request, request_within};

/// The fixture event under another request id.
fn event(id: &str) -> String {
    FIXTURE.replace(FIXTURE_REQUEST, id)
}

/// A sender that sends the headers of a 1,000-byte OTLP post, then one byte a second until
/// the server answers or hangs up (giving up after a minute). Returns the status answered.
fn trickle(addr: SocketAddr, auth: Option<String>) -> std::thread::JoinHandle<Option<u16>> {
    std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).ok()?;
        let auth = auth
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{auth}Content-Length: 1000\r\n\r\n"
        );
        s.write_all(head.as_bytes()).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
        let mut reply = Vec::new();
        let started = Instant::now();
        while reply.is_empty() && started.elapsed() < Duration::from_secs(60) {
            if s.write_all(b" ").is_err() {
                break;
            }
            let mut buf = [0u8; 1024];
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
                Err(_) => {} // Nothing yet: a second has passed.
            }
        }
        let text = String::from_utf8_lossy(&reply);
        text.split_whitespace().nth(1).and_then(|s| s.parse().ok())
    })
}

/// 300 silent connections and 4 trickling senders against `server`, while another client
/// scrapes `/metrics` and posts events: every answer within a second, every event counted.
fn holds_under_abuse(server: &Server, token: Option<&str>) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b.as_str()));
    }
    let silent: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(server.addr).ok())
        .collect();
    assert_eq!(silent.len(), 300, "the kernel queues connections");
    let slow: Vec<_> = (0..4)
        .map(|_| trickle(server.addr, bearer.clone()))
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let rounds = 8;
    let mut slowest = Duration::ZERO;
    for round in 0..rounds {
        let started = Instant::now();
        let scrape = request_within(
            server.addr,
            "GET",
            "/metrics",
            &headers[1..],
            Body::Fixed(Vec::new()),
            Duration::from_secs(5),
        );
        assert_eq!(
            scrape.status,
            200,
            "round {round}: /metrics: {}",
            scrape.text()
        );
        slowest = slowest.max(started.elapsed());
        let started = Instant::now();
        let body = event(&format!("req_abuse_{round}")).into_bytes();
        let post = request_within(
            server.addr,
            "POST",
            "/v1/logs",
            &headers,
            Body::Fixed(body),
            Duration::from_secs(5),
        );
        assert_eq!(post.status, 200, "round {round}: POST: {}", post.text());
        slowest = slowest.max(started.elapsed());
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        slowest < Duration::from_secs(1),
        "the slowest answer took {slowest:?}"
    );
    // The trickling senders were cut off (408) rather than holding a decoding slot.
    let cut: Vec<Option<u16>> = slow
        .into_iter()
        .map(|t| t.join().expect("sender"))
        .collect();
    assert!(cut.iter().all(|s| *s == Some(408)), "{cut:?}");
    drop(silent);
    let get = |path: &str| {
        request(
            server.addr,
            "GET",
            path,
            &headers[1..],
            Body::Fixed(Vec::new()),
        )
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let snap: serde_json::Value =
            serde_json::from_slice(&get("/api/v1/snapshot").body).expect("snapshot");
        if snap["totals"]["requests"] == rounds {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not all counted: {}",
            snap["totals"]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn silent_and_trickling_clients_never_starve_others() {
    let server = Server::serve(&[]);
    holds_under_abuse(&server, None);
}

#[test]
fn silent_and_trickling_clients_never_starve_others_behind_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token");
    std::fs::write(&file, "tok-abuse-7\n").expect("write token");
    let server = Server::serve(&["--listen-token-file", file.to_str().expect("utf-8")]);
    holds_under_abuse(&server, Some("tok-abuse-7"));
}

/// Seconds until the server closes a connection that sent `first` and then nothing.
fn closed_after(addr: SocketAddr, first: &[u8]) -> Option<Duration> {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).ok()?;
    s.write_all(first).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {} // An HTTP/2 server's SETTINGS, or a 408.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(started.elapsed());
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn silent_and_slow_to_speak_connections_are_closed_on_every_protocol() {
    let server = Server::serve(&[]);
    let addr = server.addr;
    let cases: [(&str, &[u8]); 4] = [
        ("silent", b""),
        ("half an HTTP/1.1 request line", b"GET /metr"),
        ("HTTP/2 preface only", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("half the HTTP/2 preface", b"PRI * HTTP/2.0\r\n"),
    ];
    let waits: Vec<_> = cases
        .iter()
        .map(|&(what, first)| {
            let first = first.to_vec();
            (what, std::thread::spawn(move || closed_after(addr, &first)))
        })
        .collect();
    for (what, wait) in waits {
        let closed = wait.join().expect("client");
        // The limits are 10 s to the first byte and 10 s from it to the headers.
        assert!(
            closed.is_some_and(|d| d < Duration::from_secs(30)),
            "{what}: still open after a minute ({closed:?})"
        );
    }
    // The listener still serves.
    assert_eq!(server.get("/metrics").status, 200);
}

#[test]
fn malformed_chunk_framing_is_a_bad_request() {
    let server = Server::serve(&[]);
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.write_all(
        b"POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    )
    .expect("write");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
}

#[test]
fn the_receivers_record_count_equals_the_requests_counted_after_concurrent_posts() {
    let server = Server::serve(&[]);
    let senders = 6;
    for round in 0..60 {
        let posts: Vec<_> = (0..senders)
            .map(|i| {
                let (addr, body) = (server.addr, event(&format!("req_round_{round}_{i}")));
                std::thread::spawn(move || {
                    request(
                        addr,
                        "POST",
                        "/v1/logs",
                        &[("Content-Type", "application/json")],
                        Body::Fixed(body.into_bytes()),
                    )
                    .status
                })
            })
            .collect();
        for p in posts {
            assert_eq!(p.join().expect("post"), 200);
        }
        // Every post was answered, so every health report was sent: the last one applied must
        // count them all (an older one arriving last would leave `lines` short for good).
        let expected = (round + 1) * senders;
        server.wait_snapshot(
            &format!("round {round}: lines = requests = {expected}"),
            |s| {
                let lines = s["sources"]
                    .as_array()
                    .and_then(|v| v.iter().find(|x| x["name"] == "otlp"))
                    .map(|r| r["lines"].clone());
                s["totals"]["requests"] == expected && lines == Some(expected.into())
            },
        );
    }
}
