//! A realistic snapshot for tests, benches and screenshots: an Opus/Sonnet/Haiku mix plus one
//! unpriced model, 15 minutes of series, budgets in warn and exceeded, alarms and sources.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::pricing::Money;
use crate::snapshot::{
    AlarmLogEntry, AlarmStatus, BatchStats, BudgetStatus, CacheStats, GroupBreakdown, GroupRow,
    HistogramBucket, ModelOutputStats, ModelRow, OutputStats, ReplayStatus, SeriesPoint, Snapshot,
    SourceStatus, SpendSummary, Totals, UnpricedModel, WindowSpan,
};

mod audit;

/// The fixture's "now": 2026-11-20 14:03:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 3, 0)
        .single()
        .unwrap_or_default()
}

fn usd(x: f64) -> Money {
    Money::from_usd(x)
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .single()
        .unwrap_or_default()
}

fn totals(cost: f64, requests: u64, tokens: [u64; 5]) -> Totals {
    let [input, w5, w1, read, output] = tokens;
    Totals {
        cost: usd(cost),
        requests,
        input_tokens: input,
        output_tokens: output,
        cache_write_5m_tokens: w5,
        cache_write_1h_tokens: w1,
        cache_read_tokens: read,
        web_search_requests: 0,
        unpriced_requests: 0,
        cost_is_lower_bound: false,
    }
}

fn model(name: &str, t: Totals, share: f64, priced: bool) -> ModelRow {
    ModelRow {
        model: name.to_owned(),
        trend: audit::trend(t.cost.usd(), name.len()),
        totals: t,
        share_of_cost: share,
        priced,
    }
}

fn group(by: &str, rows: &[(&str, f64, u64)], total: f64) -> GroupBreakdown {
    let rows = rows
        .iter()
        .map(|&(key, cost, requests)| GroupRow {
            key: key.to_owned(),
            totals: Totals {
                cost: usd(cost),
                requests,
                ..Totals::default()
            },
            share_of_cost: cost / total,
        })
        .collect();
    GroupBreakdown {
        by: by.to_owned(),
        rows,
    }
}

fn buckets(counts: &[u64]) -> Vec<HistogramBucket> {
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| HistogramBucket { le: 16 << i, count })
        .collect()
}

