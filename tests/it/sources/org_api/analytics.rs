//! The Analytics API: usage by actor, API key, workspace and product priced exactly (also as
//! opt-in `/metrics` labels), the beta header on every request, pages, revisions, 429s,
//! billed beside list, bad input.

use costtop::aggregate::CounterOptions;
use costtop::outputs::metrics::{Exposition, render};
use costtop::snapshot::GroupBy;

use super::{KEY, Run, cents, mock, options};
use crate::support::org_api::data::UsageRow;
use crate::support::org_api::demo::{self, alice, minute};
use crate::support::org_api::{ANALYTICS_BETA, ANALYTICS_USAGE, Fault, LEGACY_USAGE};

#[tokio::test]
async fn usage_by_actor_key_workspace_and_product_is_exact() {
    let api = mock(demo::small_org()).await;
    let run = Run::start(options(&api)).await;

    // Alice's fast Opus 4.6 bucket is priced ×6: 6¢ + 2¢ (see demo::small_org).
    let expect = |rows: &[(&str, &str)]| -> Vec<(String, costtop::pricing::Money)> {
        rows.iter()
            .map(|(k, c)| ((*k).to_owned(), cents(c)))
            .collect()
    };
    assert_eq!(
        run.rows("actor").await,
        expect(&[
            ("alice@example.com", "8"),
            ("svac_ci", "2.25"),
            ("ci-bot", "0.75")
        ])
    );
    assert_eq!(
        run.rows("api_key").await,
        expect(&[("alice-laptop", "8"), ("ci-bot", "3")])
    );
    assert_eq!(
        run.rows("workspace").await,
        expect(&[("Engineering", "10.25"), ("wrkspc_ops", "0.75")])
    );
    assert_eq!(
        run.rows("product").await,
        expect(&[("claude_code", "8"), ("api", "2.25"), ("(none)", "0.75")])
    );
    let snap = run.snapshot(None).await;
    assert_eq!(snap.totals.cost, cents("11"));
    // The dashboard's `g` cycle: projects, then the organisation's dimensions.
    let cycle: Vec<&str> = snap.groups.iter().map(|g| g.by.as_str()).take(5).collect();
    assert_eq!(
        cycle,
        ["project", "actor", "api_key", "workspace", "product"]
    );

    let hits = api.hits(ANALYTICS_USAGE);
    assert!(
        hits.iter()
            .all(|h| h.beta.as_deref() == Some(ANALYTICS_BETA))
    );
    assert!(hits.iter().all(|h| h.api_key.as_deref() == Some(KEY)));
    assert_eq!(hits[0].param("time_bucket_width"), Some("1m"));
    let groups = hits[0].params("group_by[]");
    for g in [
        "actor",
        "api_key_id",
        "workspace_id",
        "product",
        "speed",
        "model",
    ] {
        assert!(groups.contains(&g), "{g} not in {groups:?}");
    }
    assert!(api.hits(LEGACY_USAGE).is_empty());
    let source = run.source().await;
    assert_eq!(source.state, "ok");
    assert_eq!(
        source.note.as_deref(),
        Some("Usage & Cost Analytics API (beta)")
    );
}

#[tokio::test]
async fn pages_are_joined_and_a_revision_replaces_the_bucket() {
    let api = mock(demo::small_org()).await;
    *api.mock.page_size.lock().unwrap() = 1;
    let run = Run::start(options(&api)).await;
    assert_eq!(run.snapshot(None).await.totals.cost, cents("11"));
    let pages: Vec<String> = api
        .hits(ANALYTICS_USAGE)
        .iter()
        .filter_map(|h| h.param("page").map(str::to_owned))
        .collect();
    assert!(pages.starts_with(&["offset:1".into(), "offset:2".into(), "offset:3".into()]));

    // Anthropic revises Alice's fast bucket: 400 output tokens instead of 200 (+3¢).
    api.revise(|d| d.usage[0].tokens.output = 400);
    let snap = run
        .until("the revision", |s| s.totals.cost != cents("11"))
        .await;
    assert_eq!(snap.totals.cost, cents("14"));
    assert_eq!(snap.totals.output_tokens, 400 + 400 + 1000 + 500);
    // A bucket that vanishes from a re-polled range goes to zero.
    api.revise(|d| d.usage.truncate(3));
    run.until("the vanished bucket", |s| s.totals.cost == cents("13.25"))
        .await;
}

