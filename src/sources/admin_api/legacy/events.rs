//! Legacy usage buckets → `UsageEvent`s with replacement semantics, and legacy cost rows →
//! `BilledCost`s.
//!
//! Every result row of a bucket is one `EventKind::Bucket` event whose key is the bucket's
//! identity and whose rank is the poll sequence, so the aggregator replaces a bucket seen
//! before.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};

use super::schema::{CostBucket, UsageBucket, UsageRow};
use crate::pricing::Money;
use crate::sources::admin_api::bucket::{BucketRow, bucket_event, key_part};
use crate::sources::admin_api::client::ApiError;
use crate::sources::admin_api::org::Names;
use crate::usage::{BilledCost, OrgDimension, UsageEvent, dedupe_key};

/// One event per result row of every bucket, all with rank `rank`; keys and workspaces by
/// name where `names` knows them.
pub(crate) fn bucket_events(buckets: &[UsageBucket], rank: u64, names: &Names) -> Vec<UsageEvent> {
    buckets
        .iter()
        .flat_map(|b| {
            b.results
                .iter()
                .map(move |r| row_event(b.starting_at, r, rank, names))
        })
        .collect()
}

fn row_event(start: DateTime<Utc>, row: &UsageRow, rank: u64, names: &Names) -> UsageEvent {
    let stamp = start.to_rfc3339_opts(SecondsFormat::Secs, true);
    let key = dedupe_key(&[
        b"admin",
        stamp.as_bytes(),
        key_part(row.model.as_deref()),
        key_part(row.service_tier.as_deref()),
        key_part(row.context_window.as_deref()),
        key_part(row.workspace_id.as_deref()),
        key_part(row.api_key_id.as_deref()),
        key_part(row.inference_geo.as_deref()),
        key_part(row.speed.as_deref()),
    ]);
    let mut dims = Vec::new();
    if let Some(id) = &row.api_key_id {
        dims.push((OrgDimension::ApiKey, names.api_key(id)));
    }
    if let Some(id) = &row.workspace_id {
        dims.push((OrgDimension::Workspace, names.workspace(id)));
    }
    let bucket = BucketRow {
        start,
        tokens: row.usage.tokens(),
        model: row.model.as_deref(),
        service_tier: row.service_tier.as_deref(),
        context_window: row.context_window.as_deref(),
        inference_geo: row.inference_geo.as_deref(),
        speed: row.speed.as_deref(),
        dims,
    };
    bucket_event(&bucket, key, rank)
}

