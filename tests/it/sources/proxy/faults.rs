//! Bad input on either side of the proxy: the client gets what the upstream sent (or, when the
//! upstream cannot be reached or stays silent, the proxy's answer in the API's error
//! envelope), costtop keeps running, counts and shows the failure, and nothing is counted
//! twice or half.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::proxy::{API_KEY, Proxied, message_body};
use crate::support::serve::{Body, DEADLINE, Server, free_port, request};

/// A config file with a short idle timeout, and the `--config` arguments naming it.
fn short_idle() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    std::fs::write(&path, "[proxy]\nidle_timeout = \"2s\"\n").unwrap();
    let arg = path.to_string_lossy().into_owned();
    (tmp, arg)
}

/// The error envelope of a reply: its `error.type`.
fn error_type(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(v["type"], "error", "{text}");
    v["error"]["type"].as_str().unwrap_or_default().to_owned()
}

/// A good request after a bad one: counted alone (costtop kept running, the bad one added
/// nothing).
fn still_counts(p: &Proxied) {
    let r = p.message(&[], &message_body("claude-sonnet-5-5", true, 1024));
    assert_eq!(r.status, 200);
    let billed: Vec<_> = p
        .mock
        .served()
        .into_iter()
        .filter(|s| s.fault.is_none())
        .collect();
    p.wait_totals(&billed);
}

#[test]
fn upstream_errors_and_retry_after_reach_the_client_unchanged() {
    let p = Proxied::start(&[]);
    for status in ["429", "529"] {
        let fault = format!("status={status}");
        let r = p.message(
            &[("mock-fault", &fault)],
            &message_body("claude-sonnet-5-5", false, 9),
        );
        assert_eq!(r.status.to_string(), status);
        assert_eq!(r.header("retry-after"), Some("7"));
        assert!(
            r.text().contains(&format!("mock fault {status}")),
            "{}",
            r.text()
        );
    }
    let source = p.wait_source("two errors", |s| s["proxy"]["errors"] == 2);
    assert_eq!(
        source["parse_errors"], 0,
        "an error answer is not a failure to count"
    );
    still_counts(&p);
}

#[test]
fn an_unreachable_upstream_gets_a_502_in_the_apis_envelope() {
    let closed = format!("http://127.0.0.1:{}", free_port());
    let server = Server::serve(&["--proxy", "127.0.0.1:0", "--upstream", &closed]);
    let proxy = server.proxy_addr();
    let body = message_body("claude-sonnet-5-5", false, 9).to_string();
    let r = request(
        proxy,
        "POST",
        "/v1/messages",
        &[("x-api-key", API_KEY)],
        Body::Fixed(body.into_bytes()),
    );
    assert_eq!(r.status, 502, "{}", r.text());
    assert_eq!(error_type(&r.text()), "api_error");
    assert!(
        r.text().contains("cannot reach the upstream"),
        "{}",
        r.text()
    );
    let snap = server.wait_snapshot("the 502 counted", |s| {
        s["sources"].as_array().is_some_and(|list| {
            list.iter()
                .any(|s| s["name"] == "proxy" && s["proxy"]["errors"] == 1)
        })
    });
    assert_eq!(snap["totals"]["requests"], 0);
}

#[test]
fn an_upstream_that_hangs_gets_a_504_after_the_idle_timeout() {
    let (_tmp, config) = short_idle();
    let p = Proxied::start(&["--config", &config]);
    let r = p.message(
        &[("mock-fault", "hang")],
        &message_body("claude-sonnet-5-5", false, 9),
    );
    assert_eq!(r.status, 504, "{}", r.text());
    assert_eq!(error_type(&r.text()), "timeout_error");
    still_counts(&p);
}

