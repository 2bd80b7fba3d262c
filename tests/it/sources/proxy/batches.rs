//! Message Batches through the proxy: created with tags, retrieved (its `results_url` now on
//! the proxy), results downloaded twice → each result counted once, at batch prices, with
//! the creating request's tags and each request's user.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::claude_code::{Served, expected_cost};
use crate::support::proxy::{Proxied, tag_rows};

fn params(model: &str, max_tokens: u64) -> Value {
    json!({"model": model, "max_tokens": max_tokens,
           "messages": [{"role": "user", "content": "Summarise the night."}]})
}

#[test]
fn results_downloaded_twice_count_once_at_batch_prices_with_their_tags() {
    let p = Proxied::start(&[]);
    let mut a = params("claude-haiku-5-5", 1024);
    a["metadata"] = json!({"user_id": "u-a"});
    let body = json!({"requests": [
        {"custom_id": "a", "params": a},
        {"custom_id": "b", "params": params("claude-sonnet-5-5", 10)},
        {"custom_id": "err-c", "params": params("claude-sonnet-5-5", 1024)},
    ]});
    let tags = [("costtop-tag-feature", "nightly"), ("mock-tag", "nightly")];
    let created = p.send(
        "POST",
        "/v1/messages/batches",
        &tags,
        body.to_string().as_bytes(),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let created: Value = serde_json::from_slice(&created.body).unwrap();
    assert_eq!(created["results_url"], Value::Null);
    let id = created["id"].as_str().unwrap().to_owned();

    let retrieved = p.send("GET", &format!("/v1/messages/batches/{id}"), &[], b"");
    assert_eq!(retrieved.status, 200);
    let retrieved: Value = serde_json::from_slice(&retrieved.body).unwrap();
    let results_url = retrieved["results_url"].as_str().unwrap().to_owned();
    assert_eq!(
        results_url,
        format!("{}/v1/messages/batches/{id}/results", p.base_url()),
        "results_url points at the proxy"
    );
    let path = results_url.trim_start_matches(&p.base_url()).to_owned();
    let first = p.send("GET", &path, &[], b"");
    let second = p.send("GET", &path, &[], b"");
    assert_eq!(first.status, 200);
    assert_eq!(first.text(), second.text());
    assert_eq!(first.text().lines().count(), 3);

    let served: Vec<Served> = p.mock.served();
    assert_eq!(served.len(), 3);
    let snap = p.wait_totals(&served);
    assert_eq!(snap["batch"]["share_of_requests"], 1.0, "{}", snap["batch"]);
    let cost = |s: &[Served]| json!(expected_cost(s)).as_f64().unwrap_or_default();
    assert_eq!(
        tag_rows(&p.server, "feature"),
        [("nightly".to_owned(), 3, cost(&served))]
    );
    assert_eq!(
        tag_rows(&p.server, "user"),
        [
            ("(none)".to_owned(), 2, cost(&served[1..])),
            ("u-a".to_owned(), 1, cost(&served[..1])),
        ]
    );
    // The second download is read too, and adds nothing.
    std::thread::sleep(Duration::from_millis(500));
    let source = p.source();
    assert_eq!(source["lines"], 3, "{source}");
    assert_eq!(source["parse_errors"], 0, "{source}");
    p.wait_totals(&served);
}
