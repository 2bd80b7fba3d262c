//! Asking a running costtop where the budgets stand: `GET <url>/api/v1/snapshot` on its
//! listener, with the statusline's short timeouts. It answers only when it can answer for
//! every budget: a budget it evaluates itself (same name, period and limit, over all usage of
//! its filter), or an all-usage day or month budget from its spend figures when it runs in
//! the same time zone. Budgets per project or session are judged from the files. When that
//! costtop reads the Admin API, its `org.spend_limits` serve `check --admin-api`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::budget::{Budget, Scope, Standing, State};
use crate::money::Money;
use crate::snapshot::SpendLimitStatus;
use crate::time::{Period, Zone};

#[derive(Debug, Deserialize)]
struct Wire {
    spend: WireSpend,
    #[serde(default)]
    budgets: Vec<WireBudget>,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    unpriced_models: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    org: WireOrg,
}

#[derive(Debug, Default, Deserialize)]
struct WireOrg {
    #[serde(default)]
    spend_limits: Vec<SpendLimitStatus>,
}

/// What a running costtop answered.
#[derive(Debug, Default)]
pub(super) struct Remote {
    /// Where every budget stands, when it could judge them all.
    pub(super) budgets: Option<Vec<Standing>>,
    /// The organisation's spend limits as it has them (none unless it reads the Admin API).
    pub(super) spend_limits: Vec<SpendLimitStatus>,
}

#[derive(Debug, Deserialize)]
#[allow(clippy::struct_field_names)] // the snapshot's own names
struct WireSpend {
    today_usd: f64,
    month_usd: f64,
    #[serde(default)]
    projected_today_usd: f64,
    #[serde(default)]
    projected_month_usd: f64,
}

#[derive(Debug, Deserialize)]
struct WireBudget {
    name: String,
    period: String,
    limit_usd: f64,
    spent_usd: f64,
    projected_usd: f64,
    state: String,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
    #[serde(default)]
    scope: Option<String>,
}

/// What the costtop listening at `base` says, or `None` when none answers in time or the
/// answer is not a snapshot; its `budgets` are `None` when it cannot judge every budget.
pub(super) async fn ask(
    base: &str,
    budgets: &[Budget],
    zone: Zone,
    now: DateTime<Utc>,
) -> Option<Remote> {
    let bytes = crate::app::statusline::snapshot(base, "").await?;
    let wire: Wire = serde_json::from_slice(&bytes).ok()?;
    Some(Remote {
        budgets: judge(&wire, budgets, zone, now),
        spend_limits: wire.org.spend_limits,
    })
}

fn usd(v: f64) -> Money {
    Money::from_usd(if v.is_finite() { v } else { 0.0 })
}

fn judge(wire: &Wire, budgets: &[Budget], zone: Zone, now: DateTime<Utc>) -> Option<Vec<Standing>> {
    let lower_bound = !wire.unpriced_models.is_empty();
    budgets
        .iter()
        .map(|b| {
            if b.scope != Scope::All {
                return None;
            }
            let own = wire.budgets.iter().find(|w| {
                w.name == b.name
                    && w.period == b.period.as_str()
                    && usd(w.limit_usd) == b.limit
                    && w.scope.is_none()
            });
            let mut s = if let Some(w) = own {
                let mut s = b.standing(
                    (w.period_start, w.period_end),
                    usd(w.spent_usd),
                    usd(w.projected_usd),
                );
                s.state = State::parse(&w.state);
                s
            } else if b.filter.is_empty() && wire.time_zone == zone.to_string() {
                let (spent, projected) = match b.period {
                    Period::Day => (wire.spend.today_usd, wire.spend.projected_today_usd),
                    Period::Month => (wire.spend.month_usd, wire.spend.projected_month_usd),
                    Period::Hour | Period::Week => return None,
                };
                b.standing(b.period.bounds(zone, now), usd(spent), usd(projected))
            } else {
                return None;
            };
            s.lower_bound = lower_bound;
            Some(s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SNAPSHOT: &str = r#"{"as_of":"2026-12-07T10:00:00Z","time_zone":"UTC",
        "spend":{"today_usd":12.5,"month_usd":80,"projected_today_usd":30,"projected_month_usd":300},
        "budgets":[{"name":"opus","period":"week","limit_usd":20,"spent_usd":19,
        "projected_usd":40,"state":"warn","warn_at":0.8,"period_start":"2026-12-07T00:00:00Z",
        "period_end":"2026-12-14T00:00:00Z"}],"unpriced_models":[]}"#;

    #[test]
    fn its_own_budgets_and_its_day_and_month_spend_answer() {
        let wire: Wire = serde_json::from_str(SNAPSHOT).unwrap();
        let zone: Zone = "UTC".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let opus = Budget {
            name: "opus".into(),
            ..Budget::simple(Period::Week, 20.0)
        };
        let day = Budget::simple(Period::Day, 10.0);
        let got = judge(&wire, &[opus, day.clone()], zone, now).unwrap();
        assert_eq!(got[0].state, Some(State::Warn));
        assert_eq!(got[0].spent, Money::from_usd(19.0));
        assert_eq!(
            (got[1].state, got[1].spent),
            (Some(State::Exceeded), Money::from_usd(12.5))
        );
        // Another zone, an hour budget, or a budget per session: the files answer instead.
        assert!(
            judge(
                &wire,
                std::slice::from_ref(&day),
                "Europe/Paris".parse().unwrap(),
                now
            )
            .is_none()
        );
        assert!(judge(&wire, &[Budget::simple(Period::Hour, 1.0)], zone, now).is_none());
        let per_session = Budget {
            scope: Scope::Session,
            ..day
        };
        assert!(judge(&wire, &[per_session], zone, now).is_none());
    }
}
