//! Fetching usage: each segment of the plan from the API in use, falling back from the
//! Analytics API to the legacy usage report when the key or organisation cannot use it, and
//! from grouping by speed to not when the legacy API refuses the fast-mode beta; then the
//! cost report from the same API.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::analytics::{self, MAX_RANGE_DAYS};
use super::client::{AdminClient, ApiError};
use super::legacy;
use super::options::UsageApi;
use super::plan::{BucketWidth, Segment, plan};
use super::poller::{Api, Poller, Stop};
use crate::usage::{SourceMsg, SourceState, UsageEvent};

/// After a failed cost report, try again after this long (at most `cost_interval`).
const COST_RETRY: Duration = Duration::from_secs(5 * 60);

/// Why the Analytics API cannot be used, when an answer says so: not found, not allowed,
/// or a refused request (such as the beta header, or an organisation it does not serve).
pub(super) fn refusal(e: &ApiError) -> Option<String> {
    match e {
        ApiError::Status { status: 404, .. } => {
            Some("the Analytics API is not available (HTTP 404)".into())
        }
        ApiError::Rejected(403) => Some(
            "the key cannot read the Analytics API (HTTP 403: it needs an Admin key or the \
             read:analytics scope)"
                .into(),
        ),
        ApiError::Status {
            status: 400,
            message,
        } => Some(format!(
            "the Analytics API refused the request (HTTP 400{})",
            message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        )),
        _ => None,
    }
}

impl Poller {
    /// Fetches from `cursor - overlap` to now, retrying until it succeeds.
    pub(super) async fn sync(
        &mut self,
        client: &AdminClient,
        overlap: Duration,
    ) -> Result<(), Stop> {
        loop {
            let now = Utc::now();
            let overlap = chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::zero());
            let from = self.cursor.min(now) - overlap;
            let mut failure = None;
            let segments = plan(from, now)
                .into_iter()
                .flat_map(|s| s.chunks(MAX_RANGE_DAYS));
            for segment in segments {
                match self.fetch_segment(client, segment).await {
                    Ok((fresh, refreshed)) => {
                        self.seq += 1;
                        self.health.lines += fresh.len() as u64;
                        let newest = fresh
                            .iter()
                            .filter(|e| e.tokens.total() > 0)
                            .map(|e| e.timestamp)
                            .max();
                        // The Analytics API says how fresh its data is; else the newest bucket.
                        let seen = refreshed.or(newest);
                        self.health.last_event = self.health.last_event.max(seen);
                        let changed =
                            self.revisions
                                .reconcile(segment.start, segment.end, fresh, self.seq);
                        self.send_events(changed).await?;
                        self.cursor = self.cursor.max(segment.end);
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            match failure {
                None => {
                    // Keep what the next poll will re-fetch (also after the backfill).
                    let repolled = chrono::Duration::from_std(self.opts.overlap)
                        .unwrap_or(chrono::Duration::zero());
                    self.revisions
                        .forget_before(BucketWidth::Minute.floor(now - repolled));
                    self.backoff.reset();
                    self.last_success = Some(Instant::now());
                    self.health.state = SourceState::Ok;
                    self.publish().await?;
                    return Ok(());
                }
                Some(e) => self.recover(e).await?,
            }
        }
    }

    /// The events of one segment from the API in use (rank: the next sequence number), and
    /// the data's refresh time when the API gives one. Falls back as the module says.
    async fn fetch_segment(
        &mut self,
        client: &AdminClient,
        s: Segment,
    ) -> Result<(Vec<UsageEvent>, Option<DateTime<Utc>>), ApiError> {
        let rank = self.seq + 1;
        loop {
            match self.api {
                Api::Probing | Api::Analytics => {
                    match analytics::usage(client, s.start, s.end, s.width).await {
                        Ok(listing) => {
                            self.api = Api::Analytics;
                            self.notes.reading_analytics();
                            let events =
                                analytics::usage_events(&listing.items, s.width, rank, &self.names);
                            return Ok((events, listing.refreshed_at));
                        }
                        Err(e) => match refusal(&e) {
                            Some(why) if self.opts.usage_api == UsageApi::Auto => {
                                tracing::warn!(reason = %self.key.redact(&why), "admin API: falling back to the legacy usage report");
                                self.api = Api::Legacy { speed: true };
                                self.notes.fell_back(&why);
                            }
                            _ => return Err(e),
                        },
                    }
                }
                Api::Legacy { speed } => {
                    match legacy::usage_report(client, s.start, s.end, s.width, speed).await {
                        Ok(listing) => {
                            let events = legacy::bucket_events(&listing.items, rank, &self.names);
                            return Ok((events, None));
                        }
                        Err(e @ ApiError::Status { status: 400, .. }) if speed => {
                            self.api = Api::Legacy { speed: false };
                            self.notes.speed_refused(&e);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// Fetches the cost report from the day of `from` through today (buckets that end before
    /// `ending_at` are returned, so today's partial bucket needs tomorrow's start); returns
    /// when to refresh next.
    pub(super) async fn refresh_costs(
        &mut self,
        client: &AdminClient,
        from: DateTime<Utc>,
    ) -> Result<Instant, Stop> {
        let now = Utc::now();
        let start = BucketWidth::Day.floor(from.min(now));
        let end = BucketWidth::Day.floor(now) + chrono::Duration::days(1);
        let result = match self.api {
            Api::Legacy { .. } => legacy::cost_report(client, start, end)
                .await
                .and_then(|b| legacy::billed_costs(&b)),
            Api::Probing | Api::Analytics => analytics::cost(client, start, end)
                .await
                .and_then(|rows| analytics::billed_costs(&rows)),
        };
        match result {
            Ok(billed) => {
                self.send(SourceMsg::Billed(billed)).await?;
                Ok(Instant::now() + self.opts.cost_interval)
            }
            Err(e) => {
                let reason = self.key.redact(&e.to_string());
                tracing::warn!(%reason, "admin API cost report failed");
                Ok(Instant::now() + COST_RETRY.min(self.opts.cost_interval))
            }
        }
    }
}
