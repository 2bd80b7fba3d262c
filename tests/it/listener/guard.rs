//! The listener against bad senders: every bad payload of issue 11 gets a clear 4xx, is
//! counted as a rejection in the sources (JSON) and in `/metrics`, and changes nothing else;
//! the bearer token is checked and never shown; size limits hold for declared, chunked and
//! gzipped bodies, and a gzip bomb is refused with bounded memory.

use std::io::Write;

use serde_json::{Value, json};

use crate::support::serve::{Body, FIXTURE, Server, fixture_protobuf, request, sample};

/// The fixture with its log record edited.
fn edited(edit: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    edit(&mut v["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]);
    v.to_string()
}

/// Sets (or with `None` removes) an attribute of a log record.
fn attr(record: &mut Value, key: &str, value: Option<Value>) {
    let attrs = record["attributes"].as_array_mut().expect("attributes");
    attrs.retain(|kv| kv["key"] != key);
    if let Some(v) = value {
        attrs.push(json!({"key": key, "value": v}));
    }
}

#[test]
fn every_bad_payload_gets_a_4xx_is_counted_and_changes_nothing() {
    /// (what, headers, body, expected status, records refused)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16, u64);
    let server = Server::serve(&[]);
    assert_eq!(server.post_json_logs(FIXTURE).status, 200);
    let before = server.snapshot()["totals"].clone();
    assert_eq!(before["requests"], 1);

    let json_type = ("Content-Type", "application/json");
    let proto_type = ("Content-Type", "application/x-protobuf");
    let truncated = {
        let p = fixture_protobuf();
        p[..p.len() - 9].to_vec()
    };
    let cases: Vec<Case> = vec![
        (
            "garbage protobuf",
            vec![proto_type],
            b"\xde\xad\xbe\xef\x01\x02".to_vec(),
            400,
            0,
        ),
        ("truncated protobuf", vec![proto_type], truncated, 400, 0),
        (
            "truncated JSON",
            vec![json_type],
            FIXTURE.as_bytes()[..200].to_vec(),
            400,
            0,
        ),
        (
            "wrong-typed JSON",
            vec![json_type],
            br#"{"resourceLogs":"many"}"#.to_vec(),
            400,
            0,
        ),
        (
            "non-numeric intValue",
            vec![json_type],
            edited(|r| attr(r, "input_tokens", Some(json!({"intValue": "lots"})))).into_bytes(),
            400,
            1,
        ),
        (
            "unknown event name",
            vec![json_type],
            edited(|r| {
                r["body"] = json!({"stringValue": "my_app.checkout"});
                attr(
                    r,
                    "event.name",
                    Some(json!({"stringValue": "my_app.checkout"})),
                );
            })
            .into_bytes(),
            400,
            1,
        ),
        (
            "missing model",
            vec![json_type],
            edited(|r| attr(r, "model", None)).into_bytes(),
            400,
            1,
        ),
        (
            "negative tokens",
            vec![json_type],
            edited(|r| attr(r, "output_tokens", Some(json!({"intValue": "-43"})))).into_bytes(),
            400,
            1,
        ),
        (
            "token count as text",
            vec![json_type],
            edited(|r| {
                attr(
                    r,
                    "cache_read_tokens",
                    Some(json!({"stringValue": "a few"})),
                );
            })
            .into_bytes(),
            400,
            1,
        ),
        (
            "absurd timestamp",
            vec![json_type],
            edited(|r| {
                r["timeUnixNano"] = json!("9000000000000000000");
                r["observedTimeUnixNano"] = json!("9000000000000000000");
                attr(
                    r,
                    "event.timestamp",
                    Some(json!({"stringValue": "2255-03-01T00:00:00Z"})),
                );
            })
            .into_bytes(),
            400,
            1,
        ),
        (
            "not OTLP at all",
            vec![("Content-Type", "text/plain")],
            b"hello".to_vec(),
            415,
            0,
        ),
        (
            "gzip that is not",
            vec![json_type, ("Content-Encoding", "gzip")],
            FIXTURE.as_bytes().to_vec(),
            400,
            0,
        ),
        (
            "unknown encoding",
            vec![json_type, ("Content-Encoding", "br")],
            FIXTURE.as_bytes().to_vec(),
            415,
            0,
        ),
    ];
    let mut refused_records = 0;
    for (what, headers, body, status, records) in &cases {
        let r = server.post("/v1/logs", headers, body);
        assert_eq!(r.status, *status, "{what}: {}", r.text());
        refused_records += records;
        if headers.contains(&json_type) && *status == 400 {
            let status: Value = serde_json::from_slice(&r.body).expect("a google.rpc.Status");
            assert!(
                status["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{what}"
            );
        }
    }
    // Nothing else changed…
    assert_eq!(server.snapshot()["totals"], before);
    // …and every refusal is counted, in the JSON sources and in /metrics.
    let receiver = server.receiver();
    assert_eq!(receiver["receiver"]["rejected_payloads"], cases.len());
    assert_eq!(receiver["parse_errors"], refused_records);
    let text = server.wait_metrics("the refusals", |t| {
        sample(t, "costtop_source_rejected_payloads_total{source=\"otlp\"}")
            == Some(cases.len() as f64)
    });
    assert_eq!(
        sample(&text, "costtop_source_parse_errors_total{source=\"otlp\"}"),
        Some(refused_records as f64)
    );
}

#[test]
fn a_payload_with_some_bad_records_is_a_partial_success() {
    let server = Server::serve(&[]);
    let mut v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    let records = v["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
        .as_array_mut()
        .expect("records");
    let mut bad = records[0].clone();
    attr(&mut bad, "output_tokens", Some(json!({"intValue": -1})));
    records.push(bad);
    let r = server.post_json_logs(&v.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Value = serde_json::from_slice(&r.body).expect("JSON");
    assert_eq!(body["partialSuccess"]["rejectedLogRecords"], "1");
    assert!(
        body["partialSuccess"]["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("output_tokens: negative"))
    );
    assert_eq!(server.snapshot()["totals"]["requests"], 1);
}

#[test]
fn a_token_is_required_when_given_and_never_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = "tok-9f8e7d6c5b4a";
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{secret}\n")).expect("write token");

    // A non-loopback address needs a token (refused before anything is bound).
    let err = Server::start(&["serve", "--listen", "0.0.0.0:0"])
        .err()
        .expect("refused");
    assert!(err.contains("--listen-token-file"), "{err}");

    let server = Server::serve(&["--listen-token-file", file.to_str().expect("utf-8")]);
    let bearer = format!("Bearer {secret}");
    let get = |auth: Option<&str>| {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        request(
            server.addr,
            "GET",
            "/metrics",
            &headers,
            Body::Fixed(vec![]),
        )
    };
    let anonymous = get(None);
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    assert_eq!(get(Some("Bearer tok-wrong")).status, 401);
    assert_eq!(get(Some(&bearer)).status, 200);
    let headers = [("Content-Type", "application/json")];
    assert_eq!(
        server.post("/v1/logs", &headers, FIXTURE.as_bytes()).status,
        401
    );
    let with = [
        ("Content-Type", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    assert_eq!(
        server.post("/v1/logs", &with, FIXTURE.as_bytes()).status,
        200
    );
    let page = get(Some(&bearer)).text();
    let stderr = server.stderr();
    assert!(server.terminate().success());
    assert!(
        !stderr.contains(secret) && !page.contains(secret),
        "{stderr}"
    );
}

#[test]
fn size_limits_hold_and_a_gzip_bomb_is_refused_with_bounded_memory() {
    let server = Server::serve(&[]);
    let json_type = ("Content-Type", "application/json");
    let big = vec![b' '; (16 << 20) + 1];
    let declared = server.post("/v1/logs", &[json_type], &big);
    assert_eq!(declared.status, 413);
    // Chunked, without Content-Length (as Claude Code 2.1.197 sends): counted as it arrives.
    let chunks: Vec<Vec<u8>> = big.chunks(1 << 20).map(<[u8]>::to_vec).collect();
    let chunked = request(
        server.addr,
        "POST",
        "/v1/logs",
        &[json_type],
        Body::Chunked(chunks),
    );
    assert_eq!(chunked.status, 413);
    // A small chunked body is read whole.
    let fixture: Vec<Vec<u8>> = FIXTURE.as_bytes().chunks(100).map(<[u8]>::to_vec).collect();
    let ok = request(
        server.addr,
        "POST",
        "/v1/logs",
        &[json_type],
        Body::Chunked(fixture),
    );
    assert_eq!(ok.status, 200, "{}", ok.text());

    // A gzip bomb: 1,024 members of 1 MiB of zeros, 1 GiB inflated, ~1 MiB sent.
    let member = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 1 << 20]).expect("gzip");
        e.finish().expect("gzip")
    };
    let bomb: Vec<u8> = member.repeat(1024);
    assert!(bomb.len() < 2 << 20, "the bomb is small: {}", bomb.len());
    let before = server.peak_rss_kib();
    let gzip = [json_type, ("Content-Encoding", "gzip")];
    let r = server.post("/v1/logs", &gzip, &bomb);
    assert_eq!(r.status, 413, "{}", r.text());
    let grew_mib = server.peak_rss_kib().saturating_sub(before) / 1024;
    assert!(
        grew_mib < 256,
        "the bomb took {grew_mib} MiB (1 GiB if inflated whole)"
    );
    // A real gzip body is fine.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(FIXTURE.as_bytes()).expect("gzip");
    let r = server.post("/v1/logs", &gzip, &e.finish().expect("gzip"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(server.receiver()["receiver"]["rejected_payloads"], 3);
}
