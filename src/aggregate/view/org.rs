//! The snapshot's `org`: spend limits where they stand, rate-limit headroom from the latest
//! minute with data, and Claude Code's figures per developer over the window's days.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use crate::aggregate::alarms::spend_limit_statuses;
use crate::aggregate::settings::SpendLimitAlarms;
use crate::aggregate::state::OrgState;
use crate::aggregate::store::{Store, StoredCell, minute_of};
use crate::pricing::normalize_model;
use crate::snapshot::{ClaudeCodeActor, OrgSnapshot, RateLimitStatus};
use crate::usage::{RateLimitGroup, Tokens};

/// How far back headroom looks for a minute with data (the Admin API lags by minutes).
const HEADROOM_LOOKBACK_MINUTES: i64 = 15;

/// The `org` section at `now`; Claude Code days from `start`'s UTC day on (all without one).
pub(super) fn org_snapshot(
    org: &OrgState,
    store: &Store,
    alarms: SpendLimitAlarms,
    start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> OrgSnapshot {
    OrgSnapshot {
        spend_limits: spend_limit_statuses(&org.spend_limits, store, alarms, now),
        rate_limits: org
            .rate_limits
            .iter()
            .flat_map(|g| headroom(g, store, now))
            .collect(),
        claude_code: claude_code(org, start),
    }
}

/// One status per limiter of `group`, measured against the newest complete minute (at most
/// [`HEADROOM_LOOKBACK_MINUTES`] back) in which the group's models have usage.
fn headroom(group: &RateLimitGroup, store: &Store, now: DateTime<Utc>) -> Vec<RateLimitStatus> {
    let models: HashSet<String> = group.models.iter().map(|m| normalize_model(m)).collect();
    let minute = if models.is_empty() {
        None
    } else {
        latest_minute(&models, store, now)
    };
    group
        .limits
        .iter()
        .map(|(limit_type, value)| RateLimitStatus {
            group: group.name.clone(),
            limit_type: limit_type.clone(),
            limit: *value,
            used: minute.and_then(|(_, used)| used_of(limit_type, &used)),
            minute: minute.and_then(|(m, _)| DateTime::from_timestamp(m * 60, 0)),
        })
        .collect()
}

/// The newest complete minute with usage of `models`, and that usage (tokens, requests).
fn latest_minute(
    models: &HashSet<String>,
    store: &Store,
    now: DateTime<Utc>,
) -> Option<(i64, (Tokens, u64))> {
    let last = minute_of(now) - 1;
    let from = last - HEADROOM_LOOKBACK_MINUTES + 1;
    let mut by_minute: BTreeMap<i64, (Tokens, u64)> = BTreeMap::new();
    let mut matches: BTreeMap<u32, bool> = BTreeMap::new();
    for (minute, slot) in store.history.slots(from, last, now) {
        if minute < from {
            continue; // a whole hour before the detail frontier is no minute
        }
        for (dims, cell) in &slot.cells {
            let hit = *matches.entry(dims.model).or_insert_with(|| {
                models.contains(&normalize_model(store.strings.name(dims.model)))
            });
            if hit {
                add(by_minute.entry(minute).or_default(), cell);
            }
        }
    }
    by_minute
        .into_iter()
        .rev()
        .find(|(_, (tokens, requests))| tokens.total() > 0 || *requests > 0)
}

fn add(sum: &mut (Tokens, u64), cell: &StoredCell) {
    sum.0 += cell.tokens;
    sum.1 += u64::from(cell.requests);
}

/// What a minute used of a limiter costtop can count: input tokens per minute count uncached
/// input and cache writes (cache reads do not count against it), output tokens per minute the
/// output, requests per minute the requests (unknown when only API buckets, which carry no
/// request count, were read).
fn used_of(limit_type: &str, used: &(Tokens, u64)) -> Option<u64> {
    let (tokens, requests) = used;
    match limit_type {
        "input_tokens_per_minute" => Some(tokens.input + tokens.cache_writes()),
        "output_tokens_per_minute" => Some(tokens.output),
        "requests_per_minute" => (*requests > 0).then_some(*requests),
        _ => None,
    }
}

/// Claude Code's figures per developer over the days from `start` on, largest estimate
/// first.
fn claude_code(org: &OrgState, start: Option<DateTime<Utc>>) -> Vec<ClaudeCodeActor> {
    let from = start.map(|s| s.date_naive());
    let mut by_actor: BTreeMap<&str, ClaudeCodeActor> = BTreeMap::new();
    for ((day, actor), row) in &org.claude_code {
        if from.is_some_and(|f| *day < f) {
            continue;
        }
        let a = by_actor.entry(actor).or_insert_with(|| ClaudeCodeActor {
            actor: actor.clone(),
            ..ClaudeCodeActor::default()
        });
        a.days += 1;
        a.sessions += row.sessions;
        a.lines_added += row.lines.0;
        a.lines_removed += row.lines.1;
        a.commits += row.commits;
        a.pull_requests += row.pull_requests;
        a.estimate += row.estimated_cost;
    }
    let mut out: Vec<ClaudeCodeActor> = by_actor.into_values().collect();
    out.sort_by(|a, b| b.estimate.cmp(&a.estimate).then(a.actor.cmp(&b.actor)));
    out
}
