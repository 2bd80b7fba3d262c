//! The demo's day budget, sized from the scenario's own priced spend so that its warning and
//! then its alarm fire within the first minute of the demo, whatever the speed.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::scenario::Scenario;
use crate::budget::{Budget, BudgetFilter, Scope};
use crate::pricing::{Money, PriceTable, price};
use crate::time::{Period, Zone};

/// Name of the budget the demo adds.
pub(crate) const DEMO_BUDGET_NAME: &str = "demo day budget";
/// Real seconds after the start at which the warning should fire.
const WARN_TARGET: f64 = 20.0;
/// Real seconds after the start at which the limit should be exceeded.
const EXCEEDED_TARGET: f64 = 42.0;
/// Candidate exceed times tried (real seconds).
const SEARCH: (f64, f64) = (25.0, 70.0);
/// Fraction of the limit at which the budget warns.
const WARN_AT: f64 = 0.8;

/// Cumulative priced spend of the scenario, record by record, from a period start.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpendCurve {
    points: Vec<(DateTime<Utc>, Money)>,
}

impl SpendCurve {
    /// Prices every record of `scenario` in `[from, until)` (retried copies counted once).
    pub(crate) fn of(
        scenario: &Scenario,
        prices: &PriceTable,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> SpendCurve {
        let mut points = Vec::new();
        let mut total = Money::ZERO;
        let first = scenario.minute_of(from).max(Scenario::first_minute());
        for m in first..=scenario.minute_of(until) {
            for r in scenario.minute(m) {
                if r.at < from || r.at >= until {
                    continue;
                }
                let event = r.request.billing_event(r.at);
                total += price(prices, &event).map_or(Money::ZERO, |c| c.total);
                points.push((r.at, total));
            }
        }
        SpendCurve { points }
    }

    /// Spend up to and including `t`.
    pub(crate) fn at(&self, t: DateTime<Utc>) -> Money {
        let i = self.points.partition_point(|(at, _)| *at <= t);
        i.checked_sub(1).map_or(Money::ZERO, |i| self.points[i].1)
    }

    /// When the spend first reaches `amount`, if it does.
    pub(crate) fn reaches(&self, amount: Money) -> Option<DateTime<Utc>> {
        let i = self.points.partition_point(|(_, total)| *total < amount);
        self.points.get(i).map(|(at, _)| *at)
    }
}

/// The demo's budget and when (in real time from the start) it should warn and be exceeded.
#[derive(Debug, Clone)]
pub struct BudgetPlan {
    /// The day budget to add.
    pub budget: Budget,
    /// Real time from the start until the spend reaches the warning level.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the planner's test checks where the plan lands")
    )]
    pub(crate) warn_after: Option<Duration>,
    /// Real time from the start until the spend reaches the limit.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the planner's test checks where the plan lands")
    )]
    pub(crate) exceeded_after: Option<Duration>,
}

/// Sizes the demo's day budget for `speed` simulated seconds per real second: the round
/// limit whose warning and exceedance land closest to ~20 s and ~42 s after the start.
pub fn plan_budget(
    scenario: &Scenario,
    prices: &PriceTable,
    zone: &Zone,
    speed: f64,
) -> BudgetPlan {
    let start = scenario.start();
    let real = |t: DateTime<Utc>| {
        Duration::try_from_secs_f64(((t - start).as_seconds_f64() / speed).max(0.0)).ok()
    };
    let sim = |secs: f64| start + chrono::Duration::milliseconds((secs * speed * 1000.0) as i64);
    let day_start = zone.start_of_day(start);
    let until = sim(SEARCH.1).min(zone.end_of_day(start));
    let curve = SpendCurve::of(scenario, prices, day_start, until);
    let timing = |limit: Money| {
        let warn = curve
            .reaches(Money::from_usd(limit.usd() * WARN_AT))
            .and_then(real);
        let exceeded = curve.reaches(limit).and_then(real);
        (warn, exceeded)
    };
    let score = |(w, e): (Option<Duration>, Option<Duration>)| match (w, e) {
        (Some(w), Some(e)) => {
            (w.as_secs_f64() - WARN_TARGET).powi(2) + (e.as_secs_f64() - EXCEEDED_TARGET).powi(2)
        }
        _ => f64::INFINITY,
    };
    let mut best: Option<(f64, Money)> = None;
    let mut secs = SEARCH.0;
    while secs <= SEARCH.1 {
        let limit = round_limit(curve.at(sim(secs)));
        let s = score(timing(limit));
        if limit > Money::ZERO && best.is_none_or(|(b, _)| s < b) {
            best = Some((s, limit));
        }
        secs += 0.5;
    }
    let limit = best.map_or(Money::from_usd(100.0), |(_, l)| l);
    let (warn_after, exceeded_after) = timing(limit);
    BudgetPlan {
        budget: Budget {
            name: DEMO_BUDGET_NAME.to_string(),
            period: Period::Day,
            limit,
            warn_at: WARN_AT,
            filter: BudgetFilter::default(),
            scope: Scope::All,
        },
        warn_after,
        exceeded_after,
    }
}

