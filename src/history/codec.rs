//! One block's records as columns: a string table (models, projects, sessions, tags), then
//! one column per field — flags, keys, ranks, time deltas, model, the six token counts,
//! project, session, tags, estimates, iterations — each a run of varints. Columns keep like
//! values together, which is what lets the compressor (`block.rs`) shrink a record to a few
//! dozen bytes. Prompt and response content are never part of a record.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::codes::{
    iteration_code, iteration_kind, kind, kind_code, stop, stop_code, tier, tier_code,
};
use super::varint::{Cursor, put, put_signed};
use crate::money::Money;
use crate::usage::{Attribution, BilledIteration, Modifiers, Tokens, UsageEvent};

const HAS_KEY: u32 = 1;
const TIER_SHIFT: u32 = 1; // 2 bits
const FAST: u32 = 1 << 3;
const US_ONLY: u32 = 1 << 4;
const LONG_CONTEXT: u32 = 1 << 5;
const STOP_SHIFT: u32 = 6; // 2 bits
const KIND_SHIFT: u32 = 8; // 2 bits
const HAS_ESTIMATE: u32 = 1 << 10;
const HAS_ITERATIONS: u32 = 1 << 11;
const HAS_PROJECT: u32 = 1 << 12;
const HAS_SESSION: u32 = 1 << 13;
const HAS_TAGS: u32 = 1 << 14;
/// The record has a second id (its message id beside its request id), kept in the keys
/// column after the first.
const HAS_ALT_KEY: u32 = 1 << 15;
/// Every bit a reader of this version understands.
const KNOWN: u32 = (1 << 16) - 1;

/// Most records one block may claim (a damaged count cannot make a reader allocate more).
pub(super) const MAX_RECORDS: usize = 1 << 20;

/// The columns of one block, filled record by record.
#[derive(Default)]
struct Columns {
    flags: Vec<u8>,
    keys: Vec<u8>,
    ranks: Vec<u8>,
    times: Vec<u8>,
    models: Vec<u8>,
    tokens: [Vec<u8>; 6],
    projects: Vec<u8>,
    sessions: Vec<u8>,
    tags: Vec<u8>,
    estimates: Vec<u8>,
    iterations: Vec<u8>,
}

impl Columns {
    fn all(&self) -> Vec<&Vec<u8>> {
        let mut all = vec![
            &self.flags,
            &self.keys,
            &self.ranks,
            &self.times,
            &self.models,
        ];
        all.extend(self.tokens.iter());
        all.extend([
            &self.projects,
            &self.sessions,
            &self.tags,
            &self.estimates,
            &self.iterations,
        ]);
        all
    }
}

/// Strings of a block, each stored once.
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u128 {
        let next = self.list.len() as u32;
        let id = *self.index.entry(s).or_insert(next);
        if id == next {
            self.list.push(s);
        }
        u128::from(id)
    }
}

/// A record's time in whole milliseconds (what a block keeps).
pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn put_tokens(cols: &mut [Vec<u8>; 6], t: &Tokens) {
    let values = [
        t.input,
        t.cache_write_5m,
        t.cache_write_1h,
        t.cache_read,
        t.output,
        t.web_search_requests,
    ];
    for (col, v) in cols.iter_mut().zip(values) {
        put(col, u128::from(v));
    }
}