#[test]
fn a_stream_that_goes_silent_is_cut_and_not_counted() {
    let (_tmp, config) = short_idle();
    let p = Proxied::start(&["--config", &config]);
    let r = p.message(
        &[("mock-fault", "pause")],
        &message_body("claude-sonnet-5-5", true, 1024),
    );
    assert!(r.text().contains("event: message_start"), "{}", r.text());
    assert!(!r.text().contains("message_stop"), "{}", r.text());
    let source = p.wait_source("one unaccounted", |s| s["parse_errors"] == 1);
    assert!(
        source["first_error"]
            .as_str()
            .unwrap_or_default()
            .contains("silent"),
        "{source}"
    );
    let deadline = Instant::now() + DEADLINE;
    while p.mock.aborted() == 0 {
        assert!(
            Instant::now() < deadline,
            "the upstream request was never cancelled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(p.server.snapshot()["totals"]["requests"], 0);
}

#[test]
fn reset_truncated_and_garbage_responses_pass_as_sent_and_count_nothing() {
    let p = Proxied::start(&[]);
    let reset = p.message(
        &[("mock-fault", "reset")],
        &message_body("claude-sonnet-5-5", true, 64),
    );
    assert!(
        reset.text().contains("event: message_start"),
        "{}",
        reset.text()
    );
    assert!(!reset.text().contains("message_delta"));
    let cut = p.message(
        &[("mock-fault", "truncate")],
        &message_body("claude-sonnet-5-5", true, 64),
    );
    assert_eq!(cut.status, 200);
    let sent = p.mock.served()[1].sent.clone();
    assert!(
        sent.starts_with(&cut.text()) && cut.text().len() < sent.len(),
        "{}",
        cut.text()
    );
    let garbage = p.message(
        &[("mock-fault", "garbage")],
        &message_body("claude-sonnet-5-5", false, 64),
    );
    assert_eq!(
        (garbage.status, garbage.text().as_str()),
        (200, "<html>upstream garbage")
    );
    let source = p.wait_source("three unaccounted", |s| s["parse_errors"] == 3);
    assert_eq!(source["lines"], 0, "{source}");
    still_counts(&p);
}

#[test]
fn garbage_huge_and_slow_bodies_from_a_client_leave_costtop_running() {
    let p = Proxied::start(&[]);
    // Not HTTP at all.
    let mut conn = TcpStream::connect(p.proxy).unwrap();
    conn.write_all(b"\x00\xff garbage \r\n\r\n").unwrap();
    conn.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    assert!(
        answer.is_empty() || String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // A body declared larger than the API takes: refused before it is read or forwarded.
    let mut conn = TcpStream::connect(p.proxy).unwrap();
    write!(
        conn,
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{{",
        100u64 << 20
    )
    .unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("request_too_large"), "{answer}");
    // A slow body, in chunks: forwarded as it comes.
    let body = message_body("claude-sonnet-5-5", false, 1024)
        .to_string()
        .into_bytes();
    let chunks: Vec<Vec<u8>> = body
        .chunks(body.len() / 3 + 1)
        .map(<[u8]>::to_vec)
        .collect();
    let slow = request(
        p.proxy,
        "POST",
        "/v1/messages",
        &[("x-api-key", API_KEY)],
        Body::Chunked(chunks),
    );
    assert_eq!(slow.status, 200, "{}", slow.text());
    assert!(
        p.mock
            .served()
            .iter()
            .all(|s| s.model == "claude-sonnet-5-5")
    );
    still_counts(&p);
}

#[test]
fn a_client_that_goes_away_cancels_its_upstream_request() {
    let p = Proxied::start(&[]);
    let body = message_body("claude-sonnet-5-5", true, 1024).to_string();
    let mut conn = TcpStream::connect(p.proxy).unwrap();
    write!(
        conn,
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nmock-fault: pause\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while !String::from_utf8_lossy(&got).contains("message_start") {
        assert!(Instant::now() < deadline, "no message_start");
        let mut buf = [0u8; 4096];
        if let Ok(n) = conn.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    drop(conn);
    p.wait_source("one cancelled", |s| s["proxy"]["cancelled"] == 1);
    let deadline = Instant::now() + DEADLINE;
    while p.mock.aborted() == 0 {
        assert!(
            Instant::now() < deadline,
            "the upstream request was never cancelled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(p.server.snapshot()["totals"]["requests"], 0);
    still_counts(&p);
}
