//! Alarms: conditions with hysteresis (raised at one threshold, cleared at a lower one), a start
//! time, acknowledgement and a bounded log. Evaluated by the owner of the state at "now".

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use super::snapshot::{AlarmLogEntry, AlarmStatus};
use super::state::State;
use crate::pricing::Money;
use crate::sources::SourceState;

/// Most alarm transitions kept in the log.
const LOG_CAPACITY: usize = 200;
/// A spike: the 15-minute burn rate at least this many times the baseline…
const SPIKE_RAISE: f64 = 3.0;
/// …and it clears below this many times.
const SPIKE_CLEAR: f64 = 2.0;
/// Spikes below this burn rate ($/h) are noise.
const SPIKE_FLOOR_USD_PER_HOUR: f64 = 1.0;
/// Budgets clear their alarms once spend falls below this fraction of the level (new period).
const CLEAR_FRACTION: f64 = 0.9;

/// How bad an alarm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Act soon.
    Warning,
    /// Act now.
    Critical,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// An alarm to raise: what, how bad, and for budget alarms the amounts.
struct Raise {
    id: String,
    kind: &'static str,
    severity: Severity,
    message: String,
    amounts: Option<(Money, Money)>,
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
pub struct AlarmBook {
    active: BTreeMap<String, Active>,
    log: VecDeque<AlarmLogEntry>,
    seq: u64,
}

impl AlarmBook {
    /// Raises an alarm unless it is already active (then only its message is refreshed).
    /// Returns true when it is new.
    fn raise(
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
    fn raise_with(&mut self, r: Raise, now: DateTime<Utc>) -> bool {
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

    fn is_active(&self, id: &str) -> bool {
        self.active.contains_key(id)
    }

    fn clear(&mut self, id: &str, now: DateTime<Utc>) -> bool {
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

    /// Marks every active alarm acknowledged; returns whether anything changed.
    pub fn acknowledge_all(&mut self) -> bool {
        let mut changed = false;
        for a in self.active.values_mut() {
            changed |= !a.acknowledged;
            a.acknowledged = true;
        }
        changed
    }

    /// Active alarms, most severe first, then oldest first.
    pub fn active(&self) -> Vec<AlarmStatus> {
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
    pub fn log(&self) -> Vec<AlarmLogEntry> {
        self.log.iter().cloned().collect()
    }

    /// Transitions logged so far (including ones that fell out of the bounded log).
    pub fn transitions(&self) -> u64 {
        self.seq
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    }
}

impl State {
    /// Acknowledges every active alarm.
    pub fn acknowledge_alarms(&mut self) {
        if self.alarms.acknowledge_all() {
            self.touch();
        }
    }

    /// Re-evaluates every alarm rule at `now`; returns how many alarms were newly raised.
    pub fn evaluate_alarms(&mut self, now: DateTime<Utc>) -> usize {
        let mut raised = 0;
        let mut changed = false;
        let budgets = self.settings.budgets.clone();
        for b in &budgets {
            let (spent, projected) = b.spent_and_projected(self, now);
            let warn_level = b.limit.usd() * b.warn_at;
            let limit = b.limit.usd();
            let msg = |what: &str| format!("{}: {} spent of {} ({what})", b.name, spent, b.limit);
            let (ex, warn, fc) = (
                format!("budget_exceeded:{}", b.name),
                format!("budget_warn:{}", b.name),
                format!("forecast:{}", b.name),
            );
            if spent.usd() >= limit {
                changed |= self.alarms.clear(&warn, now) | self.alarms.clear(&fc, now);
                let r = Raise {
                    id: ex,
                    kind: "budget_exceeded",
                    severity: Severity::Critical,
                    message: msg("limit exceeded"),
                    amounts: Some((spent, b.limit)),
                };
                raised += usize::from(self.alarms.raise_with(r, now));
                continue;
            }
            if spent.usd() < limit * CLEAR_FRACTION {
                changed |= self.alarms.clear(&ex, now);
            } else if self.alarms.is_active(&ex) {
                // Still exceeded until the spend falls well under the limit (hysteresis): a
                // dip just under it must not raise the warning (and the forecast) again.
                continue;
            }
            if spent.usd() >= warn_level {
                let r = Raise {
                    id: warn,
                    kind: "budget_warn",
                    severity: Severity::Warning,
                    message: msg(&format!("{:.0}% of the limit", spent.usd() / limit * 100.0)),
                    amounts: Some((spent, b.limit)),
                };
                raised += usize::from(self.alarms.raise_with(r, now));
            } else if spent.usd() < warn_level * CLEAR_FRACTION {
                changed |= self.alarms.clear(&warn, now);
            }
            let (start, _) = b.period_bounds(self, now);
            let settled = now - start >= Duration::minutes(10);
            if settled && projected.usd() >= limit {
                let m = format!(
                    "{}: projected {} by the end of the {} exceeds {}",
                    b.name, projected, b.period, b.limit
                );
                let r = Raise {
                    id: fc,
                    kind: "forecast",
                    severity: Severity::Warning,
                    message: m,
                    amounts: Some((spent, b.limit)),
                };
                raised += usize::from(self.alarms.raise_with(r, now));
            } else if projected.usd() < limit * CLEAR_FRACTION {
                changed |= self.alarms.clear(&fc, now);
            }
        }
        raised += self.evaluate_spike(now, &mut changed);
        raised += self.evaluate_cache(now, &mut changed);
        for model in self.unpriced_seen.clone() {
            let name = self.strings.name(model).to_string();
            let m = format!(
                "model {name} is not in the price table: its tokens are counted, its cost is not (add it under [prices] in the config)"
            );
            raised += usize::from(self.alarms.raise(
                format!("unpriced:{name}"),
                "unpriced_model",
                Severity::Warning,
                now,
                m,
            ));
        }
        let sources: Vec<_> = self
            .sources
            .values()
            .map(|h| (h.name.clone(), h.state.clone()))
            .collect();
        for (name, state) in sources {
            let id = format!("source:{name}");
            match state {
                SourceState::Error(reason) => {
                    raised += usize::from(self.alarms.raise(
                        id,
                        "source_down",
                        Severity::Critical,
                        now,
                        format!("source {name} is failing: {reason}"),
                    ));
                }
                SourceState::Stale => {
                    raised += usize::from(self.alarms.raise(
                        id,
                        "source_down",
                        Severity::Warning,
                        now,
                        format!("source {name} is stale: no new data"),
                    ));
                }
                SourceState::Ok | SourceState::Done => changed |= self.alarms.clear(&id, now),
            }
        }
        if raised > 0 || changed {
            self.touch();
        }
        raised
    }

    fn evaluate_spike(&mut self, now: DateTime<Utc>, changed: &mut bool) -> usize {
        let id = "spend_spike".to_string();
        let recent = self.spend_between(now - Duration::minutes(15), now).usd() * 4.0;
        let base_from = (now - Duration::hours(3)).max(self.first_event.unwrap_or(now));
        let base_to = now - Duration::minutes(15);
        let base_secs = (base_to - base_from).num_seconds();
        if base_secs < 3600 {
            return 0; // not enough history for a baseline
        }
        let baseline = self
            .spend_between(base_from, base_to - Duration::minutes(1))
            .usd()
            / base_secs as f64
            * 3600.0;
        // Work starting after an idle spell is not a spike: a spike needs a baseline to
        // rise from (runaway spend from idle is the budget and forecast alarms' job).
        if baseline > 0.0 && recent >= SPIKE_FLOOR_USD_PER_HOUR && recent >= baseline * SPIKE_RAISE
        {
            let m = format!(
                "spend spike: {} /h over the last 15 min vs {} /h before",
                Money::from_usd(recent),
                Money::from_usd(baseline)
            );
            usize::from(
                self.alarms
                    .raise(id, "spend_spike", Severity::Warning, now, m),
            )
        } else {
            if recent < baseline * SPIKE_CLEAR || recent < SPIKE_FLOOR_USD_PER_HOUR {
                *changed |= self.alarms.clear(&id, now);
            }
            0
        }
    }

    fn evaluate_cache(&mut self, now: DateTime<Utc>, changed: &mut bool) -> usize {
        let id = "cache_losing_money".to_string();
        let from = (now - Duration::hours(1)).timestamp().div_euclid(60);
        let to = now.timestamp().div_euclid(60);
        let (mut net, mut writes) = (Money::ZERO, 0u64);
        for (_, m) in self.minutes.range(from..=to) {
            for (_, c) in &m.cells {
                net += Money(i128::from(c.cache_savings));
                writes += c.tokens.cache_writes();
            }
        }
        if writes > 0 && net < Money::from_usd(-0.01) {
            let m = format!(
                "caching is losing money: {net} net over the last hour (cache writes are not being read back)"
            );
            usize::from(
                self.alarms
                    .raise(id, "cache_losing_money", Severity::Warning, now, m),
            )
        } else {
            if net >= Money::ZERO {
                *changed |= self.alarms.clear(&id, now);
            }
            0
        }
    }
}
