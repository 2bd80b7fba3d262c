//! Requests through the proxy reach the mock unchanged (without costtop's own headers), come
//! back byte for byte as the mock sent them, stream as they are sent, and are counted once —
//! with their tags, user, key fingerprint and client — also when a transcript holds the same
//! request; the API key appears in nothing costtop writes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::claude_code::{Served, expected_cost};
use crate::support::proxy::{API_KEY, Proxied, message_body, tag_rows};
use crate::support::serve::{DEADLINE, transcripts};

/// The cost of `served` as the snapshot writes it.
fn usd(served: &[Served]) -> f64 {
    json!(expected_cost(served)).as_f64().unwrap_or_default()
}

#[test]
fn requests_pass_unchanged_and_count_once_with_their_tags() {
    let p = Proxied::start(&[]);
    let sends: [(&str, bool, u64, &str, Option<&str>); 4] = [
        ("claude-sonnet-5-5", false, 1024, "chat", None),
        ("claude-sonnet-5-5", true, 1024, "chat", None),
        ("claude-haiku-5-5", false, 10, "classify", None),
        ("claude-opus-5-5", true, 1024, "agent", Some("u-1")),
    ];
    let mut replies = Vec::new();
    for (model, stream, max_tokens, feature, user) in sends {
        let mut body = message_body(model, stream, max_tokens);
        if let Some(user) = user {
            body["metadata"] = json!({"user_id": user});
        }
        let headers = [
            ("costtop-tag-feature", feature),
            ("mock-tag", feature),
            ("user-agent", "Anthropic/Python 2.10.0"),
        ];
        replies.push(p.message(&headers, &body));
    }
    let counted = p.send(
        "POST",
        "/v1/messages/count_tokens",
        &[("user-agent", "Anthropic/Python 2.10.0")],
        br#"{"model":"claude-haiku-5-5","messages":[]}"#,
    );
    assert_eq!(counted.status, 200, "{}", counted.text());

    let served = p.mock.served();
    assert_eq!(served.len(), 4);
    for (reply, s) in replies.iter().zip(&served) {
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(
            reply.text(),
            s.sent,
            "the body the client got is the mock's"
        );
        assert_eq!(reply.header("request-id"), Some(s.request_id.as_str()));
        assert!(s.costtop_headers.is_empty(), "{:?}", s.costtop_headers);
    }
    assert_eq!(served[2].stop_reason, "max_tokens");
    assert_eq!(served[3].user.as_deref(), Some("u-1"));

    let snap = p.wait_totals(&served);
    assert_eq!(snap["output_tokens"]["max_tokens_share"], 0.25);
    let by_feature = tag_rows(&p.server, "feature");
    let truth: Vec<(String, u64, f64)> = ["agent", "chat", "classify"]
        .iter()
        .map(|f| {
            let group: Vec<Served> = served
                .iter()
                .filter(|s| s.tag.as_deref() == Some(*f))
                .cloned()
                .collect();
            ((*f).to_owned(), group.len() as u64, usd(&group))
        })
        .collect();
    assert_eq!(by_feature, truth);
    assert_eq!(
        tag_rows(&p.server, "user"),
        [
            ("(none)".to_owned(), 3, usd(&served[..3])),
            ("u-1".to_owned(), 1, usd(&served[3..])),
        ]
    );
    let clients = tag_rows(&p.server, "client");
    assert_eq!(clients.len(), 1);
    assert_eq!(
        (clients[0].0.as_str(), clients[0].1),
        ("anthropic-python", 4)
    );
    let keys = tag_rows(&p.server, "key");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].0.len(), 12, "a fingerprint: {keys:?}");

    let source = p.wait_source("five requests", |s| s["proxy"]["requests"] == 5);
    assert_eq!(source["lines"], 4, "four records: {source}");
    assert_eq!(source["parse_errors"], 0, "{source}");
    assert_eq!(source["proxy"]["errors"], 0);
    assert_eq!(source["proxy"]["clients"], 1);
    assert_eq!(
        source["proxy"]["by_status"],
        json!([{"status": 200, "from_proxy": false, "count": 5}])
    );
    assert_eq!(
        source["proxy"]["upstream"],
        p.mock.base_url().trim_start_matches("http://")
    );
    assert_eq!(source["proxy"]["added_latency"]["count"], 5);
}

#[test]
fn an_event_reaches_the_client_as_soon_as_the_upstream_sends_it() {
    let p = Proxied::start(&[]);
    let body = message_body("claude-sonnet-5-5", true, 1024).to_string();
    let mut conn = TcpStream::connect(p.proxy).unwrap();
    write!(
        conn,
        "POST /v1/messages HTTP/1.1\r\nHost: {}\r\nx-api-key: {API_KEY}\r\nmock-fault: pause\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        p.proxy,
        body.len()
    )
    .unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    // The mock sent `message_start` and holds the rest: the client has it all the same.
    while !String::from_utf8_lossy(&got).contains("event: message_start") {
        assert!(
            Instant::now() < deadline,
            "message_start never arrived: {got:?}"
        );
        let mut buf = [0u8; 4096];
        if let Ok(n) = conn.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    assert!(!String::from_utf8_lossy(&got).contains("message_delta"));
    p.mock.resume(1);
    conn.set_read_timeout(Some(DEADLINE)).unwrap();
    let _ = conn.read_to_end(&mut got);
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("event: message_stop"), "{text}");
    p.wait_totals(&p.mock.served());
}

