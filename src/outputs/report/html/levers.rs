//! The four levers on the page: the cache (hit ratio over time, net savings, the 5-minute and
//! 1-hour writes), the Batch API (share and savings), output length (the histogram,
//! percentiles, `max_tokens` stops) and routing (spend by model tier).

use maud::{Markup, html};

use super::svg::{Bar, Chart, bars, columns};
use super::{card, pair, table};
use crate::format::{percent, thousands};
use crate::money::Money;
use crate::outputs::report::local;
use crate::snapshot::Snapshot;

/// The four levers.
pub(super) fn section(snap: &Snapshot) -> Markup {
    html! {
        section {
            h2 { "The four levers" }
            (cache(snap))
            (batch(snap))
            (output(snap))
            (routing(snap))
        }
    }
}

fn cache(snap: &Snapshot) -> Markup {
    let c = &snap.cache;
    let writes = c.write_5m_tokens + c.write_1h_tokens;
    let share_1h = if writes == 0 {
        0.0
    } else {
        c.write_1h_tokens as f64 / writes as f64
    };
    let points: Vec<Bar> = snap
        .series
        .iter()
        .filter_map(|p| {
            let r = p.hit_ratio?;
            Some(Bar::new(local(snap, p.start, "%m-%d %H:%M"), r, percent(r)))
        })
        .collect();
    let low = points
        .iter()
        .min_by(|a, b| a.value.total_cmp(&b.value))
        .map_or_else(String::new, |b| {
            format!("; lowest {} at {}", b.text, b.label)
        });
    let chart = columns(
        &Chart {
            id: "cache-hit-ratio",
            title: "Cache hit ratio over time",
            desc: format!(
                "Share of prompt tokens read from the cache per step: {} over the whole period{low}.",
                percent(c.hit_ratio)
            ),
        },
        &points,
        percent,
    );
    let net = if c.net_savings < Money::ZERO {
        format!("{} (caching is losing money)", c.net_savings)
    } else {
        c.net_savings.to_string()
    };
    let rows = vec![
        vec![
            "5-minute writes".to_string(),
            thousands(c.write_5m_tokens),
            percent(1.0 - share_1h),
        ],
        vec![
            "1-hour writes".to_string(),
            thousands(c.write_1h_tokens),
            percent(share_1h),
        ],
        vec!["Reads".to_string(), thousands(c.read_tokens), String::new()],
    ];
    html! {
        h3 { "Cache" }
        div.cards {
            (card("Hit ratio", &percent(c.hit_ratio), "cache reads ÷ all prompt tokens"))
            (card("Reads per write", &format!("{:.1}", c.reads_per_write), "a 1-hour write pays back after ~1.1 reads, a 5-minute one after ~0.3"))
            (card("Net savings", &net, "uncached price of cached tokens − what they cost"))
        }
        @if !points.is_empty() {
            (pair(&chart, "A fall is a cache break: something changed at the start of the prompt.",
                &table(&["Cache tokens", "Tokens", "Share of writes"], &rows, None), false))
        }
    }
}

fn batch(snap: &Snapshot) -> Markup {
    let b = &snap.batch;
    let standard = snap.totals.cost - b.cost;
    let chart = bars(
        &Chart {
            id: "batch-share",
            title: "Batch API and standard spend",
            desc: format!(
                "{} of spend ({} of requests) went through the Batch API at half price, saving {}.",
                percent(b.share_of_cost),
                percent(b.share_of_requests),
                b.savings
            ),
        },
        &[
            Bar::new("Batch API", b.cost.usd(), b.cost.to_string()),
            Bar::new("Other tiers", standard.usd(), standard.to_string()),
        ],
    );
    let rows = vec![
        vec![
            "Batch API".to_string(),
            thousands(b.requests),
            b.cost.to_string(),
            percent(b.share_of_cost),
        ],
        vec![
            "Other tiers".to_string(),
            thousands(snap.totals.requests.saturating_sub(b.requests)),
            standard.to_string(),
            percent(1.0 - b.share_of_cost),
        ],
    ];
    html! {
        h3 { "Batch API" }
        div.cards {
            (card("Share of spend", &percent(b.share_of_cost), &format!("{} of requests", percent(b.share_of_requests))))
            (card("Saved by batching", &b.savings.to_string(), "against standard prices"))
        }
        (pair(&chart, "", &table(&["Tier", "Requests", "Spend", "Share"], &rows, None), false))
    }
}