/// A limit a person would set: whole $5 above $100, whole dollars above $10, else cents.
fn round_limit(amount: Money) -> Money {
    let usd = amount.usd();
    let step = if usd >= 100.0 {
        5.0
    } else if usd >= 10.0 {
        1.0
    } else {
        0.01
    };
    Money::from_usd(((usd / step).round() * step).max(step))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-03T13:00:00Z")
            .expect("valid")
            .to_utc()
    }

    #[test]
    fn curve_grows_and_counts_history() {
        let s = Scenario::new(7, start());
        let utc = Zone::Named(chrono_tz::UTC);
        let curve = SpendCurve::of(
            &s,
            &PriceTable::embedded(),
            utc.start_of_day(start()),
            start() + chrono::Duration::hours(2),
        );
        let at_start = curve.at(start());
        let later = curve.at(start() + chrono::Duration::hours(1));
        assert!(at_start > Money::from_usd(50.0), "{at_start}");
        assert!(later > at_start);
        assert_eq!(curve.reaches(later), curve.reaches(later));
    }

    #[test]
    fn default_speed_budget_warns_then_exceeds_in_the_first_minute() {
        let s = Scenario::new(7, start());
        let utc = Zone::Named(chrono_tz::UTC);
        let plan = plan_budget(&s, &PriceTable::embedded(), &utc, 150.0);
        let warn = plan.warn_after.expect("warns").as_secs_f64();
        let exceeded = plan.exceeded_after.expect("exceeds").as_secs_f64();
        assert!((15.0..=25.0).contains(&warn), "warn at {warn} s");
        assert!(
            (35.0..=50.0).contains(&exceeded),
            "exceeded at {exceeded} s"
        );
        assert_eq!(plan.budget.name, DEMO_BUDGET_NAME);
    }

    #[test]
    fn billing_events_price_like_the_parsed_lines() {
        use crate::parse::{LineContext, Parsed, parse_line};
        let s = Scenario::new(11, start());
        let table = PriceTable::embedded();
        let mut n = 0;
        for m in [-700, -655, 0, 30, 55, 75] {
            for r in s.minute(m) {
                let ctx = LineContext {
                    fallback_time: r.at,
                    path: "",
                };
                let Parsed::Usage(parsed) = parse_line(r.line().as_bytes(), &ctx) else {
                    panic!("unreadable line {}", r.line());
                };
                let direct = r.request.billing_event(r.at);
                assert_eq!(price(&table, &direct), price(&table, &parsed));
                assert!(
                    price(&table, &parsed).is_some(),
                    "unpriced {}",
                    parsed.model
                );
                assert_eq!(direct.tokens, parsed.tokens);
                assert_eq!(direct.stop_reason, parsed.stop_reason);
                n += 1;
            }
        }
        assert!(n > 100);
    }

    #[test]
    fn limits_are_round() {
        assert_eq!(round_limit(Money::from_usd(487.3)), Money::from_usd(485.0));
        assert_eq!(round_limit(Money::from_usd(42.6)), Money::from_usd(43.0));
    }
}
