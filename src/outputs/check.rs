//! `costtop check`'s answer: an exit code over every budget's standing (0 under every one,
//! 1 at a warning, 2 over a limit, 3 when it could not tell), the one line naming the budget
//! that decided it, and the JSON of them all.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::budget::{Scope, Standing, State};
use crate::money::Money;
use crate::pricing::round_usd;
use crate::time::{Period, Zone};

/// Every budget over its limit (2).
pub(crate) const EXCEEDED: u8 = 2;
/// A budget at its warning level (1).
pub(crate) const WARN: u8 = 1;
/// Costtop could not tell (3).
pub(crate) const UNKNOWN: u8 = 3;

/// The answer over every budget: one over its limit decides (2); else one that could not be
/// told (3); else one at its warning level (1); else 0.
pub(crate) fn exit_code(standings: &[Standing]) -> u8 {
    let worst = standings.iter().filter_map(|s| s.state).max();
    if worst == Some(State::Exceeded) {
        EXCEEDED
    } else if standings.is_empty() || standings.iter().any(|s| s.state.is_none()) {
        UNKNOWN
    } else if worst == Some(State::Warn) {
        WARN
    } else {
        0
    }
}

fn fraction(s: &Standing) -> f64 {
    if s.limit.0 <= 0 {
        return 0.0;
    }
    s.spent.usd() / s.limit.usd()
}

/// The budget that decides the exit code: the worst state, then the nearest its limit.
pub(crate) fn deciding(standings: &[Standing]) -> Option<&Standing> {
    let code = exit_code(standings);
    let rank = |s: &Standing| match s.state {
        Some(State::Exceeded) => 3,
        None if code == UNKNOWN => 2,
        Some(State::Warn) => 1,
        _ => 0,
    };
    standings.iter().max_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(fraction(a).total_cmp(&fraction(b)))
    })
}

fn money(m: Money, lower_bound: bool) -> String {
    if lower_bound {
        format!("{m}+")
    } else {
        m.to_string()
    }
}

/// Whose spend a scoped standing is about: ` for session 5e55…`.
fn subject(s: &Standing) -> String {
    match (&s.scope, &s.subject) {
        (Scope::All, _) | (_, None) => String::new(),
        (scope, Some(who)) => format!(" for {} {who}", scope.as_str()),
    }
}

/// One line: `exceeded: day budget $212.40 of $200.00 (106%), projected $260.10 by
/// 2026-12-08 00:00`; for one of the org's spend limits `warn: org limit "organization"
/// monthly $850.00 of $1,000.00 (85%) until 2027-01-01 00:00 UTC`.
pub(crate) fn line(s: &Standing, zone: Zone) -> String {
    if let (Some(state), Some(_)) = (s.state, &s.org) {
        let every = match s.period {
            Period::Hour => "hourly",
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
        };
        return format!(
            "{}: org limit {:?} {every} {} of {} ({:.0}%) until {} UTC",
            state.as_str(),
            s.name,
            s.spent,
            s.limit,
            fraction(s) * 100.0,
            s.end.format("%Y-%m-%d %H:%M"),
        );
    }
    let Some(state) = s.state else {
        return format!(
            "unknown: {}{}: {}",
            s.name,
            subject(s),
            s.unknown.as_deref().unwrap_or("could not tell")
        );
    };
    format!(
        "{}: {}{} {} of {} ({:.0}%), projected {} by {}",
        state.as_str(),
        s.name,
        subject(s),
        money(s.spent, s.lower_bound),
        s.limit,
        fraction(s) * 100.0,
        money(s.projected, s.lower_bound),
        zone.local(s.end).format("%Y-%m-%d %H:%M"),
    )
}

