//! The legacy path: the fall back when the Analytics API cannot be used (404, 403, a refused
//! beta), said in the source's note; fast mode priced there too through the speed grouping
//! and its beta header; a rejected key is no reason to fall back.

use costtop::sources::admin_api::UsageApi;

use super::{KEY, Run, cents, mock, options};
use crate::support::org_api::demo;
use crate::support::org_api::{
    ANALYTICS_USAGE, Analytics, FAST_MODE_BETA, LEGACY_COST, LEGACY_USAGE,
};

#[tokio::test]
async fn refused_analytics_falls_back_to_the_legacy_report_and_says_why() {
    let cases = [
        (Analytics::NotFound, "HTTP 404"),
        (
            Analytics::Forbidden,
            "HTTP 403: it needs an Admin key or the read:analytics scope",
        ),
        (
            Analytics::BetaRefused,
            "HTTP 400: beta not enabled for this organization",
        ),
    ];
    for (mode, why) in cases {
        let api = mock(demo::small_org()).await;
        api.set_analytics(mode);
        let run = Run::start(options(&api)).await;

        // Fast mode is priced on the legacy path too: 6¢ + 2¢ for Alice's key.
        let expect = vec![
            ("alice-laptop".to_owned(), cents("8")),
            ("ci-bot".to_owned(), cents("3")),
        ];
        assert_eq!(run.rows("api_key").await, expect, "{mode:?}");
        assert_eq!(
            run.rows("workspace").await[0],
            ("Engineering".to_owned(), cents("10.25"))
        );
        let note = run.source().await.note.unwrap_or_default();
        assert!(note.starts_with("legacy usage report: "), "{note}");
        assert!(note.contains(why), "{mode:?}: {note}");
        assert!(note.contains("no actor or product"), "{note}");
        assert!(!note.contains(KEY));

        let legacy = api.hits(LEGACY_USAGE);
        assert!(legacy[0].params("group_by[]").contains(&"speed"));
        assert_eq!(legacy[0].beta.as_deref(), Some(FAST_MODE_BETA));
        assert!(!api.hits(LEGACY_COST).is_empty(), "the legacy cost report");
        // One probe, then the legacy API only.
        assert_eq!(api.hits(ANALYTICS_USAGE).len(), 1, "{mode:?}");
    }
}

#[tokio::test]
async fn without_the_speed_grouping_fast_mode_is_standard_and_the_note_says_so() {
    let api = mock(demo::small_org()).await;
    api.set_analytics(Analytics::NotFound);
    *api.mock.legacy_refuses_speed.lock().unwrap() = true;
    let run = Run::start(options(&api)).await;
    // Alice's fast bucket at standard rates: 1¢ instead of 6¢.
    assert_eq!(
        run.rows("api_key").await[0],
        ("alice-laptop".into(), cents("3"))
    );
    let note = run.source().await.note.unwrap_or_default();
    assert!(note.contains("fast mode cannot be told apart"), "{note}");
    let legacy = api.hits(LEGACY_USAGE);
    assert!(
        legacy
            .last()
            .unwrap()
            .params("group_by[]")
            .iter()
            .all(|g| *g != "speed")
    );
}

#[tokio::test]
async fn the_legacy_api_can_be_chosen_and_analytics_is_never_asked() {
    let api = mock(demo::small_org()).await;
    let mut opts = options(&api);
    opts.usage_api = UsageApi::Legacy;
    let run = Run::start(opts).await;
    assert_eq!(run.snapshot(None).await.totals.cost, cents("11"));
    assert!(api.hits(ANALYTICS_USAGE).is_empty());
    let note = run.source().await.note.unwrap_or_default();
    assert!(
        note.starts_with("legacy usage report (usage_api = \"legacy\")"),
        "{note}"
    );
}

#[tokio::test]
async fn a_rejected_key_is_an_error_not_a_fall_back() {
    let api =
        crate::support::org_api::OrgApi::start("sk-ant-admin01-another-key", demo::small_org())
            .await;
    let (tx, _rx) = tokio::sync::mpsc::channel(64);
    let task = costtop::sources::admin_api::spawn_admin_api(options(&api), super::key(), tx);
    crate::support::org_api::wait_for_hits(&api, ANALYTICS_USAGE, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    task.abort();
    assert!(
        api.hits(LEGACY_USAGE).is_empty(),
        "401 is the key, not the API"
    );
}
