//! The slower reports beside usage — names of keys and workspaces, configured rate limits,
//! spend limits, Claude Code's days. None of these failing is a source error: they are
//! retried on their own clocks and said in the source's note.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::client::{AdminClient, ApiError};
use super::org::{Names, claude_code, rate, spend};
use super::poller::{Poller, Stop};
use crate::usage::{OrgUpdate, SourceMsg};

/// After a failed slower report, try again after at most this long.
const RETRY: Duration = Duration::from_secs(5 * 60);

/// What a failed slower report says in the note.
fn unavailable(what: &str, e: &ApiError) -> String {
    match e.status() {
        Some(403 | 404) => format!("{what} not available ({e})"),
        _ => format!("{what} not read yet ({e})"),
    }
}

impl Poller {
    /// Reads the names of keys and workspaces, then the configured rate limits.
    pub(super) async fn refresh_config(&mut self, client: &AdminClient) -> Result<(), Stop> {
        let (names, note) = Names::fetch(client).await;
        if names != Names::default() || self.names == Names::default() {
            self.names = names;
        }
        self.notes.names = note;
        match rate::fetch(client).await {
            Ok(groups) => {
                self.notes.rate_limits = None;
                self.send(SourceMsg::Org(OrgUpdate::RateLimits(groups)))
                    .await?;
            }
            Err(e) => self.notes.rate_limits = Some(unavailable("rate limits", &e)),
        }
        Ok(())
    }

    /// Reads the spend limits and their period-to-date spend; returns when to refresh next.
    pub(super) async fn refresh_limits(&mut self, client: &AdminClient) -> Result<Instant, Stop> {
        match spend::fetch(client, &self.names).await {
            Ok((readings, note)) => {
                self.notes.spend_limits = note;
                self.send(SourceMsg::Org(OrgUpdate::SpendLimits(readings)))
                    .await?;
                Ok(Instant::now() + self.opts.limits_interval)
            }
            Err(e) => {
                self.notes.spend_limits = Some(unavailable("spend limits", &e));
                Ok(Instant::now() + RETRY.min(self.opts.limits_interval))
            }
        }
    }

    /// Reads Claude Code's days from the day of `from` (at most `claude_code_days` of the
    /// newest) through today; returns when to refresh next.
    pub(super) async fn refresh_claude_code(
        &mut self,
        client: &AdminClient,
        from: DateTime<Utc>,
    ) -> Result<Instant, Stop> {
        let today = Utc::now().date_naive();
        let newest_first = (0..u64::from(self.opts.claude_code_days.max(1)))
            .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
            .take_while(|d| *d >= from.date_naive());
        let mut days = Vec::new();
        let mut rows = Vec::new();
        let mut failure = None;
        for day in newest_first {
            match claude_code::fetch_day(client, day).await {
                Ok(r) => {
                    days.push(day);
                    rows.extend(r);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if !days.is_empty() {
            self.send(SourceMsg::Org(OrgUpdate::ClaudeCode { days, rows }))
                .await?;
        }
        match failure {
            None => {
                self.notes.claude_code = None;
                Ok(Instant::now() + self.opts.claude_code_interval)
            }
            Some(e) => {
                self.notes.claude_code = Some(unavailable("Claude Code analytics", &e));
                Ok(Instant::now() + RETRY.min(self.opts.claude_code_interval))
            }
        }
    }
}