/// The whole answer as JSON: the state, the exit code, where the figures came from, and
/// every budget.
pub(crate) fn json(standings: &[Standing], source: &str, problems: &[String]) -> String {
    let code = exit_code(standings);
    let state = match code {
        0 => "ok",
        WARN => "warn",
        EXCEEDED => "exceeded",
        _ => "unknown",
    };
    let budgets: Vec<Value> = standings.iter().map(standing_json).collect();
    let mut out = json!({
        "state": state,
        "exit_code": code,
        "source": source,
        "budgets": budgets,
    });
    if !problems.is_empty() {
        out["problems"] = json!(problems);
    }
    out.to_string()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn standing_json(s: &Standing) -> Value {
    let mut v = json!({
        "name": s.name,
        "period": s.period.as_str(),
        "scope": s.scope.as_str(),
        "limit_usd": round_usd(s.limit.usd()),
        "spent_usd": round_usd(s.spent.usd()),
        "projected_usd": round_usd(s.projected.usd()),
        "state": s.state.map_or("unknown", State::as_str),
        "cost_is_lower_bound": s.lower_bound,
        "period_start": time(s.start),
        "period_end": time(s.end),
    });
    if let Some(who) = &s.subject {
        v["subject"] = json!(who);
    }
    v["kind"] = json!("budget");
    if let Some(org) = &s.org {
        v["kind"] = json!("spend_limit");
        v["scope"] = json!(org.scope);
        v["spent_source"] = json!(org.spent_source);
        v["projected_usd"] = Value::Null;
    }
    if let Some(why) = &s.unknown {
        v["unknown"] = json!(why);
    }
    v
}

/// The answer when nothing could be judged (a bad config, nothing to read), as JSON.
pub(crate) fn error_json(why: &str) -> String {
    json!({
        "state": "unknown",
        "exit_code": UNKNOWN,
        "error": why,
        "budgets": [],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Budget;
    use crate::time::Period;
    use chrono::TimeZone;

    fn standing(limit: f64, spent: f64) -> Standing {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
        Budget::simple(Period::Day, limit).standing(
            (start, start + chrono::Duration::days(1)),
            Money::from_usd(spent),
            Money::from_usd(spent * 2.0),
        )
    }

    #[test]
    fn the_worst_budget_decides_and_unknown_weighs_less_than_exceeded() {
        let ok = standing(100.0, 10.0);
        let warn = standing(100.0, 85.0);
        let over = standing(10.0, 12.0);
        let mut unknown = standing(5.0, 0.0);
        unknown.state = None;
        assert_eq!(exit_code(std::slice::from_ref(&ok)), 0);
        assert_eq!(exit_code(&[ok.clone(), warn.clone()]), WARN);
        assert_eq!(exit_code(&[warn.clone(), unknown.clone()]), UNKNOWN);
        assert_eq!(
            exit_code(&[unknown.clone(), over.clone(), warn.clone()]),
            EXCEEDED
        );
        assert_eq!(exit_code(&[]), UNKNOWN);
        assert_eq!(deciding(&[ok, over.clone(), warn]), Some(&over));
    }

    #[test]
    fn the_line_names_budget_spent_limit_and_projection() {
        let zone: Zone = "UTC".parse().unwrap();
        assert_eq!(
            line(&standing(200.0, 212.4), zone),
            "exceeded: day budget $212.40 of $200.00 (106%), projected $424.80 by 2026-12-08 00:00"
        );
    }

    #[test]
    fn an_org_limit_is_named_as_one_and_listed_as_a_spend_limit() {
        let mut s = standing(1000.0, 850.0);
        s.name = "organization".into();
        s.period = Period::Month;
        s.state = Some(State::Warn);
        s.end = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        s.org = Some(crate::budget::OrgLimit {
            scope: "organization".into(),
            spent_source: "anthropic".into(),
        });
        assert_eq!(
            line(&s, "Europe/Paris".parse().unwrap()),
            "warn: org limit \"organization\" monthly $850.00 of $1,000.00 (85%) until 2027-01-01 00:00 UTC"
        );
        let v: Value = serde_json::from_str(&json(&[s], "admin-api", &[])).unwrap();
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["budgets"][0]["kind"], "spend_limit");
        assert_eq!(v["budgets"][0]["scope"], "organization");
        assert_eq!(v["budgets"][0]["spent_usd"], 850.0);
        assert!(v["budgets"][0]["projected_usd"].is_null());
    }
}