/// The uncompressed payload of a block holding `events`, in order.
pub(super) fn encode(events: &[UsageEvent]) -> Vec<u8> {
    let mut strings = Strings::default();
    let mut c = Columns::default();
    let mut previous = 0i64;
    for e in events {
        let mut flags = (tier_code(e.tier) << TIER_SHIFT)
            | (stop_code(e.stop_reason) << STOP_SHIFT)
            | (kind_code(e.kind) << KIND_SHIFT);
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        flags |= bit(e.key.is_some(), HAS_KEY)
            | bit(e.modifiers.fast, FAST)
            | bit(e.modifiers.us_only, US_ONLY)
            | bit(e.modifiers.long_context, LONG_CONTEXT)
            | bit(e.estimate.is_some(), HAS_ESTIMATE)
            | bit(!e.iterations.is_empty(), HAS_ITERATIONS)
            | bit(e.attribution.project.is_some(), HAS_PROJECT)
            | bit(e.attribution.session.is_some(), HAS_SESSION)
            | bit(!e.attribution.tags.is_empty(), HAS_TAGS)
            | bit(e.alt_key.is_some(), HAS_ALT_KEY);
        put(&mut c.flags, u128::from(flags));
        for key in [e.key, e.alt_key].into_iter().flatten() {
            c.keys.extend_from_slice(&key.to_le_bytes());
        }
        put(&mut c.ranks, u128::from(e.rank));
        let at = millis(e.timestamp);
        put_signed(&mut c.times, i128::from(at) - i128::from(previous));
        previous = at;
        put(&mut c.models, strings.id(&e.model));
        put_tokens(&mut c.tokens, &e.tokens);
        if let Some(p) = &e.attribution.project {
            put(&mut c.projects, strings.id(p));
        }
        if let Some(s) = &e.attribution.session {
            put(&mut c.sessions, strings.id(s));
        }
        if !e.attribution.tags.is_empty() {
            put(&mut c.tags, e.attribution.tags.len() as u128);
            for (k, v) in &e.attribution.tags {
                put(&mut c.tags, strings.id(k));
                put(&mut c.tags, strings.id(v));
            }
        }
        if let Some(estimate) = e.estimate {
            put_signed(&mut c.estimates, estimate.0);
        }
        if !e.iterations.is_empty() {
            put(&mut c.iterations, e.iterations.len() as u128);
            for step in &e.iterations {
                put(&mut c.iterations, u128::from(iteration_code(step.kind)));
                put(&mut c.iterations, strings.id(&step.model));
                let mut tokens: [Vec<u8>; 6] = Default::default();
                put_tokens(&mut tokens, &step.tokens);
                for t in tokens {
                    c.iterations.extend(t);
                }
            }
        }
    }
    let mut out = Vec::new();
    put(&mut out, strings.list.len() as u128);
    for s in &strings.list {
        put(&mut out, s.len() as u128);
        out.extend_from_slice(s.as_bytes());
    }
    put(&mut out, events.len() as u128);
    for col in c.all() {
        put(&mut out, col.len() as u128);
        out.extend_from_slice(col);
    }
    out
}

/// Reads a payload back into its records; `Err` names what is wrong (never panics).
pub(super) fn decode(payload: &[u8]) -> Result<Vec<UsageEvent>, String> {
    let mut head = Cursor::new(payload);
    let n_strings = head.u32().ok_or("no string count")? as usize;
    if n_strings > payload.len() {
        return Err("string count past the payload".into());
    }
    let mut strings: Vec<Arc<str>> = Vec::with_capacity(n_strings);
    for _ in 0..n_strings {
        let len = head.u32().ok_or("bad string length")? as usize;
        let bytes = head.take(len).ok_or("string past the payload")?;
        let text = std::str::from_utf8(bytes).map_err(|_| "a string is not UTF-8")?;
        strings.push(Arc::from(text));
    }
    let count = head.u32().ok_or("no record count")? as usize;
    if count > MAX_RECORDS || count > payload.len() {
        return Err(format!("{count} records cannot fit"));
    }
    let mut cols = Vec::with_capacity(16);
    for _ in 0..16 {
        let len = head.u32().ok_or("bad column length")? as usize;
        cols.push(Cursor::new(
            head.take(len).ok_or("column past the payload")?,
        ));
    }
    if !head.is_empty() {
        return Err("bytes after the last column".into());
    }
    let mut r = ColumnReader { cols, strings };
    let mut events = Vec::with_capacity(count);
    let mut at = 0i64;
    for _ in 0..count {
        let event = r
            .record(&mut at)
            .ok_or("a column ends early or holds a bad value")?;
        events.push(event);
    }
    if r.cols.iter().any(|c| !c.is_empty()) {
        return Err("a column holds more than its records".into());
    }
    Ok(events)
}

