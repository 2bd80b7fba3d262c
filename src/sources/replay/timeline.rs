//! The recorded input, loaded once: every usage record of every source, merged in event-time
//! order, with pure duplicates dropped up front so replaying is cheap and memory stays small.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::sources::{ReadOptions, ReadSummary, Source, read_all};
use crate::usage::{SOURCE_CHANNEL_CAPACITY, SourceHealth, SourceMsg, ToolEstimate, UsageEvent};

/// Every record to replay, sorted by timestamp, and the sources' final health.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Records in replay order (timestamp, then a content tie-break), duplicates removed.
    events: Vec<UsageEvent>,
    /// For each record: it is the last copy of its key, so the dedupe entry can go after it.
    last_copy: Vec<bool>,
    /// Other tools' own cost figures (Claude Code's cost-state lines), by the time they were
    /// written: shown beside costtop's figures as the replay reaches them.
    estimates: Vec<ToolEstimate>,
    /// Each source's health after reading.
    pub(crate) health: Vec<SourceHealth>,
    /// Records whose time is their file's modification time (no timestamp of their own).
    pub(crate) undated_records: u64,
    /// Copies dropped because an equal or more complete copy came earlier.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the timeline's tests count the copies dropped")
    )]
    pub(crate) duplicates: u64,
    /// What reading did.
    pub(crate) summary: ReadSummary,
}

impl Timeline {
    /// Reads every file of `sources` with the parallel reader and merges the records.
    ///
    /// Blocking (it drains the reader's channel): call it from `spawn_blocking` or a thread.
    pub fn load(sources: &[Source]) -> Timeline {
        let (tx, mut rx) = tokio::sync::mpsc::channel(SOURCE_CHANNEL_CAPACITY);
        let mut events = Vec::new();
        let mut health = Vec::new();
        let mut estimates = Vec::new();
        let summary = std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_all(sources, tx, ReadOptions::default()));
            while let Some(msg) = rx.blocking_recv() {
                match msg {
                    SourceMsg::Events(batch) => events.extend(batch),
                    SourceMsg::Health(h) => health.push(h),
                    SourceMsg::Estimates(batch) => estimates.extend(batch),
                    SourceMsg::CaughtUp { .. } | SourceMsg::Billed(_) | SourceMsg::Org(_) => {}
                }
            }
            reader.join().unwrap_or_default()
        });
        health.sort_by(|a, b| a.name.cmp(&b.name));
        let mut timeline = Timeline::from_events(events, &file_times(sources));
        timeline.health = health;
        timeline.summary = summary;
        // Stable: figures written at the same instant keep the order they were read in.
        estimates.sort_by_key(|e| e.at);
        timeline.estimates = estimates;
        timeline
    }

    /// Builds a timeline from records in any order; `file_times` are the modification times
    /// of the files read (a record stamped with one of them exactly had no time of its own).
    pub(crate) fn from_events(
        mut events: Vec<UsageEvent>,
        file_times: &HashSet<DateTime<Utc>>,
    ) -> Self {
        let undated = events
            .iter()
            .filter(|e| file_times.contains(&e.timestamp))
            .count() as u64;
        events.sort_by(replay_order);
        let before = events.len();
        let (events, last_copy) = drop_duplicates(events);
        Timeline {
            duplicates: (before - events.len()) as u64,
            events,
            last_copy,
            estimates: Vec::new(),
            health: Vec::new(),
            undated_records: undated,
            summary: ReadSummary::default(),
        }
    }

    /// The records, in replay order.
    pub fn events(&self) -> &[UsageEvent] {
        &self.events
    }

    /// Other tools' cost figures, by the time they were written.
    pub(crate) fn estimates(&self) -> &[ToolEstimate] {
        &self.estimates
    }

    /// Whether record `i` is the last copy of a key the aggregator must remember until then.
    pub(crate) fn is_last_copy(&self, i: usize) -> bool {
        self.last_copy.get(i).copied().unwrap_or(false)
    }

    /// The first record's time.
    pub fn first(&self) -> Option<DateTime<Utc>> {
        self.events.first().map(|e| e.timestamp)
    }

    /// The last record's time (or the last figure's, if one was written after it: Claude
    /// Code writes its cost-state as a session ends).
    pub fn last(&self) -> Option<DateTime<Utc>> {
        let record = self.events.last().map(|e| e.timestamp);
        let figure = self.estimates.last().map(|e| e.at);
        record.max(figure)
    }

    /// How many records have a timestamp at or before `t`.
    pub(crate) fn count_until(&self, t: DateTime<Utc>) -> usize {
        self.events.partition_point(|e| e.timestamp <= t)
    }
}

/// Modification times of every file the sources name, as the reader turns them into
/// fallback times.
fn file_times(sources: &[Source]) -> HashSet<DateTime<Utc>> {
    sources
        .iter()
        .flat_map(|s| s.files.iter())
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .map(DateTime::<Utc>::from)
        .collect()
}

