//! One usage row of either usage API as a replaceable bucket event: tokens, the price-relevant
//! fields read into tier and modifiers (values costtop does not know are kept as tags, never
//! dropped), and who spent it as the organisation's dimensions.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::usage::{Attribution, EventKind, Modifiers, OrgDimension, Tier, Tokens, UsageEvent};

/// Model name used when a row carries none (code execution rows).
const UNKNOWN_MODEL: &str = "unknown";

/// What a usage row says, whichever API wrote it.
#[derive(Debug, Clone, Default)]
pub(crate) struct BucketRow<'a> {
    /// Start of the bucket.
    pub(crate) start: DateTime<Utc>,
    /// Its tokens.
    pub(crate) tokens: Tokens,
    /// `model`.
    pub(crate) model: Option<&'a str>,
    /// `service_tier`.
    pub(crate) service_tier: Option<&'a str>,
    /// `context_window`.
    pub(crate) context_window: Option<&'a str>,
    /// `inference_geo`.
    pub(crate) inference_geo: Option<&'a str>,
    /// `speed`.
    pub(crate) speed: Option<&'a str>,
    /// Actor, API key, workspace and product, by readable name.
    pub(crate) dims: Vec<(OrgDimension, String)>,
}

/// The row as an [`EventKind::Bucket`] event with key `key` and rank `rank`.
pub(crate) fn bucket_event(row: &BucketRow<'_>, key: u64, rank: u64) -> UsageEvent {
    let mut tags: Vec<(Arc<str>, Arc<str>)> = row
        .dims
        .iter()
        .map(|(d, v)| (Arc::from(d.tag_key()), Arc::from(v.as_str())))
        .collect();
    // Values that change no price costtop knows of are still shown, as tags.
    let unknown = [
        (
            "service_tier",
            row.service_tier,
            &["standard", "batch", "priority"][..],
        ),
        ("speed", row.speed, &["standard", "fast"][..]),
        (
            "context_window",
            row.context_window,
            &["0-200k", "200k-1M"][..],
        ),
        (
            "inference_geo",
            row.inference_geo,
            &["global", "us", "not_available"][..],
        ),
    ];
    for (field, value, known) in unknown {
        if let Some(v) = value.filter(|v| !known.contains(v)) {
            tags.push((Arc::from(field), Arc::from(v)));
        }
    }
    tags.sort();
    let workspace = row
        .dims
        .iter()
        .find(|(d, _)| *d == OrgDimension::Workspace)
        .map(|(_, v)| Arc::from(v.as_str()));
    UsageEvent {
        alt_key: None,
        key: Some(key),
        rank,
        timestamp: row.start,
        model: Arc::from(row.model.unwrap_or(UNKNOWN_MODEL)),
        tokens: row.tokens,
        tier: Tier::from_api(row.service_tier.unwrap_or("")),
        modifiers: Modifiers {
            fast: row.speed == Some("fast"),
            us_only: row.inference_geo == Some("us"),
            long_context: row.context_window == Some("200k-1M"),
        },
        stop_reason: None,
        kind: EventKind::Bucket,
        attribution: Attribution {
            project: workspace,
            session: None,
            tags,
        },
        iterations: Vec::new(),
        estimate: None,
    }
}

/// A row field as bytes of a dedupe key (absent is empty).
pub(crate) fn key_part(v: Option<&str>) -> &[u8] {
    v.unwrap_or("").as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept_as_tags_and_priced_as_standard() {
        let row = BucketRow {
            service_tier: Some("flex"),
            speed: Some("fast"),
            inference_geo: Some("eu"),
            context_window: Some("200k-1M"),
            dims: vec![
                (OrgDimension::Workspace, "Production".into()),
                (OrgDimension::Actor, "a@example.com".into()),
            ],
            ..BucketRow::default()
        };
        let e = bucket_event(&row, 9, 2);
        assert_eq!(e.tier, Tier::Standard);
        assert!(e.modifiers.fast && e.modifiers.long_context && !e.modifiers.us_only);
        assert_eq!(e.attribution.tag("service_tier"), Some("flex"));
        assert_eq!(e.attribution.tag("inference_geo"), Some("eu"));
        assert_eq!(e.attribution.tag("speed"), None);
        assert_eq!(e.attribution.tag("actor"), Some("a@example.com"));
        assert_eq!(e.attribution.project.as_deref(), Some("Production"));
        assert_eq!(&*e.model, "unknown");
        let keys: Vec<&str> = e.attribution.tags.iter().map(|(k, _)| &**k).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
    }
}
