//! The alarm rules: what the state raises and clears at "now" (budgets, forecasts, spend
//! spikes, cache losing money, unpriced models, sources down or stale), and the state's
//! acknowledgement entry points. The book keeping lives in [`super::alarm`].

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::alarm::{Raise, Severity};
use super::state::State;
use crate::pricing::Money;
use crate::usage::SourceState;

/// A spike: the 15-minute burn rate at least this many times the baseline…
const SPIKE_RAISE: f64 = 3.0;
/// …and it clears below this many times.
const SPIKE_CLEAR: f64 = 2.0;
/// Spikes below this burn rate ($/h) are noise.
const SPIKE_FLOOR_USD_PER_HOUR: f64 = 1.0;
/// Budgets clear their alarms once spend falls below this fraction of the level (new period).
const CLEAR_FRACTION: f64 = 0.9;

impl State {
    /// Acknowledges every active alarm.
    pub fn acknowledge_alarms(&mut self) {
        if self.alarms.acknowledge_all() {
            self.touch();
        }
    }

    /// The active alarms' raises, for acknowledgements that must outlive this state (a
    /// replay seek restores an earlier state).
    pub fn alarm_raises(&self) -> Vec<(String, DateTime<Utc>)> {
        self.alarms.raises().collect()
    }

    /// Acknowledges the active alarms raised as listed (by id and raise time).
    pub fn acknowledge_raises(&mut self, raises: &BTreeSet<(String, DateTime<Utc>)>) {
        if self.alarms.acknowledge_raises(raises) {
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
        let recent = self
            .spend_between(now - Duration::minutes(15), now, now)
            .usd()
            * 4.0;
        let base_from = (now - Duration::hours(3)).max(self.first_event.unwrap_or(now));
        let base_to = now - Duration::minutes(15);
        let base_secs = (base_to - base_from).num_seconds();
        if base_secs < 3600 {
            return 0; // not enough history for a baseline
        }
        let baseline = self
            .spend_between(base_from, base_to - Duration::minutes(1), now)
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
        for (_, m) in self.history.slots(from, to, now) {
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