/// Timestamp first; records at the same instant in an order that depends only on their
/// content (the parallel reader delivers files in no fixed order).
fn replay_order(a: &UsageEvent, b: &UsageEvent) -> Ordering {
    a.timestamp
        .cmp(&b.timestamp)
        .then_with(|| a.key.cmp(&b.key))
        .then_with(|| a.rank.cmp(&b.rank))
        .then_with(|| a.model.cmp(&b.model))
        .then_with(|| a.attribution.project.cmp(&b.attribution.project))
        .then_with(|| a.attribution.session.cmp(&b.attribution.session))
        .then_with(|| a.attribution.tags.cmp(&b.attribution.tags))
        .then_with(|| a.tier.cmp(&b.tier))
        .then_with(|| token_tuple(a).cmp(&token_tuple(b)))
        .then_with(|| {
            // Rare full ties on the fields above: fall back to the whole record.
            let (x, y) = (serde_json::to_vec(a), serde_json::to_vec(b));
            match (x, y) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => Ordering::Equal,
            }
        })
}

fn token_tuple(e: &UsageEvent) -> [u64; 6] {
    let t = &e.tokens;
    [
        t.input,
        t.cache_write_5m,
        t.cache_write_1h,
        t.cache_read,
        t.output,
        t.web_search_requests,
    ]
}

/// Drops copies the aggregator would ignore (a rank not above an earlier copy's) and removes
/// the dedupe key from records that are never replaced, so the aggregator's dedupe index only
/// holds the keys that need it. The counted result is the same as feeding every copy.
/// Also marks the last copy of each remaining key (after it the key can be forgotten).
fn drop_duplicates(mut events: Vec<UsageEvent>) -> (Vec<UsageEvent>, Vec<bool>) {
    // One key per request: a record's second id (its message id beside its request id) names
    // the same request as the first, so copies that carry only it take the first.
    let canonical: HashMap<u64, u64> = events
        .iter()
        .filter_map(|e| Some((e.alt_key?, e.key?)))
        .collect();
    for e in &mut events {
        if let Some(k) = e.key.and_then(|k| canonical.get(&k)) {
            e.key = Some(*k);
        }
        e.alt_key = None;
    }
    let mut best: HashMap<u64, u64> = HashMap::new();
    let mut kept: Vec<UsageEvent> = Vec::with_capacity(events.len());
    let mut copies: HashMap<u64, u32> = HashMap::new();
    for e in events {
        if let Some(key) = e.key {
            match best.get(&key) {
                Some(&rank) if e.rank <= rank => continue,
                _ => {
                    best.insert(key, e.rank);
                    *copies.entry(key).or_default() += 1;
                }
            }
        }
        kept.push(e);
    }
    let mut last_copy = vec![false; kept.len()];
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for (e, last) in kept.iter_mut().zip(&mut last_copy) {
        let Some(k) = e.key else { continue };
        let total = copies.get(&k).copied().unwrap_or(1);
        if total == 1 {
            e.key = None; // never replaced: nothing to remember
            continue;
        }
        let n = seen.entry(k).or_default();
        *n += 1;
        *last = *n == total;
    }
    (kept, last_copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{Attribution, EventKind, Modifiers, Tier, Tokens};
    use chrono::TimeZone;

    fn event(secs: i64, key: Option<u64>, rank: u64, session: &str) -> UsageEvent {
        UsageEvent {
            alt_key: None,
            key,
            rank,
            timestamp: Utc.timestamp_opt(1_795_000_000 + secs, 0).unwrap(),
            model: "claude-haiku-4-5".into(),
            tokens: Tokens {
                input: rank,
                ..Tokens::default()
            },
            tier: Tier::Standard,
            modifiers: Modifiers::default(),
            stop_reason: None,
            kind: EventKind::Request,
            attribution: Attribution {
                session: Some(session.into()),
                ..Attribution::default()
            },
            iterations: Vec::new(),
            estimate: None,
        }
    }

    #[test]
    fn order_does_not_depend_on_arrival() {
        let a = vec![
            event(5, Some(1), 3, "b"),
            event(5, Some(1), 3, "a"),
            event(1, None, 1, "x"),
        ];
        let mut b = a.clone();
        b.reverse();
        let ta = Timeline::from_events(a, &HashSet::new());
        let tb = Timeline::from_events(b, &HashSet::new());
        assert_eq!(ta.events(), tb.events());
        assert_eq!(ta.events()[1].attribution.session.as_deref(), Some("a"));
        assert_eq!(ta.duplicates, 1);
    }

    #[test]
    fn only_replaced_records_keep_their_key() {
        let t = Timeline::from_events(
            vec![
                event(1, Some(7), 1, "s"),
                event(2, Some(7), 5, "s"),
                event(3, Some(7), 4, "s"),
                event(4, Some(9), 2, "s"),
            ],
            &HashSet::new(),
        );
        let keys: Vec<_> = t.events().iter().map(|e| (e.key, e.rank)).collect();
        assert_eq!(keys, vec![(Some(7), 1), (Some(7), 5), (None, 2)]);
        let last: Vec<_> = (0..3).map(|i| t.is_last_copy(i)).collect();
        assert_eq!(last, vec![false, true, false]);
        assert_eq!(t.duplicates, 1);
    }

    #[test]
    fn records_stamped_with_a_file_time_are_undated() {
        let times: HashSet<_> = [Utc.timestamp_opt(1_795_000_002, 0).unwrap()].into();
        let t = Timeline::from_events(vec![event(1, None, 1, "s"), event(2, None, 1, "s")], &times);
        assert_eq!(t.undated_records, 1);
    }
}