/// The fixture snapshot (live, window `today`, time zone UTC).
pub fn snapshot() -> Snapshot {
    let total = 462.03;
    let by_model = vec![
        model(
            "claude-opus-4-5",
            totals(
                286.40,
                1_842,
                [1_204_000, 3_900_000, 1_200_000, 31_400_000, 2_610_000],
            ),
            286.40 / total,
            true,
        ),
        model(
            "claude-sonnet-4-5",
            totals(
                142.18,
                4_210,
                [2_950_000, 3_100_000, 900_000, 24_800_000, 3_020_000],
            ),
            142.18 / total,
            true,
        ),
        model(
            "claude-haiku-4-5",
            totals(
                33.45,
                9_804,
                [4_100_000, 1_400_000, 0, 11_000_000, 2_480_000],
            ),
            33.45 / total,
            true,
        ),
        model(
            "claude-nova-1",
            Totals {
                unpriced_requests: 37,
                cost_is_lower_bound: true,
                ..totals(0.0, 37, [120_000, 0, 0, 0, 292_000])
            },
            0.0,
            false,
        ),
    ];
    let series = (0..15)
        .map(|i| {
            let spike = if (9..12).contains(&i) { 0.9 } else { 0.0 };
            let wave = [
                0.52, 0.61, 0.58, 0.70, 0.66, 0.49, 0.55, 0.72, 0.68, 0.0, 0.0, 0.0, 0.74, 0.63,
                0.59,
            ][i];
            SeriesPoint {
                start: at(13, 48) + Duration::minutes(i as i64),
                cost: usd(wave + spike),
                requests: 20 + i as u64 * 3,
                hit_ratio: Some(if (9..12).contains(&i) { 0.22 } else { 0.84 }),
            }
        })
        .collect();
    let hist = [
        40, 310, 1_220, 2_940, 3_880, 3_100, 2_260, 1_390, 610, 140, 31, 12,
    ];
    Snapshot {
        audit: audit::audit(total),
        as_of: now(),
        window: WindowSpan {
            name: "today".into(),
            start: Some(at(0, 0)),
            end: now(),
        },
        // The unpriced model's 37 requests make the total a lower bound.
        totals: Totals {
            unpriced_requests: 37,
            cost_is_lower_bound: true,
            ..totals(
                total,
                15_893,
                [8_374_000, 8_400_000, 2_100_000, 67_200_000, 8_402_000],
            )
        },
        by_model,
        cache: CacheStats {
            hit_ratio: 0.81,
            reads_per_write: 6.4,
            net_savings: usd(318.22),
            write_5m_tokens: 8_400_000,
            write_1h_tokens: 2_100_000,
            read_tokens: 67_200_000,
        },
        batch: BatchStats {
            share_of_cost: 0.18,
            share_of_requests: 0.34,
            savings: usd(83.10),
            cost: usd(83.10),
            requests: 5_394,
        },
        output_tokens: OutputStats {
            p50: 1_024,
            p90: 4_096,
            p99: 16_384,
            max: 31_744,
            max_tokens_share: 0.023,
            buckets: buckets(&hist),
            by_model: vec![
                ModelOutputStats {
                    model: "claude-opus-4-5".into(),
                    requests: 1_842,
                    p50: 2_048,
                    p90: 8_192,
                    p99: 16_384,
                    max: 31_744,
                    max_tokens_share: 0.061,
                    buckets: buckets(&hist[..10]),
                },
                ModelOutputStats {
                    model: "claude-haiku-4-5".into(),
                    requests: 9_804,
                    p50: 512,
                    p90: 2_048,
                    p99: 4_096,
                    max: 8_000,
                    max_tokens_share: 0.004,
                    buckets: buckets(&hist[..8]),
                },
            ],
        },
        burn_rate_usd_per_hour: 38.20,
        burn_rate_1h_usd_per_hour: 41.90,
        spend: SpendSummary {
            today: usd(total),
            month: usd(8_903.22),
            projected_today: usd(880.34),
            projected_month: usd(27_410.50),
        },
        series,
        series_step_seconds: 60,
        groups: vec![
            group(
                "project",
                &[
                    ("billing-api", 201.55, 6_120),
                    ("support-bot", 150.02, 7_340),
                    ("costtop", 88.71, 2_200),
                    ("(none)", 21.75, 233),
                ],
                total,
            ),
            group(
                "tier",
                &[("standard", 378.93, 10_499), ("batch", 83.10, 5_394)],
                total,
            ),
            group(
                "tag:feature",
                &[
                    ("summarize", 190.40, 5_003),
                    ("chat", 160.11, 8_721),
                    ("triage", 92.80, 2_036),
                    ("(none)", 18.72, 133),
                ],
                total,
            ),
        ],
        budgets: vec![
            budget("daily", "day", 500.0, 462.03, 880.34, "warn", at(0, 0)),
            budget(
                "opus-month",
                "month",
                5_000.0,
                5_240.18,
                9_100.0,
                "exceeded",
                Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
                    .single()
                    .unwrap_or_default(),
            ),
        ],
        alarms: vec![
            AlarmStatus {
                id: "budget_exceeded:opus-month".into(),
                kind: "budget_exceeded".into(),
                severity: "critical".into(),
                since: at(13, 12),
                message: "budget opus-month exceeded: $5,240.18 of $5,000.00".into(),
                acknowledged: false,
            },
            AlarmStatus {
                id: "budget_warn:daily".into(),
                kind: "budget_warn".into(),
                severity: "warning".into(),
                since: at(12, 47),
                message: "budget daily at 92% of $500.00".into(),
                acknowledged: true,
            },
        ],
        alarm_log: vec![
            log(
                at(9, 15),
                "unpriced_model",
                "warning",
                "raised",
                "model claude-nova-1 is not in the price table",
            ),
            log(
                at(10, 40),
                "cache_losing_money",
                "warning",
                "raised",
                "cache hit ratio fell to 20%: caching is losing money",
            ),
            log(
                at(11, 5),
                "cache_losing_money",
                "warning",
                "cleared",
                "cache hit ratio back to 83%",
            ),
            log(
                at(12, 47),
                "budget_warn",
                "warning",
                "raised",
                "budget daily at 92% of $500.00",
            ),
            log(
                at(13, 12),
                "budget_exceeded",
                "critical",
                "raised",
                "budget opus-month exceeded: $5,240.18 of $5,000.00",
            ),
        ],
        unpriced_models: vec![UnpricedModel {
            model: "claude-nova-1".into(),
            requests: 37,
            tokens: 412_000,
        }],
        prices_checked: "2026-12-01".into(),
        sources: vec![
            SourceStatus {
                naive_times: 0,
                compactions: 0,
                name: "~/.claude/projects".into(),
                state: "ok".into(),
                reason: None,
                lines: 182_340,
                parse_errors: 2,
                first_error: Some("a1b2.jsonl:1042: EOF while parsing".into()),
                last_event: Some(now() - Duration::seconds(3)),
                files: 214,
                receiver: None,
                proxy: None,
                note: None,
            },
            SourceStatus {
                naive_times: 0,
                compactions: 0,
                name: "admin-api".into(),
                state: "error".into(),
                reason: Some("HTTP 401: invalid x-api-key".into()),
                lines: 1_440,
                parse_errors: 0,
                first_error: None,
                last_event: Some(at(13, 40)),
                files: 0,
                receiver: None,
                proxy: None,
                note: None,
            },
        ],
        rows: Vec::new(),
        time_zone: "UTC".into(),
        reconciliation: Vec::new(),
        claude_code_estimates: crate::snapshot::ClaudeCodeEstimates::default(),
        org: crate::snapshot::OrgSnapshot::default(),
        compare: None,
        per_unit: None,
        spend_over_time: None,
        replay: None,
        counters: None,
    }
}

/// The fixture as seen while replaying at 60×, 42% through.
pub fn replay_snapshot() -> Snapshot {
    Snapshot {
        replay: Some(ReplayStatus {
            speed: 60.0,
            paused: false,
            start: Some(at(0, 0)),
            end: Some(at(23, 59)),
            progress: 0.42,
            undated_records: 0,
        }),
        ..snapshot()
    }
}

fn budget(
    name: &str,
    period: &str,
    limit: f64,
    spent: f64,
    projected: f64,
    state: &str,
    start: DateTime<Utc>,
) -> BudgetStatus {
    BudgetStatus {
        name: name.into(),
        period: period.into(),
        limit_usd: limit,
        spent_usd: spent,
        projected_usd: projected,
        state: state.into(),
        warn_at: 0.8,
        period_start: start,
        period_end: start + Duration::days(1),
        ..BudgetStatus::default()
    }
}

fn log(
    at: DateTime<Utc>,
    kind: &str,
    severity: &str,
    transition: &str,
    message: &str,
) -> AlarmLogEntry {
    AlarmLogEntry {
        at,
        kind: kind.into(),
        severity: severity.into(),
        transition: transition.into(),
        message: message.into(),
        ..AlarmLogEntry::default()
    }
}