/// A transcript line of a served request, as Claude Code writes it.
fn transcript_line(s: &Served) -> String {
    let u = &s.usage;
    json!({
        "type": "assistant", "requestId": s.request_id, "timestamp": s.at.to_rfc3339(),
        "sessionId": "9f0c7d1e-0000-4000-8000-000000000001", "cwd": "/home/me/app",
        "message": {"id": s.message_id, "model": s.model, "role": "assistant",
            "stop_reason": s.stop_reason, "content": [],
            "usage": crate::support::claude_code::script::usage_json(u, u.output)},
    })
    .to_string()
        + "\n"
}

#[test]
fn a_request_a_transcript_also_holds_counts_once() {
    let (_tmp, dir) = transcripts();
    let dir_arg = dir.to_string_lossy().into_owned();
    let p = Proxied::start(&[&dir_arg]);
    let reply = p.message(&[], &message_body("claude-sonnet-4-6", true, 1024));
    assert_eq!(reply.status, 200);
    let served = p.mock.served();
    p.wait_totals(&served);
    std::fs::write(dir.join("session.jsonl"), transcript_line(&served[0])).unwrap();
    let snap = p.server.wait_snapshot("the transcript read", |snap| {
        snap["sources"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["lines"] == 1 && s["name"] != "proxy"))
    });
    assert_eq!(snap["totals"]["requests"], 1, "{}", snap["totals"]);
    p.wait_totals(&served);
}

#[test]
fn the_api_key_appears_in_nothing_costtop_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join("record.jsonl");
    let record_arg = record.to_string_lossy().into_owned();
    let mock = crate::support::claude_code::MockApi::start(
        crate::support::claude_code::MockOptions::default(),
    );
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--proxy",
        "127.0.0.1:0",
        "--upstream",
        mock.base_url(),
        "--record",
        &record_arg,
        "--window",
        "all",
        "--since",
        "2000-01-01",
    ];
    let server = crate::support::serve::Server::start_with(&args, &[("COSTTOP_LOG", "trace")])
        .expect("costtop serve starts");
    let proxy = server.proxy_addr();
    let bearer = format!("Bearer {API_KEY}");
    for (auth, value) in [("x-api-key", API_KEY), ("authorization", bearer.as_str())] {
        let body = message_body("claude-sonnet-5-5", true, 1024).to_string();
        let headers = [(auth, value), ("content-type", "application/json")];
        let r = crate::support::serve::request(
            proxy,
            "POST",
            "/v1/messages",
            &headers,
            crate::support::serve::Body::Fixed(body.into_bytes()),
        );
        assert_eq!(r.status, 200);
    }
    // A refused one too: its error names the upstream, never the key.
    let r = crate::support::serve::request(
        proxy,
        "GET",
        "http://elsewhere.example/v1/messages",
        &[("x-api-key", API_KEY)],
        crate::support::serve::Body::Fixed(Vec::new()),
    );
    assert_eq!(r.status, 400);
    let truth = mock.served();
    let snap = server.wait_snapshot("both counted", |s| s["totals"]["requests"] == 2);
    let by_key = server.get("/api/v1/snapshot?by=tag:key").text();
    let metrics = server.get("/metrics").text();
    std::thread::sleep(Duration::from_millis(300));
    let stderr = server.stderr();
    let secret = &API_KEY["sk-ant-api03-".len()..];
    // Every file costtop wrote under its home (log files, state) too.
    for entry in walkdir::WalkDir::new(server.home()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "the API key is in {}", entry.path().display());
        }
    }
    assert!(server.terminate().success());
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert!(recorded.lines().count() >= 2, "{recorded}");
    for (what, text) in [
        ("the snapshot", snap.to_string()),
        ("the snapshot by key", by_key),
        ("/metrics", metrics),
        ("the log (stderr, trace)", stderr),
        ("--record", recorded),
    ] {
        assert!(!text.contains(secret), "the API key is in {what}:\n{text}");
    }
    assert_eq!(truth.len(), 2);
}

#[test]
fn metrics_show_requests_by_status_and_the_added_latency() {
    let p = Proxied::start(&[]);
    p.message(&[], &message_body("claude-sonnet-5-5", false, 1024));
    p.message(
        &[("mock-fault", "status=429")],
        &message_body("claude-sonnet-5-5", false, 1024),
    );
    let text = p.server.wait_metrics("the proxy's families", |t| {
        t.contains("costtop_proxy_requests_total{source=\"proxy\",status=\"429\",answered_by=\"upstream\"} 1")
    });
    assert!(
        text.contains("costtop_proxy_requests_total{source=\"proxy\",status=\"200\",answered_by=\"upstream\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("costtop_proxy_added_latency_seconds_count{source=\"proxy\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("costtop_proxy_unaccounted_total{source=\"proxy\"} 0"),
        "{text}"
    );
    let _: Value = p.source();
}
