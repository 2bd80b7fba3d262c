//! The Spend Limits API (beta): the org's limits (`GET /v1/organizations/spend_limits`) and
//! each member's effective limit with Anthropic's period-to-date spend
//! (`/spend_limits/effective`), as [`SpendLimitReading`]s.
//!
//! A limit an effective row already reports is shown once, with Anthropic's spend; a limit
//! only listed gets costtop's own figure of the usage its scope covers (the organisation,
//! the usage tier's cap, a workspace). Scopes costtop cannot measure (seat tiers, RBAC
//! groups, services) are counted in the note, not shown.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::names::Names;
use crate::money::Money;
use crate::sources::admin_api::analytics::actor_name;
use crate::sources::admin_api::client::{AdminClient, ApiError};
use crate::time::Period;
use crate::usage::{OrgDimension, SpendLimitReading};

const LIST_PATH: &str = "/v1/organizations/spend_limits";
const EFFECTIVE_PATH: &str = "/v1/organizations/spend_limits/effective";
/// The SDK sends this beta on the list.
const READS_BETA: &str = "spend-limit-reads-2026-09-26";

/// One limit as listed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SpendLimit {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    is_enabled: Option<bool>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    scope: Value,
}

/// One member's effective limit for one period.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SpendSummary {
    #[serde(default)]
    actor: Option<Value>,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    period_to_date_spend: Option<Value>,
    #[serde(default)]
    scope: Value,
    #[serde(default)]
    spend_limit_id: Option<String>,
}

/// The readings, and a note on what could not be read or shown.
pub(crate) async fn fetch(
    client: &AdminClient,
    names: &Names,
) -> Result<(Vec<SpendLimitReading>, Option<String>), ApiError> {
    let q = || vec![("limit", "100".to_owned())];
    let listed = client
        .paginate::<SpendLimit>(LIST_PATH, q(), Some(READS_BETA))
        .await;
    let effective = client
        .paginate::<SpendSummary>(EFFECTIVE_PATH, q(), Some(READS_BETA))
        .await;
    let (listed, effective) = match (listed, effective) {
        (Err(e), Err(_)) => return Err(e),
        (l, e) => (
            l.map(|l| l.items).unwrap_or_default(),
            e.map(|e| e.items).unwrap_or_default(),
        ),
    };
    Ok(readings(&listed, &effective, names))
}

/// Effective rows first (with Anthropic's spend), then the listed limits they do not cover.
pub(crate) fn readings(
    listed: &[SpendLimit],
    effective: &[SpendSummary],
    names: &Names,
) -> (Vec<SpendLimitReading>, Option<String>) {
    let mut out = Vec::new();
    let mut covered = HashSet::new();
    let mut unmeasured = 0usize;
    for s in effective {
        let Some(period) = period(s.period.as_deref()) else {
            unmeasured += 1;
            continue;
        };
        let Some(limit) = s.amount.as_ref().and_then(cents) else {
            continue; // no limit applies to this member for this period
        };
        let who = s.actor.as_ref().map(actor_name).map(|a| a.shown);
        let (scope, name, _) = scope_of(&s.scope, names);
        let subject = who.clone().map(|w| (OrgDimension::Actor, w));
        out.push(SpendLimitReading {
            name: match &who {
                Some(w) if scope != "user" => format!("{w} ({name})"),
                Some(w) => format!("user {w}"),
                None => name,
            },
            scope,
            subject,
            period,
            limit: Some(limit),
            spent: s.period_to_date_spend.as_ref().and_then(cents),
            enabled: true,
        });
        covered.extend(s.spend_limit_id.clone());
    }
    for l in listed {
        if l.id.as_ref().is_some_and(|id| covered.contains(id)) {
            continue;
        }
        let (scope, name, subject) = scope_of(&l.scope, names);
        let measurable = matches!(scope.as_str(), "organization" | "usage_tier" | "workspace");
        let Some(period) = period(l.period.as_deref()).filter(|_| measurable) else {
            unmeasured += 1;
            continue;
        };
        out.push(SpendLimitReading {
            name,
            scope,
            subject,
            period,
            limit: l.amount.as_ref().and_then(cents),
            spent: None,
            enabled: l.is_enabled.unwrap_or(true),
        });
    }
    let note = (unmeasured > 0).then(|| {
        format!("{unmeasured} spend limits of scopes or periods costtop cannot measure not shown")
    });
    (out, note)
}

