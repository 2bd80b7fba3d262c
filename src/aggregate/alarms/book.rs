//! Alarms: conditions with hysteresis (raised at one threshold, cleared at a lower one), a start
//! time, acknowledgement and a bounded log. Evaluated by the owner of the state at "now".

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};

use crate::pricing::Money;
use crate::snapshot::{AlarmLogEntry, AlarmStatus};

/// Most alarm transitions kept in the log.
const LOG_CAPACITY: usize = 200;

/// How bad an alarm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// Act soon.
    Warning,
    /// Act now.
    Critical,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// An alarm to raise: what, how bad, and for budget alarms the amounts.
pub(crate) struct Raise {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) amounts: Option<(Money, Money)>,
}

#[derive(Debug, Clone)]
struct Active {
    kind: &'static str,
    severity: Severity,
    since: DateTime<Utc>,
    message: String,
    acknowledged: bool,
}

/// Active alarms and the log of transitions.
#[derive(Debug, Default, Clone)]
pub(crate) struct AlarmBook {
    active: BTreeMap<String, Active>,
    log: VecDeque<AlarmLogEntry>,
    seq: u64,
}

impl AlarmBook {
    /// Raises an alarm unless it is already active (then only its message is refreshed).
    /// Returns true when it is new.
    pub(crate) fn raise(
        &mut self,
        id: String,
        kind: &'static str,
        severity: Severity,
        now: DateTime<Utc>,
        message: String,
    ) -> bool {
        let r = Raise {
            id,
            kind,
            severity,
            message,
            amounts: None,
        };
        self.raise_with(r, now)
    }

    /// Like `raise`, with the budget amounts for hooks.
    pub(crate) fn raise_with(&mut self, r: Raise, now: DateTime<Utc>) -> bool {
        if let Some(a) = self.active.get_mut(&r.id) {
            a.message = r.message;
            return false;
        }
        self.push_log(now, r.kind, r.severity, "raised", &r.message, r.amounts);
        self.active.insert(
            r.id,
            Active {
                kind: r.kind,
                severity: r.severity,
                since: now,
                message: r.message,
                acknowledged: false,
            },
        );
        true
    }

    pub(crate) fn is_active(&self, id: &str) -> bool {
        self.active.contains_key(id)
    }

    pub(crate) fn clear(&mut self, id: &str, now: DateTime<Utc>) -> bool {
        match self.active.remove(id) {
            Some(a) => {
                self.push_log(now, a.kind, a.severity, "cleared", &a.message, None);
                true
            }
            None => false,
        }
    }

    fn push_log(
        &mut self,
        at: DateTime<Utc>,
        kind: &str,
        severity: Severity,
        transition: &str,
        message: &str,
        amounts: Option<(Money, Money)>,
    ) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.seq += 1;
        self.log.push_back(AlarmLogEntry {
            seq: self.seq,
            at,
            kind: kind.to_string(),
            severity: severity.as_str().to_string(),
            transition: transition.to_string(),
            message: message.to_string(),
            spent_usd: amounts.map(|(s, _)| crate::pricing::round_usd(s.usd())),
            limit_usd: amounts.map(|(_, l)| l.usd()),
        });
    }

    /// Every active alarm as (id, raise time): what identifies one raise of an alarm.
    pub(crate) fn raises(&self) -> impl Iterator<Item = (String, DateTime<Utc>)> + '_ {
        self.active.iter().map(|(id, a)| (id.clone(), a.since))
    }

    /// Marks the active alarms whose raise is in `raises` acknowledged; returns whether
    /// anything changed.
    pub(crate) fn acknowledge_raises(
        &mut self,
        raises: &BTreeSet<(String, DateTime<Utc>)>,
    ) -> bool {
        let mut changed = false;
        for (id, a) in &mut self.active {
            if !a.acknowledged && raises.contains(&(id.clone(), a.since)) {
                a.acknowledged = true;
                changed = true;
            }
        }
        changed
    }

    /// Marks every active alarm acknowledged; returns whether anything changed.
    pub(crate) fn acknowledge_all(&mut self) -> bool {
        let mut changed = false;
        for a in self.active.values_mut() {
            changed |= !a.acknowledged;
            a.acknowledged = true;
        }
        changed
    }

    /// Active alarms, most severe first, then oldest first.
    pub(crate) fn active(&self) -> Vec<AlarmStatus> {
        let mut v: Vec<AlarmStatus> = self
            .active
            .iter()
            .map(|(id, a)| AlarmStatus {
                id: id.clone(),
                kind: a.kind.to_string(),
                severity: a.severity.as_str().to_string(),
                since: a.since,
                message: a.message.clone(),
                acknowledged: a.acknowledged,
            })
            .collect();
        v.sort_by(|a, b| {
            severity_rank(&b.severity)
                .cmp(&severity_rank(&a.severity))
                .then(a.since.cmp(&b.since))
        });
        v
    }

    /// The log, oldest first.
    pub(crate) fn log(&self) -> Vec<AlarmLogEntry> {
        self.log.iter().cloned().collect()
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    }
}