#[tokio::test]
async fn throttling_with_and_without_retry_after_is_waited_out() {
    let api = mock(demo::small_org()).await;
    api.fault(ANALYTICS_USAGE, Fault::RateLimited(Some(1)));
    api.fault(ANALYTICS_USAGE, Fault::RateLimited(None));
    api.fault(ANALYTICS_USAGE, Fault::Status(503));
    let run = Run::start(options(&api)).await;
    assert_eq!(run.snapshot(None).await.totals.cost, cents("11"));
    let hits = api.hits(ANALYTICS_USAGE);
    assert!(hits.len() >= 4, "three faults, then the answer");
    // Told to wait is no fault; the 503 was one, and was recovered from.
    let source = run.source().await;
    assert_eq!((source.state.as_str(), source.reason), ("ok", None));
    // Throttling never sends the source to the legacy API.
    assert!(api.hits(LEGACY_USAGE).is_empty());
}

#[tokio::test]
async fn billed_is_shown_beside_the_list_price() {
    let api = mock(demo::small_org()).await;
    let mut opts = options(&api);
    // The mock bills yesterday: the backfill starts before it.
    opts.since = chrono::Utc::now() - chrono::Duration::days(2);
    let run = Run::start(opts).await;
    let snap = run.snapshot(None).await;
    let json = serde_json::to_value(&*snap).unwrap();
    let day = &json["reconciliation"][0];
    assert_eq!(day["billed_usd"], 4.25);
    assert_eq!(day["list_usd"], 5.0);
    assert_eq!(day["discount_pct"], 15.0);
}

#[tokio::test]
async fn bad_answers_are_reported_and_unknown_values_kept_as_text() {
    let mut data = demo::small_org();
    let mut flex = UsageRow::new(minute(2), alice(), "claude-sonnet-4-5", 1_000_000, 0);
    flex.service_tier = "flex".into();
    flex.inference_geo = Some("eu".into());
    data.usage.push(flex);
    let api = mock(data).await;
    api.fault(ANALYTICS_USAGE, Fault::Garbage);
    let run = Run::start(options(&api)).await;
    // Priced as standard ($3), never dropped, and the value shown as a tag.
    let snap = run.snapshot(Some("tag:service_tier")).await;
    assert_eq!(snap.totals.cost, cents("311"));
    assert_eq!(snap.rows[0].key, "flex");
    let geo = run.snapshot(Some("tag:inference_geo")).await;
    assert_eq!(geo.rows[0].key, "eu");
    let by_actor = run.snapshot(Some("actor")).await;
    assert_eq!(by_actor.rows[0].key, "alice@example.com");
    assert_eq!(by_actor.rows[0].totals.cost, cents("308"));
    assert!(
        api.hits(ANALYTICS_USAGE).len() >= 2,
        "the garbage was retried"
    );
    assert!(matches!(
        "actor".parse::<GroupBy>(),
        Ok(GroupBy::Org(costtop::usage::OrgDimension::Actor))
    ));
}

#[tokio::test]
async fn actor_and_product_are_opt_in_metrics_labels() {
    let api = mock(demo::small_org()).await;
    let counters = CounterOptions {
        labels: vec!["actor".into(), "product".into()],
        ..CounterOptions::default()
    };
    let run = Run::start_with(options(&api), Some(counters)).await;
    let text = render(&run.snapshot(None).await, Exposition::Text);
    let cost = |labels: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("costtop_cost_usd_total{{{labels}}} ")))
            .map(str::to_owned)
    };
    // Alice's two Opus 4.6 buckets: fast 6¢ and standard 2¢ (see demo::small_org).
    let alice = "actor=\"alice@example.com\",product=\"claude_code\"";
    assert_eq!(
        cost(&format!(
            "model=\"claude-opus-4-6\",tier=\"standard\",speed=\"fast\",{alice}"
        ))
        .as_deref(),
        Some("0.06"),
        "{text}"
    );
    assert_eq!(
        cost(&format!(
            "model=\"claude-opus-4-6\",tier=\"standard\",speed=\"standard\",{alice}"
        ))
        .as_deref(),
        Some("0.02"),
        "{text}"
    );
}
