//! Never an open proxy: loopback unless given a token (or told to be insecure), clients
//! without the token refused and the token never passed on, absolute URLs and `CONNECT`
//! refused before anything reaches the upstream.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::support::claude_code::{MockApi, MockOptions};
use crate::support::proxy::{Proxied, message_body};
use crate::support::serve::{Body, DEADLINE, Server, request};

#[test]
fn a_non_loopback_proxy_needs_a_token_or_insecure_listen() {
    let mock = MockApi::start(MockOptions::default());
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--proxy",
        "0.0.0.0:0",
        "--upstream",
        mock.base_url(),
    ];
    let err = Server::start(&args).err().expect("refused");
    assert!(err.contains("needs --listen-token-file"), "{err}");
    assert!(err.contains("costtop-token"), "{err}");
}

#[test]
fn with_a_token_only_requests_carrying_it_pass_and_it_is_not_passed_on() {
    let tmp = tempfile::tempdir().unwrap();
    let token = tmp.path().join("token");
    std::fs::write(&token, "proxy-token-123\n").unwrap();
    let token_arg = token.to_string_lossy().into_owned();
    let p = Proxied::start(&["--listen-token-file", &token_arg]);
    let body = message_body("claude-sonnet-5-5", false, 64);
    let refused = p.message(&[], &body);
    assert_eq!(refused.status, 401, "{}", refused.text());
    assert!(refused.text().contains("authentication_error"));
    assert!(p.mock.served().is_empty());
    let passed = p.message(&[("costtop-token", "proxy-token-123")], &body);
    assert_eq!(passed.status, 200, "{}", passed.text());
    let served = p.mock.served();
    assert_eq!(served.len(), 1);
    assert!(
        served[0].costtop_headers.is_empty(),
        "{:?}",
        served[0].costtop_headers
    );
}

#[test]
fn absolute_urls_and_connect_are_refused_and_never_forwarded() {
    let p = Proxied::start(&[]);
    let absolute = request(
        p.proxy,
        "POST",
        "http://example.com/v1/messages",
        &[],
        Body::Fixed(
            message_body("claude-sonnet-5-5", false, 64)
                .to_string()
                .into_bytes(),
        ),
    );
    assert_eq!(absolute.status, 400, "{}", absolute.text());
    assert!(absolute.text().contains("not an open proxy"));
    let mut conn = TcpStream::connect(p.proxy).unwrap();
    conn.write_all(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        .unwrap();
    conn.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut answer = [0u8; 64];
    let n = conn.read(&mut answer).unwrap_or(0);
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(p.mock.served().is_empty());
    let source = p.wait_source("two refused", |s| s["proxy"]["requests"] == 2);
    assert_eq!(source["proxy"]["errors"], 2, "{source}");
}
