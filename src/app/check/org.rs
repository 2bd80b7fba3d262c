//! The organisation's spend limits as `check --admin-api` and `hook --admin-api` judge them:
//! from a running costtop's snapshot when that costtop reads the Admin API itself (no second
//! API call), else read once with the admin key through the Admin API source's client. Each
//! limit with a spend figure stands beside the budgets: warn at `[spend_limits] warn_at`,
//! exceeded at the limit, in its UTC period. A read that fails is a problem said on stderr;
//! the rest is still judged.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::budget::{OrgLimit, Scope, Standing, State};
use crate::snapshot::SpendLimitStatus;
use crate::sources::admin_api::{AdminKey, read_spend_limits};
use crate::time::{Period, Zone};
use crate::usage::SpendLimitReading;

/// Time allowed to connect, and for each request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How to read the organisation's spend limits.
#[derive(Debug, Clone)]
pub(crate) struct OrgAsk {
    /// Admin API base URL.
    pub(crate) api_base: String,
    /// The config's `admin_key_command`, when `ANTHROPIC_ADMIN_KEY` is not set.
    pub(crate) key_command: Option<String>,
    /// Fraction of a limit at which it warns (`[spend_limits] warn_at`).
    pub(crate) warn_at: f64,
}

/// Where the organisation's limits stand.
#[derive(Debug, Default)]
pub(super) struct OrgAnswer {
    /// One standing per limit judged.
    pub(super) standings: Vec<Standing>,
    /// What could not be read or judged, said on stderr.
    pub(super) problems: Vec<String>,
    /// `listener` or `admin-api`.
    pub(super) source: &'static str,
}

/// The organisation's limits: `from_listener` (a running costtop's `org.spend_limits`) when
/// it has any, else what the Admin API says now.
pub(super) async fn judge(
    ask: &OrgAsk,
    from_listener: &[SpendLimitStatus],
    now: DateTime<Utc>,
) -> OrgAnswer {
    let mut answer = OrgAnswer::default();
    let readings = if from_listener.is_empty() {
        match read(ask).await {
            Ok((readings, note)) => {
                answer.problems.extend(note);
                answer.source = "admin-api";
                readings
            }
            Err(e) => {
                answer
                    .problems
                    .push(format!("org spend limits not read: {e}"));
                return answer;
            }
        }
    } else {
        answer.source = "listener";
        from_listener.iter().filter_map(reading).collect()
    };
    answer.standings = readings
        .iter()
        .filter_map(|(r, by)| standing(r, by, ask.warn_at, now))
        .collect();
    let left_out = readings.len() - answer.standings.len();
    if left_out > 0 {
        answer.problems.push(format!(
            "{left_out} org spend limits without a cap or a spend figure not judged"
        ));
    }
    answer
}

/// A reading with who measured its spend.
type Reading = (SpendLimitReading, &'static str);

/// The limits as the Admin API gives them now, with the key of the environment or the
/// config's command.
async fn read(ask: &OrgAsk) -> Result<(Vec<Reading>, Option<String>), String> {
    let key = AdminKey::resolve(
        std::env::var("ANTHROPIC_ADMIN_KEY").ok(),
        ask.key_command.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    let (readings, note) = read_spend_limits(&ask.api_base, &key, TIMEOUT).await?;
    let readings = readings.into_iter().map(|r| (r, "anthropic")).collect();
    Ok((readings, note))
}

/// A limit of a running costtop's snapshot as a reading (its spend as that costtop had it).
fn reading(s: &SpendLimitStatus) -> Option<Reading> {
    let by = if s.spent_source == "costtop" {
        "costtop"
    } else {
        "anthropic"
    };
    let r = SpendLimitReading {
        name: s.name.clone(),
        scope: s.scope.clone(),
        subject: None,
        period: s.period.parse::<Period>().ok()?,
        limit: s.limit,
        spent: Some(s.spent),
        enabled: s.state != "disabled",
    };
    Some((r, by))
}

/// Where one limit stands at `now`: only an enabled limit with a cap and a spend figure.
fn standing(r: &SpendLimitReading, by: &str, warn_at: f64, now: DateTime<Utc>) -> Option<Standing> {
    let (limit, spent) = (r.limit?, r.spent?);
    if !r.enabled {
        return None;
    }
    let (start, end) = r.period.bounds(Zone::Named(chrono_tz::UTC), now);
    let state = if spent >= limit {
        State::Exceeded
    } else if spent.0 as f64 >= limit.0 as f64 * warn_at {
        State::Warn
    } else {
        State::Ok
    };
    Some(Standing {
        name: r.name.clone(),
        period: r.period,
        scope: Scope::All,
        subject: None,
        limit,
        spent,
        projected: spent,
        lower_bound: false,
        state: Some(state),
        unknown: None,
        start,
        end,
        org: Some(OrgLimit {
            scope: r.scope.clone(),
            spent_source: by.to_owned(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::money::Money;

    fn limit(limit: &str, spent: Option<&str>, enabled: bool) -> SpendLimitReading {
        SpendLimitReading {
            name: "organization".into(),
            scope: "organization".into(),
            subject: None,
            period: Period::Month,
            limit: Money::from_cents_str(limit),
            spent: spent.and_then(Money::from_cents_str),
            enabled,
        }
    }

    #[test]
    fn a_limit_warns_at_warn_at_and_is_exceeded_at_its_cap_in_its_utc_period() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 23, 30, 0).unwrap();
        let state = |spent: &str| {
            standing(&limit("100000", Some(spent), true), "anthropic", 0.8, now)
                .and_then(|s| s.state)
        };
        assert_eq!(state("79999"), Some(State::Ok));
        assert_eq!(state("80000"), Some(State::Warn));
        assert_eq!(state("100000"), Some(State::Exceeded));
        let s = standing(&limit("100000", Some("85000"), true), "anthropic", 0.8, now).unwrap();
        assert_eq!(s.spent, Money::from_usd(850.0));
        assert_eq!(s.start, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
        assert_eq!(s.end, Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        // No spend figure, switched off: not judged.
        assert!(standing(&limit("100000", None, true), "anthropic", 0.8, now).is_none());
        assert!(standing(&limit("100000", Some("1"), false), "anthropic", 0.8, now).is_none());
    }
}
