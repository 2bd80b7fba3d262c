//! Pacing: hands out the scenario's records as simulated time reaches them.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::scenario::{Record, Scenario, push_line};

/// A cursor over the scenario: everything from the first minute of history onwards, each
/// record handed out once, in time order.
#[derive(Debug, Clone)]
pub struct DemoFeed {
    scenario: Scenario,
    next_minute: i64,
    pending: VecDeque<Record>,
}

impl DemoFeed {
    /// A feed starting at the scenario's first minute of history.
    pub fn new(scenario: Scenario) -> DemoFeed {
        let next_minute = Scenario::first_minute();
        DemoFeed {
            scenario,
            next_minute,
            pending: VecDeque::new(),
        }
    }

    /// The records at or before `now` not handed out yet.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Record> {
        let mut out = Vec::new();
        loop {
            while self.pending.front().is_some_and(|r| r.at <= now) {
                out.extend(self.pending.pop_front());
            }
            if !self.pending.is_empty() || self.scenario.minute_start(self.next_minute) > now {
                return out;
            }
            self.pending.extend(self.scenario.minute(self.next_minute));
            self.next_minute += 1;
        }
    }

    /// The log text of [`DemoFeed::due`]: one line per record, retried ones twice.
    pub(crate) fn due_text(&mut self, now: DateTime<Utc>) -> String {
        let mut out = String::new();
        for r in self.due(now) {
            push_line(&mut out, &r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeding_in_steps_gives_the_same_text_as_all_at_once() {
        let start = DateTime::parse_from_rfc3339("2026-11-03T13:00:00Z")
            .expect("valid")
            .to_utc();
        let s = Scenario::new(5, start);
        let end = start + chrono::Duration::minutes(30);
        let mut stepped = DemoFeed::new(s.clone());
        let mut text = stepped.due_text(start);
        let mut t = start;
        while t < end {
            t += chrono::Duration::milliseconds(7_300);
            text.push_str(&stepped.due_text(t.min(end)));
        }
        let whole = DemoFeed::new(s.clone()).due_text(end);
        assert_eq!(text, whole);
        // Minute 29 ends before `end`; minute 30 starts at it and is not yet complete.
        assert!(whole.starts_with(&s.text(Scenario::first_minute()..30)));
    }
}
