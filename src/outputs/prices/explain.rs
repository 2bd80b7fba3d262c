//! `costtop prices MODEL-ID`: how one id as logged is priced — what it normalises to, which
//! family and price period it lands on at a moment, and what its spelling adds; or why it is
//! unpriced.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::table::{PeriodView, per_million};
use crate::pricing::{PriceTable, parse_model_id};

/// Width of the value column before it wraps.
const WRAP: usize = 76;

/// Claude Code's marker for a transcript line that was not an API call.
const SYNTHETIC: &str = "<synthetic>";

/// Everything `costtop prices MODEL-ID` says, as text or JSON.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Explanation {
    /// The id as given.
    pub(crate) model: String,
    /// The normalised id the table is keyed by.
    pub(crate) normalised: String,
    /// A Bedrock regional prefix in the id (billed ×1.1 where the model allows it).
    pub(crate) region: Option<String>,
    /// Fast mode spelled in the id.
    pub(crate) fast_in_id: bool,
    /// The moment asked about.
    pub(crate) at: DateTime<Utc>,
    /// The table's checked date.
    pub(crate) checked: String,
    /// Whether a price applies at `at`.
    pub(crate) priced: bool,
    /// The family, when the table has the id.
    pub(crate) family: Option<String>,
    /// The period in force at `at`.
    pub(crate) period: Option<PeriodView>,
    /// Every period of the id.
    pub(crate) periods: Vec<PeriodView>,
    /// Why it is unpriced, or what the spelling changes.
    pub(crate) notes: Vec<String>,
}

/// Explains `raw` against `table` at `at`.
pub(crate) fn explain(table: &PriceTable, raw: &str, at: DateTime<Utc>) -> Explanation {
    let id = parse_model_id(raw);
    let m = table.lookup(raw);
    let period = m.and_then(|m| m.period_at(at));
    let mut notes = Vec::new();
    match (m, period) {
        _ if raw.trim() == SYNTHETIC => notes.push(
            "Claude Code's marker for a line that was not an API call: not a model, $0 \
             (such lines are skipped, never counted)"
                .to_string(),
        ),
        (None, _) => notes.push(format!(
            "unpriced: {} is not in the price table (checked {}). costtop never prices a \
             model by a similar name: its tokens are counted and totals that leave it out are \
             shown as a lower bound. Fix: add [prices.\"{}\"] to the config \
             (`costtop config --path`), or fetch the maintained table: `costtop prices \
             --update`",
            id.id, table.checked, id.id
        )),
        (Some(m), None) => notes.push(format!(
            "unpriced at {}: no price period of {} covers that date ({})",
            at.format("%Y-%m-%d %H:%M UTC"),
            m.family,
            m.periods
                .iter()
                .map(|p| PeriodView::of(p).dates())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Some(_), Some(p)) => {
            if let Some(region) = &id.region {
                notes.push(if p.regional {
                    format!(
                        "the id names the Bedrock cross-region profile `{region}.`: ×1.1 on every price"
                    )
                } else {
                    format!(
                        "the id names the Bedrock cross-region profile `{region}.`, but this \
                         model predates the regional surcharge: ×1"
                    )
                });
            }
            if id.fast {
                notes.push(match p.fast {
                    Some(f) => format!(
                        "fast mode is spelled in the id: ×{} on every price",
                        f.as_f64()
                    ),
                    None => "the id says fast, but this model has no fast mode: ×1".to_string(),
                });
            }
        }
    }
    Explanation {
        model: raw.to_string(),
        normalised: id.id,
        region: id.region,
        fast_in_id: id.fast,
        at,
        checked: table.checked.clone(),
        priced: period.is_some(),
        family: m.map(|m| m.family.clone()),
        period: period.map(PeriodView::of),
        periods: m.map_or_else(Vec::new, |m| m.periods.iter().map(PeriodView::of).collect()),
        notes,
    }
}

/// The explanation as aligned text.
pub(crate) fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: &str| {
        for (i, part) in wrap(value, WRAP).into_iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            let _ = writeln!(out, "  {label:<17} {part}");
        }
    };
    let _ = writeln!(out, "{} (as logged)", e.model);
    line(&mut out, "normalised", &e.normalised);
    if let Some(family) = &e.family {
        line(&mut out, "family", family);
    }
    line(
        &mut out,
        "at",
        &format!(
            "{} (table checked {})",
            e.at.format("%Y-%m-%d %H:%M UTC"),
            e.checked
        ),
    );
    if let Some(p) = &e.period {
        let origin = p.config.as_ref().map_or_else(
            || p.origin.to_string(),
            |path| format!("{} {path}", p.origin),
        );
        line(
            &mut out,
            "period",
            &format!("{} · {origin} · USD per million tokens", p.dates()),
        );
        for (i, b) in p.bands.iter().enumerate() {
            let label = p
                .band_label(i)
                .map_or_else(|| "prices".to_string(), |l| format!("prompt {l}"));
            line(
                &mut out,
                &label,
                &format!(
                    "input ${} · output ${} · 5m write ${} · 1h write ${} · read ${}",
                    per_million(b.input),
                    per_million(b.output),
                    per_million(b.write_5m),
                    per_million(b.write_1h),
                    per_million(b.read)
                ),
            );
        }
        if p.bands.len() > 1 {
            line(
                &mut out,
                "",
                "prompt = input + cache writes + cache reads; above a threshold the whole \
                 request bills at that band",
            );
        }
        let fast = p
            .fast
            .map_or_else(|| "none".to_string(), |f| format!("×{f} on every price"));
        line(&mut out, "fast mode", &fast);
        let yes = |b: bool| {
            if b {
                "×1.1"
            } else {
                "×1 (not for this model)"
            }
        };
        line(&mut out, "US-only", yes(p.us_only));
        line(&mut out, "regional ids", yes(p.regional));
        line(
            &mut out,
            "tiers",
            "batch ×0.5 on every price; priority at these prices (list-price estimate)",
        );
        if e.periods.len() > 1 {
            let all: Vec<String> = e.periods.iter().map(PeriodView::dates).collect();
            line(&mut out, "all periods", &all.join(" · "));
        }
    }
    for n in &e.notes {
        line(&mut out, "note", n);
    }
    out
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word stays
/// whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let Some(last) = lines.last_mut() else { break };
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}