/// The scope's type, its name as shown, and the dimension value it covers.
fn scope_of(scope: &Value, names: &Names) -> (String, String, Option<(OrgDimension, String)>) {
    let text = |k: &str| scope.get(k).and_then(Value::as_str);
    let kind = text("type").unwrap_or("unknown").to_owned();
    match kind.as_str() {
        "organization" => (kind, "organization".into(), None),
        "usage_tier" => (kind, "usage tier cap".into(), None),
        "workspace" => {
            let ws = names.workspace(text("workspace_id").unwrap_or("?"));
            let name = format!("workspace {ws}");
            (kind, name, Some((OrgDimension::Workspace, ws)))
        }
        "user" => {
            let user = text("user_id").unwrap_or("?").to_owned();
            (kind, format!("user {user}"), None)
        }
        other => {
            let detail = scope
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.as_str() != "type"))
                .and_then(|(_, v)| v.as_str())
                .map_or(String::new(), |v| format!(" {v}"));
            let name = format!("{}{detail}", other.replace('_', " "));
            (kind, name, None)
        }
    }
}

/// `daily`, `weekly`, `monthly` (absent: monthly, the Console's only period).
fn period(p: Option<&str>) -> Option<Period> {
    p.unwrap_or("monthly")
        .parse::<Period>()
        .ok()
        .filter(|p| *p != Period::Hour)
}

/// An amount in minor units (cents) written as a string or a number.
fn cents(v: &Value) -> Option<Money> {
    match v {
        Value::String(s) => Money::from_cents_str(s),
        Value::Number(n) => Money::from_cents_str(&n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn effective_rows_carry_anthropics_spend_and_listed_limits_fill_in() {
        let names = Names::from_pairs(&[], &[("wrkspc_1", "Production")]);
        let listed: Vec<SpendLimit> = serde_json::from_value(json!([
            {"type":"spend_limit","id":"spl_org","amount":"50000","currency":"USD",
             "is_enabled":true,"period":"monthly","scope":{"type":"organization"}},
            {"type":"spend_limit","id":"spl_ws","amount":"20000","period":"monthly",
             "scope":{"type":"workspace","workspace_id":"wrkspc_1"}},
            {"type":"spend_limit","id":"spl_tier","amount":"100000",
             "scope":{"type":"usage_tier"}},
            {"type":"spend_limit","id":"spl_rbac","amount":"100","period":"monthly",
             "scope":{"type":"rbac_group","rbac_group_id":"rbac_group_1"}}
        ]))
        .unwrap();
        let effective: Vec<SpendSummary> = serde_json::from_value(json!([
            {"actor":{"type":"user_actor","user_id":"user_1","email_address":"a@b.c"},
             "amount":"20000","currency":"USD","period":"monthly",
             "period_to_date_spend":"12050.5","scope":{"type":"user","user_id":"user_1"},
             "source":{"type":"organization"},"spend_limit_id":"spl_user"},
            {"actor":{"type":"user_actor","user_id":"user_2"},"amount":null,"period":"daily",
             "period_to_date_spend":"0","scope":{"type":"organization"}}
        ]))
        .unwrap();
        let (got, note) = readings(&listed, &effective, &names);
        let shown: Vec<(&str, Option<Money>, Option<Money>)> = got
            .iter()
            .map(|r| (r.name.as_str(), r.limit, r.spent))
            .collect();
        let c = |s: &str| Money::from_cents_str(s);
        assert_eq!(
            shown,
            [
                ("user a@b.c", c("20000"), c("12050.5")),
                ("organization", c("50000"), None),
                ("workspace Production", c("20000"), None),
                ("usage tier cap", c("100000"), None),
            ]
        );
        assert_eq!(
            got[2].subject,
            Some((OrgDimension::Workspace, "Production".into()))
        );
        assert_eq!(got[0].subject, Some((OrgDimension::Actor, "a@b.c".into())));
        assert_eq!(got[3].period, Period::Month);
        assert!(note.unwrap().starts_with("1 spend limits"));
    }
}