/// Billed amounts per (day, model, description), summed over rows that differ only in
/// fields we do not keep; a malformed amount is a schema error.
pub(crate) fn billed_costs(buckets: &[CostBucket]) -> Result<Vec<BilledCost>, ApiError> {
    let mut sums: BTreeMap<(chrono::NaiveDate, Option<String>, Option<String>), Money> =
        BTreeMap::new();
    for bucket in buckets {
        let day = bucket.starting_at.date_naive();
        for row in &bucket.results {
            let amount = Money::from_cents_str(&row.amount).ok_or_else(|| {
                ApiError::Malformed("cost report amount is not a decimal number".into())
            })?;
            let key = (day, row.model.clone(), row.description.clone());
            *sums.entry(key).or_default() += amount;
        }
    }
    Ok(sums
        .into_iter()
        .map(|((day, model, description), amount)| BilledCost {
            day,
            model,
            description,
            amount,
            list_amount: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::admin_api::client::Page;
    use crate::sources::admin_api::revisions::Revisions;
    use crate::usage::{EventKind, Tier, Tokens};

    fn bucket_events(buckets: &[UsageBucket], rank: u64) -> Vec<UsageEvent> {
        super::bucket_events(buckets, rank, &Names::default())
    }

    fn fixture() -> Vec<UsageBucket> {
        let page: Page<UsageBucket> = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/admin/usage-report-messages.json"
        ))
        .unwrap();
        page.data
    }

    #[test]
    fn fixture_rows_become_bucket_events() {
        let events = bucket_events(&fixture(), 7);
        assert_eq!(events.len(), 2);
        let sonnet = &events[0];
        assert_eq!(&*sonnet.model, "claude-sonnet-4-5-20250929");
        assert_eq!(sonnet.kind, EventKind::Bucket);
        assert_eq!(sonnet.rank, 7);
        assert_eq!(sonnet.timestamp.to_rfc3339(), "2026-11-20T14:00:00+00:00");
        assert_eq!(
            sonnet.tokens,
            Tokens {
                input: 1500,
                cache_write_5m: 500,
                cache_write_1h: 1000,
                cache_read: 200,
                output: 500,
                web_search_requests: 10,
            }
        );
        assert!(!sonnet.modifiers.long_context && !sonnet.modifiers.us_only);
        assert!(sonnet.attribution.tags.is_empty() && sonnet.attribution.project.is_none());
        assert_eq!(events[1].tier, Tier::Batch);
        assert_ne!(events[0].key, events[1].key);
    }

    #[test]
    fn grouping_fields_set_modifiers_tags_and_key() {
        let mut buckets = fixture();
        let row = &mut buckets[0].results[0];
        row.context_window = Some("200k-1M".into());
        row.inference_geo = Some("us".into());
        row.workspace_id = Some("wrkspc_1".into());
        row.api_key_id = Some("apikey_9".into());
        row.speed = Some("fast".into());
        let names = Names::from_pairs(&[("apikey_9", "ci-bot")], &[]);
        let event = &super::bucket_events(&buckets, 1, &names)[0];
        assert!(event.modifiers.long_context && event.modifiers.us_only && event.modifiers.fast);
        assert_eq!(event.attribution.project.as_deref(), Some("wrkspc_1"));
        assert_eq!(event.attribution.tag("api_key"), Some("ci-bot"));
        assert_eq!(event.attribution.tag("workspace"), Some("wrkspc_1"));
        assert_eq!(event.attribution.tags[0].0.as_ref(), "api_key");
        assert_ne!(event.key, bucket_events(&fixture(), 1)[0].key);
    }

    #[test]
    fn repoll_sends_changes_only_and_zeroes_vanished_buckets() {
        let buckets = fixture();
        let start = buckets[0].starting_at;
        let end = buckets[0].ending_at;
        let mut revisions = Revisions::default();
        assert_eq!(
            revisions
                .reconcile(start, end, bucket_events(&buckets, 1), 1)
                .len(),
            2
        );
        assert!(
            revisions
                .reconcile(start, end, bucket_events(&buckets, 2), 2)
                .is_empty()
        );

        let mut revised = buckets.clone();
        revised[0].results[0].usage.output_tokens = 900;
        revised[0].results.truncate(1);
        let sent = revisions.reconcile(start, end, bucket_events(&revised, 3), 3);
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].tokens.output, 900);
        assert_eq!(sent[1].tokens, Tokens::default());
        assert_eq!(sent[1].rank, 3);
        assert_eq!(sent[1].key, bucket_events(&buckets, 0)[1].key);

        revisions.forget_before(end);
        assert!(revisions.reconcile(start, end, Vec::new(), 4).is_empty());
    }

    #[test]
    fn cost_amount_in_cents_becomes_exact_money() {
        let page: Page<CostBucket> = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/admin/cost-report.json"
        ))
        .unwrap();
        let billed = billed_costs(&page.data).unwrap();
        assert_eq!(billed.len(), 1);
        assert_eq!(billed[0].amount, Money(1_234_500_000_000));
        assert_eq!(billed[0].day.to_string(), "2026-11-20");
        let mut bad = page.data;
        bad[0].results[0].amount = "12,5".into();
        assert!(matches!(billed_costs(&bad), Err(ApiError::Malformed(_))));
    }
}
