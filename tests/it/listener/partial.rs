//! OTLP partial success (issue 23): records that do not decode — an `intValue` above 2⁶⁴, a
//! `timeUnixNano` of `-1` or `"abc"`, an attribute nested past the documented bound — are
//! refused one by one; the valid records beside them are counted, and the answer is 200 with
//! `partialSuccess` naming how many were refused and why. An attribute nested deep but within
//! the bound is accepted.

use serde_json::{Value, json};

use crate::support::serve::{FIXTURE, FIXTURE_REQUEST, Server};

/// The fixture's log record under another request id.
fn record(id: &str) -> Value {
    let v: Value = serde_json::from_str(&FIXTURE.replace(FIXTURE_REQUEST, id)).expect("fixture");
    v["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0].clone()
}

/// A string attribute wrapped in `depth` levels of `arrayValue`.
fn nested(depth: usize) -> Value {
    let mut v = json!({"stringValue": "leaf"});
    for _ in 0..depth {
        v = json!({"arrayValue": {"values": [v]}});
    }
    v
}

fn with_attr(mut r: Value, key: &str, value: &Value) -> Value {
    let attrs = r["attributes"].as_array_mut().expect("attributes");
    attrs.retain(|kv| kv["key"] != key);
    attrs.push(json!({"key": key, "value": value.clone()}));
    r
}

#[test]
fn records_that_do_not_decode_are_refused_alone_and_the_rest_counted() {
    let server = Server::serve(&[]);
    let mut huge = record("req_partial_huge");
    huge = with_attr(
        huge,
        "input_tokens",
        &json!({"intValue": "18446744073709551616"}),
    );
    let mut minus = record("req_partial_minus");
    minus["timeUnixNano"] = json!(-1);
    let mut abc = record("req_partial_abc");
    abc["timeUnixNano"] = json!("abc");
    let too_deep = with_attr(record("req_partial_deep64"), "note", &nested(64));
    let deep_ok = with_attr(record("req_partial_deep30"), "note", &nested(30));
    let good = record("req_partial_good");
    let mut v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    v["resourceLogs"][0]["scopeLogs"][0]["logRecords"] =
        json!([huge, good, minus, deep_ok, abc, too_deep]);

    let r = server.post_json_logs(&v.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Value = serde_json::from_slice(&r.body).expect("JSON");
    assert_eq!(body["partialSuccess"]["rejectedLogRecords"], "4", "{body}");
    let message = body["partialSuccess"]["errorMessage"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("record 0"),
        "the first refusal is named: {message}"
    );
    assert_eq!(server.snapshot()["totals"]["requests"], 2);
    let receiver = server.receiver();
    assert_eq!(receiver["lines"], 6, "{receiver}");
    assert_eq!(receiver["parse_errors"], 4, "{receiver}");
}

#[test]
fn a_payload_of_only_bad_records_is_refused_with_the_count() {
    let server = Server::serve(&[]);
    let mut minus = record("req_partial_only");
    minus["timeUnixNano"] = json!(-1);
    let mut v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    v["resourceLogs"][0]["scopeLogs"][0]["logRecords"] = json!([minus]);
    let r = server.post_json_logs(&v.to_string());
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(server.receiver()["parse_errors"], 1);
}
