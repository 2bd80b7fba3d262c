//! Asking a running costtop: `GET <url>/api/v1/snapshot?by=session` on its listener, with
//! short timeouts, so that a line costs one loopback request when a costtop is up and almost
//! nothing when none is.

use std::time::Duration;

use serde::Deserialize;

use crate::money::Money;
use crate::outputs::statusline::{Amount, BudgetFigure};

/// A listener on loopback accepts or refuses at once; more means nobody useful is there.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(50);
/// A snapshot is assembled in milliseconds; past this, read the files instead.
const ANSWER_TIMEOUT: Duration = Duration::from_millis(400);

/// What a running costtop says.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Remote {
    /// Spend today.
    pub(crate) today: Amount,
    /// Spend per hour over the last 15 minutes.
    pub(crate) burn_per_hour: Money,
    /// Every budget.
    pub(crate) budgets: Vec<BudgetFigure>,
    /// This session's row, when the snapshot has one.
    pub(crate) session: Option<Amount>,
}

/// The parts of the snapshot JSON (DESIGN.md §6) the line uses. `spend` is required: an
/// answer without it is not a costtop snapshot.
#[derive(Debug, Deserialize)]
struct Wire {
    spend: WireSpend,
    #[serde(default)]
    burn_rate_usd_per_hour: f64,
    #[serde(default)]
    budgets: Vec<WireBudget>,
    #[serde(default)]
    rows: Vec<WireRow>,
    #[serde(default)]
    unpriced_models: Vec<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct WireSpend {
    today_usd: f64,
}

#[derive(Debug, Deserialize)]
struct WireBudget {
    name: String,
    limit_usd: f64,
    spent_usd: f64,
    state: String,
}

#[derive(Debug, Deserialize)]
struct WireRow {
    key: String,
    cost_usd: f64,
}

/// The snapshot of the costtop listening at `base`, or `None` when none answers in time or
/// the answer is not a snapshot.
pub(super) async fn ask(base: &str, session: Option<&str>) -> Option<Remote> {
    parse(&snapshot(base, "?by=session").await?, session)
}

/// The body of `GET <base>/api/v1/snapshot<query>` from the costtop listening at `base`, or
/// `None` when none answers in time or the answer is not a success.
pub(crate) async fn snapshot(base: &str, query: &str) -> Option<Vec<u8>> {
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(ANSWER_TIMEOUT)
        .no_proxy()
        .build()
        .ok()?;
    let url = format!("{}/api/v1/snapshot{query}", base.trim_end_matches('/'));
    let response = client.get(url).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    Some(response.bytes().await.ok()?.to_vec())
}

fn parse(bytes: &[u8], session: Option<&str>) -> Option<Remote> {
    let wire: Wire = serde_json::from_slice(bytes).ok()?;
    let usd = |v: f64| Money::from_usd(if v.is_finite() { v } else { 0.0 });
    let session = session.and_then(|id| {
        wire.rows.iter().find(|r| r.key == id).map(|r| Amount {
            money: usd(r.cost_usd),
            lower_bound: false,
        })
    });
    Some(Remote {
        today: Amount {
            money: usd(wire.spend.today_usd),
            lower_bound: !wire.unpriced_models.is_empty(),
        },
        burn_per_hour: usd(wire.burn_rate_usd_per_hour),
        budgets: wire
            .budgets
            .into_iter()
            .map(|b| BudgetFigure {
                name: b.name,
                limit: usd(b.limit_usd),
                spent: usd(b.spent_usd),
                state: b.state,
            })
            .collect(),
        session,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_gives_today_burn_budgets_and_the_session_row() {
        let json = br#"{"as_of":"2026-12-01T10:00:00Z","spend":{"today_usd":12.5,"month_usd":80},
            "burn_rate_usd_per_hour":3.25,"budgets":[{"name":"day budget","period":"day",
            "limit_usd":20,"spent_usd":12.5,"projected_usd":30,"state":"ok"}],
            "rows":[{"key":"s-1","cost_usd":0.75,"requests":3}],"unpriced_models":[]}"#;
        let remote = parse(json, Some("s-1")).unwrap();
        assert_eq!(remote.today.money, Money::from_usd(12.5));
        assert_eq!(remote.burn_per_hour, Money::from_usd(3.25));
        assert_eq!(remote.budgets[0].limit, Money::from_usd(20.0));
        assert_eq!(remote.session.unwrap().money, Money::from_usd(0.75));
        assert_eq!(parse(json, Some("other")).unwrap().session, None);
    }

    #[test]
    fn an_answer_that_is_not_a_snapshot_is_ignored() {
        assert_eq!(parse(br#"{"status":"ok"}"#, None), None);
        assert_eq!(parse(b"<html>", None), None);
    }
}
