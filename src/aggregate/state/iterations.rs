//! Billed iterations (PRICES.md §2.9): the `compaction` and `advisor_message` steps of a
//! response are billed on top of its top-level usage, each at its own model. Each becomes an
//! [`EventKind::Iteration`](crate::usage::EventKind::Iteration) record of its own — tokens and
//! cost under its model, no request, no output-histogram entry — keyed after its record so a more complete copy replaces it.

use super::State;
use crate::usage::UsageEvent;

impl State {
    /// Counts the billed iterations of a record that was just counted. The record's own
    /// counters (`stats`) are left as the record set them: an iteration is not a record.
    pub(super) fn bill_iterations(&mut self, record: &UsageEvent) {
        let stats = self.stats;
        for step in record.iteration_events() {
            self.ingest(&step);
        }
        self.stats = stats;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use crate::aggregate::{Settings, State};
    use crate::pricing::Money;
    use crate::snapshot::{GroupBy, ModelRow};
    use crate::time::Window;
    use crate::usage::{
        Attribution, BilledIteration, EventKind, IterationKind, Modifiers, Tier, Tokens, UsageEvent,
    };

    fn tokens(input: u64, write_5m: u64, output: u64) -> Tokens {
        Tokens {
            input,
            cache_write_5m: write_5m,
            output,
            ..Tokens::default()
        }
    }

    fn response(model: &str, top: Tokens, steps: Vec<BilledIteration>) -> UsageEvent {
        UsageEvent {
            alt_key: None,
            key: Some(42),
            rank: top.total(),
            timestamp: Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap(),
            model: Arc::from(model),
            tokens: top,
            tier: Tier::Standard,
            modifiers: Modifiers::default(),
            stop_reason: None,
            kind: EventKind::Request,
            attribution: Attribution::default(),
            iterations: steps,
            estimate: None,
        }
    }

    fn step(kind: IterationKind, model: &str, t: Tokens) -> BilledIteration {
        BilledIteration {
            kind,
            model: Arc::from(model),
            tokens: t,
        }
    }

    fn state() -> State {
        State::new(Settings {
            window: Window::All,
            ..Settings::default()
        })
    }

    fn row<'a>(rows: &'a [ModelRow], model: &str) -> &'a ModelRow {
        rows.iter().find(|r| r.model == model).expect(model)
    }

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()
    }

    /// µ$ → Money.
    fn micros(n: i128) -> Money {
        Money(n * 1_000_000)
    }

    /// tests/fixtures/messages-api/response-iterations.json: Sonnet 5, top-level 2,390 in /
    /// 121 out (= its two `message` steps, which the parser never keeps) = 4,780 + 1,210 µ$,
    /// and its advisor step on `advisor` (the fixture's is Opus 4.8), 2,518 in / 22 out.
    fn fixture_response(advisor: Option<&str>) -> UsageEvent {
        let steps = advisor.map(|m| step(IterationKind::Advisor, m, tokens(2_518, 0, 22)));
        response(
            "claude-sonnet-5",
            tokens(2_390, 0, 121),
            steps.into_iter().collect(),
        )
    }

    /// The fixture's advisor step on Opus 4.8: 2,518 × $5 + 22 × $25 per M = 12,590 + 550 µ$.
    const ADVISOR_MICROS: i128 = 13_140;
    /// Its top-level usage on Sonnet 5.
    const MESSAGE_MICROS: i128 = 5_990;

    #[test]
    fn an_advisor_step_is_billed_at_its_own_model_and_the_request_counted_once() {
        let mut s = state();
        s.ingest(&fixture_response(Some("claude-opus-4-8")));
        let snap = s.snapshot(now(), Some(&GroupBy::Model));
        assert_eq!(snap.totals.cost, micros(MESSAGE_MICROS + ADVISOR_MICROS));
        assert_eq!(snap.totals.requests, 1);
        assert_eq!(snap.totals.input_tokens, 2_390 + 2_518);
        let sonnet = row(&snap.by_model, "claude-sonnet-5");
        let sonnet = (sonnet.totals.requests, sonnet.totals.cost);
        assert_eq!(sonnet, (1, micros(MESSAGE_MICROS)));
        let opus = row(&snap.by_model, "claude-opus-4-8");
        let opus = (
            opus.totals.requests,
            opus.totals.output_tokens,
            opus.totals.cost,
        );
        assert_eq!(opus, (0, 22, micros(ADVISOR_MICROS)));
        // One response in the output histogram, with the message's output.
        assert_eq!(snap.output_tokens.max, 121);
        assert_eq!(s.stats.counted, 1);
    }

    #[test]
    fn a_compaction_step_is_added_on_top() {
        // PRICES.md §2.9: top-level 229 in / 5 out = 458 + 50 µ$ on Sonnet 5; the compaction
        // step 100 in / 131 out / 55,096 5m writes = 200 + 1,310 + 137,740 µ$.
        let mut s = state();
        let compaction = step(
            IterationKind::Compaction,
            "claude-sonnet-5",
            tokens(100, 55_096, 131),
        );
        s.ingest(&response(
            "claude-sonnet-5",
            tokens(229, 0, 5),
            vec![compaction],
        ));
        let snap = s.snapshot(now(), None);
        assert_eq!(snap.totals.cost, micros(508 + 139_250));
        assert_eq!(snap.totals.requests, 1);
        assert_eq!(snap.totals.cache_write_5m_tokens, 55_096);
    }

    #[test]
    fn a_message_only_list_arrives_empty_and_changes_nothing() {
        // The parser keeps no `message` step: the response is its top-level usage alone.
        let mut s = state();
        s.ingest(&fixture_response(None));
        let snap = s.snapshot(now(), None);
        assert_eq!(snap.totals.cost, micros(MESSAGE_MICROS));
        assert_eq!(snap.by_model.len(), 1);
    }

    #[test]
    fn a_more_complete_copy_replaces_the_steps_too() {
        let mut s = state();
        let early = step(
            IterationKind::Advisor,
            "claude-opus-4-8",
            tokens(2_518, 0, 1),
        );
        let mut first = response("claude-sonnet-5", tokens(2_390, 0, 1), vec![early]);
        first.rank = 1;
        s.ingest(&first);
        s.ingest(&fixture_response(Some("claude-opus-4-8")));
        // A verbatim copy of the final one is a duplicate, steps included.
        s.ingest(&fixture_response(Some("claude-opus-4-8")));
        let snap = s.snapshot(now(), None);
        assert_eq!(snap.totals.cost, micros(MESSAGE_MICROS + ADVISOR_MICROS));
        assert_eq!(snap.totals.requests, 1);
        let stats = (s.stats.counted, s.stats.replaced, s.stats.duplicates);
        assert_eq!(stats, (1, 1, 1));
    }

    #[test]
    fn an_unpriced_advisor_makes_the_total_a_lower_bound_without_an_unpriced_request() {
        let mut s = state();
        s.ingest(&fixture_response(Some("claude-opus-6")));
        let snap = s.snapshot(now(), None);
        assert_eq!(snap.totals.cost, micros(MESSAGE_MICROS));
        assert!(snap.totals.cost_is_lower_bound);
        assert_eq!(snap.totals.unpriced_requests, 0);
        assert_eq!(snap.unpriced_models[0].model, "claude-opus-6");
    }
}
