//! Which minute boundaries of event time replay evaluates alarms at, and which it may skip.

use chrono::{DateTime, Utc};

use super::timeline::Timeline;
use crate::aggregate::State;

/// Records older than this before a boundary can no longer move an alarm (the longest look-back
/// of a rule that can raise without new records is the 1-hour burn rate; one minute of slack
/// for minute rounding).
const QUIET_SECS: i64 = 3600 + 60;

/// The next boundary to evaluate after the last one.
///
/// Normally the next minute. A run of boundaries is skipped when, for all of them, no
/// record lies between [`QUIET_SECS`] before the last evaluated boundary P and the skipped
/// boundary, and no budget period starts after P. Then every alarm rule sees what it saw
/// at P: the same spend per budget period, the same unpriced models and sources, and empty
/// burn-rate windows (15 min, 1 h: so no spike, forecast or cache alarm can be raised and
/// any that could clear was cleared at P). Evaluating twice on the same inputs changes
/// nothing, so the skipped evaluations are no-ops. The next evaluation is at the boundary
/// at or after the next record, or at the next budget period start, whichever is first;
/// `None` when neither exists (nothing can change any more).
pub(super) fn next(
    timeline: &Timeline,
    state: &State,
    evaluated: Option<i64>,
    skip_quiet: bool,
) -> Option<i64> {
    let events = timeline.events();
    let Some(p) = evaluated else {
        return events
            .first()
            .map(|e| e.timestamp.timestamp().div_euclid(60));
    };
    if !skip_quiet {
        return Some(p + 1);
    }
    let p_time = minute_time(p);
    let counted = timeline.count_until(p_time);
    let recent = counted
        .checked_sub(1)
        .is_some_and(|i| events[i].timestamp.timestamp() >= p * 60 - QUIET_SECS);
    if recent {
        return Some(p + 1);
    }
    let next_record = events
        .get(counted)
        .map(|e| ceil_minute(e.timestamp.timestamp()));
    let next_period = state
        .settings()
        .budgets
        .iter()
        .map(|b| ceil_minute(b.period_bounds(state.settings().zone, p_time).1.timestamp()))
        .min();
    let target = match (next_record, next_period) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(target.max(p + 1))
}

/// The start of minute number `minute`.
pub(super) fn minute_time(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(minute.saturating_mul(60), 0).unwrap_or_default()
}

fn ceil_minute(secs: i64) -> i64 {
    secs.div_euclid(60) + i64::from(secs.rem_euclid(60) != 0)
}
