//! Spend limits beside the budgets (Anthropic's period-to-date spend, else costtop's), the
//! budget alarm when the effective report crosses 80%, rate-limit headroom from minute
//! buckets, Claude Code Analytics per developer, and all of it on `/metrics`.

use std::sync::Arc;

use costtop::outputs::metrics::{Exposition, render};

use super::{Run, cents, mock, options};
use crate::support::org_api::demo::{self, effective_alice, minute};
use crate::support::org_api::{CLAUDE_CODE, EFFECTIVE, SPEND_LIMITS};

#[tokio::test]
async fn spend_limits_stand_beside_the_budgets_and_warn_past_80_percent() {
    let api = mock(demo::small_org()).await;
    let run = Run::start(options(&api)).await;
    let snap = run.snapshot(None).await;
    let limits: Vec<(&str, Option<_>, _, &str, &str)> = snap
        .org
        .spend_limits
        .iter()
        .map(|s| {
            let (name, state, by) = (s.name.as_str(), s.state.as_str(), s.spent_source.as_str());
            (name, s.limit, s.spent, state, by)
        })
        .collect();
    assert_eq!(
        limits,
        [
            (
                "user alice@example.com",
                Some(cents("10000")),
                cents("7000"),
                "ok",
                "anthropic"
            ),
            (
                "organization",
                Some(cents("50000")),
                cents("11"),
                "ok",
                "costtop"
            ),
            (
                "usage tier cap",
                Some(cents("500000")),
                cents("11"),
                "ok",
                "costtop"
            ),
        ]
    );
    assert!(snap.org.spend_limits.iter().all(|s| s.period == "month"));
    assert!(snap.alarms.is_empty(), "{:?}", snap.alarms);
    let list = api.hits(SPEND_LIMITS);
    assert_eq!(
        list[0].beta.as_deref(),
        Some("spend-limit-reads-2026-09-26")
    );
    assert!(!api.hits(EFFECTIVE).is_empty());

    // The member's spend crosses 80% of the limit: the budget alarm is raised.
    api.revise(|d| d.effective = vec![effective_alice("8500")]);
    let snap = run
        .until("a spend-limit alarm", |s| !s.alarms.is_empty())
        .await;
    let alarm = &snap.alarms[0];
    assert_eq!(alarm.kind, "budget_warn");
    let log = snap.alarm_log.last().unwrap();
    assert_eq!(
        log.message,
        "spend limit user alice@example.com (month): $85.00 spent of $100.00 (85% of the limit)"
    );
    assert_eq!(log.limit_usd, Some(100.0));

    let text = render(&Arc::clone(&snap), Exposition::Text);
    assert!(
        text.contains(
            "costtop_spend_limit_spent_usd{limit=\"user alice@example.com\",scope=\"user\",\
             period=\"month\",spent_by=\"anthropic\"} 85"
        ),
        "{text}"
    );
    assert!(text.contains("costtop_spend_limit_usd{limit=\"organization\",scope=\"organization\",period=\"month\"} 500"), "{text}");
}

#[tokio::test]
async fn rate_limit_headroom_comes_from_the_latest_minute_with_data() {
    let api = mock(demo::small_org()).await;
    let run = Run::start(options(&api)).await;
    let snap = run.snapshot(None).await;
    let rates: Vec<(&str, u64, Option<u64>)> = snap
        .org
        .rate_limits
        .iter()
        .map(|r| (r.limit_type.as_str(), r.limit, r.used))
        .collect();
    // Alice's two Opus 4.6 buckets: 3,000 input and 600 output tokens; buckets carry no
    // request count.
    assert_eq!(
        rates,
        [
            ("input_tokens_per_minute", 4000, Some(3000)),
            ("output_tokens_per_minute", 1000, Some(600)),
            ("requests_per_minute", 50, None),
        ]
    );
    assert!(
        snap.org
            .rate_limits
            .iter()
            .all(|r| r.group == "Claude Opus 4.x")
    );
    assert_eq!(snap.org.rate_limits[0].minute, Some(minute(3)));
    let text = render(&snap, Exposition::Text);
    assert!(text.contains(
        "costtop_rate_limit_used{group=\"Claude Opus 4.x\",limiter=\"input_tokens_per_minute\"} 3000"
    ), "{text}");
}

#[tokio::test]
async fn claude_code_analytics_per_developer() {
    let api = mock(demo::small_org()).await;
    let mut opts = options(&api);
    opts.since = chrono::Utc::now() - chrono::Duration::days(5);
    let run = Run::start(opts).await;
    let snap = run.snapshot(None).await;
    let cc: Vec<(&str, _, u64)> = snap
        .org
        .claude_code
        .iter()
        .map(|a| (a.actor.as_str(), a.estimate, a.sessions))
        .collect();
    assert_eq!(
        cc,
        [
            ("alice@example.com", cents("1025"), 5),
            ("ci-bot", cents("1"), 1)
        ]
    );
    // Today and yesterday (`claude_code_days: 2` of the five since `--since`), a day per
    // request.
    let days: Vec<String> = api
        .hits(CLAUDE_CODE)
        .iter()
        .take(2)
        .map(|h| h.param("starting_at").unwrap().to_owned())
        .collect();
    let today = chrono::Utc::now().date_naive();
    assert_eq!(days[0], today.to_string());
    assert_eq!(days[1], (today - chrono::Days::new(1)).to_string());
}