struct ColumnReader<'a> {
    cols: Vec<Cursor<'a>>,
    strings: Vec<Arc<str>>,
}

const FLAGS: usize = 0;
const KEYS: usize = 1;
const RANKS: usize = 2;
const TIMES: usize = 3;
const MODELS: usize = 4;
const TOKENS: usize = 5;
const PROJECTS: usize = 11;
const SESSIONS: usize = 12;
const TAGS: usize = 13;
const ESTIMATES: usize = 14;
const ITERATIONS: usize = 15;

impl ColumnReader<'_> {
    fn string(&mut self, col: usize) -> Option<Arc<str>> {
        let id = self.cols[col].u32()? as usize;
        self.strings.get(id).cloned()
    }

    fn tokens(&mut self, col: Option<usize>) -> Option<Tokens> {
        let mut v = [0u64; 6];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = self.cols[col.unwrap_or(TOKENS + i)].u64()?;
        }
        Some(Tokens {
            input: v[0],
            cache_write_5m: v[1],
            cache_write_1h: v[2],
            cache_read: v[3],
            output: v[4],
            web_search_requests: v[5],
        })
    }

    fn record(&mut self, at: &mut i64) -> Option<UsageEvent> {
        let flags = self.cols[FLAGS].u32()?;
        if flags & !KNOWN != 0 {
            return None;
        }
        let key = if flags & HAS_KEY != 0 {
            Some(self.cols[KEYS].fixed64()?)
        } else {
            None
        };
        let alt_key = if flags & HAS_ALT_KEY != 0 {
            Some(self.cols[KEYS].fixed64()?)
        } else {
            None
        };
        let rank = self.cols[RANKS].u64()?;
        let delta = i64::try_from(self.cols[TIMES].signed()?).ok()?;
        *at = at.checked_add(delta)?;
        let timestamp = DateTime::from_timestamp_millis(*at)?;
        let model = self.string(MODELS)?;
        let tokens = self.tokens(None)?;
        let project = if flags & HAS_PROJECT != 0 {
            Some(self.string(PROJECTS)?)
        } else {
            None
        };
        let session = if flags & HAS_SESSION != 0 {
            Some(self.string(SESSIONS)?)
        } else {
            None
        };
        let mut tags = Vec::new();
        if flags & HAS_TAGS != 0 {
            // Each pair takes bytes of the column: a damaged count runs out, it never loops on.
            for _ in 0..self.cols[TAGS].u32()? {
                tags.push((self.string(TAGS)?, self.string(TAGS)?));
            }
        }
        let estimate = if flags & HAS_ESTIMATE != 0 {
            Some(Money(self.cols[ESTIMATES].signed()?))
        } else {
            None
        };
        let mut iterations = Vec::new();
        if flags & HAS_ITERATIONS != 0 {
            for _ in 0..self.cols[ITERATIONS].u32()? {
                let kind = iteration_kind(self.cols[ITERATIONS].u32()?)?;
                let model = self.string(ITERATIONS)?;
                let tokens = self.tokens(Some(ITERATIONS))?;
                iterations.push(BilledIteration {
                    kind,
                    model,
                    tokens,
                });
            }
        }
        Some(UsageEvent {
            key,
            alt_key,
            rank,
            timestamp,
            model,
            tokens,
            tier: tier((flags >> TIER_SHIFT) & 3)?,
            modifiers: Modifiers {
                fast: flags & FAST != 0,
                us_only: flags & US_ONLY != 0,
                long_context: flags & LONG_CONTEXT != 0,
            },
            stop_reason: stop((flags >> STOP_SHIFT) & 3).ok()?,
            kind: kind((flags >> KIND_SHIFT) & 3),
            attribution: Attribution {
                project,
                session,
                tags,
            },
            iterations,
            estimate,
        })
    }
}