fn output(snap: &Snapshot) -> Markup {
    let o = &snap.output_tokens;
    let hist: Vec<Bar> = o
        .buckets
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| {
            Bar::new(
                format!("≤{}", thousands(b.le)),
                b.count as f64,
                thousands(b.count),
            )
        })
        .collect();
    let chart = columns(
        &Chart {
            id: "output-histogram",
            title: "Output tokens per request",
            desc: format!(
                "Requests by output length: median {}, p99 {}, longest {} tokens; {} stopped at max_tokens.",
                thousands(o.p50),
                thousands(o.p99),
                thousands(o.max),
                percent(o.max_tokens_share)
            ),
        },
        &hist,
        |v| thousands(v.round() as u64),
    );
    let rows: Vec<Vec<String>> = o
        .by_model
        .iter()
        .map(|m| {
            vec![
                m.model.clone(),
                thousands(m.requests),
                thousands(m.p50),
                thousands(m.p99),
                thousands(m.max),
                percent(m.max_tokens_share),
            ]
        })
        .collect();
    html! {
        h3 { "Output length" }
        div.cards {
            (card("Median output", &format!("{} tokens", thousands(o.p50)), &format!("p90 {}", thousands(o.p90))))
            (card("p99 output", &format!("{} tokens", thousands(o.p99)), &format!("longest {}", thousands(o.max))))
            (card("Stopped at max_tokens", &percent(o.max_tokens_share), "answers cut off, often paid for twice"))
        }
        @if !hist.is_empty() {
            (pair(&chart, "Columns are log-scale buckets of output tokens.",
                &table(&["Model", "Requests", "p50", "p99", "Max", "max_tokens"], &rows, None), true))
        }
    }
}

/// The tier of a model id: its family word (`claude-opus-5-5` → Opus), Mythos with Fable.
fn tier_of(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    ["fable", "mythos", "opus", "sonnet", "haiku"]
        .into_iter()
        .find(|t| m.contains(t))
        .map_or("other", |t| match t {
            "fable" | "mythos" => "Fable / Mythos",
            "opus" => "Opus",
            "sonnet" => "Sonnet",
            _ => "Haiku",
        })
}

fn routing(snap: &Snapshot) -> Markup {
    let mut tiers: Vec<(&str, u64, Money)> = Vec::new();
    for m in snap.by_model.iter().filter(|m| m.priced) {
        let tier = tier_of(&m.model);
        match tiers.iter_mut().find(|(t, _, _)| *t == tier) {
            Some((_, n, c)) => {
                *n += m.totals.requests;
                *c += m.totals.cost;
            }
            None => tiers.push((tier, m.totals.requests, m.totals.cost)),
        }
    }
    tiers.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let total = snap.totals.cost;
    let share = |c: Money| {
        if total == Money::ZERO {
            0.0
        } else {
            c.0 as f64 / total.0 as f64
        }
    };
    let chart_bars: Vec<Bar> = tiers
        .iter()
        .map(|(t, _, c)| Bar::new(*t, c.usd(), c.to_string()))
        .collect();
    let desc = tiers.first().map_or_else(String::new, |(t, _, c)| {
        format!(
            "Spend by model tier: {t} is the largest at {c} ({} of spend).",
            percent(share(*c))
        )
    });
    let chart = bars(
        &Chart {
            id: "routing-tiers",
            title: "Spend by model tier",
            desc,
        },
        &chart_bars,
    );
    let rows: Vec<Vec<String>> = tiers
        .iter()
        .map(|(t, n, c)| {
            vec![
                (*t).to_string(),
                thousands(*n),
                c.to_string(),
                percent(share(*c)),
            ]
        })
        .collect();
    html! {
        h3 { "Routing" }
        @if !tiers.is_empty() {
            (pair(&chart, "Simple work on the top tier is the routing lever: see the audit below.",
                &table(&["Tier", "Requests", "Spend", "Share"], &rows, None), false))
        }
    }
}
