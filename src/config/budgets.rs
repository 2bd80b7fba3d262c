//! The `[[budgets]]` entries of the config file and the budgets they become.

use serde::Deserialize;

use crate::budget::{Budget, BudgetFilter};
use crate::pricing::Money;
use crate::time::Period;
use crate::usage::Tier;

/// One `[[budgets]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BudgetEntry {
    /// Name shown on screen and in alarms.
    pub(crate) name: String,
    /// `hour`, `day`, `week` or `month`.
    pub(crate) period: String,
    /// The limit in USD.
    pub(crate) limit_usd: f64,
    /// Fraction of the limit at which to warn (default 0.8).
    pub(crate) warn_at: Option<f64>,
    /// Only models matching this glob.
    pub(crate) model: Option<String>,
    /// Only this project.
    pub(crate) project: Option<String>,
    /// Only this tier: standard, batch, priority.
    pub(crate) tier: Option<String>,
    /// Only records with this tag, `key=value`.
    pub(crate) tag: Option<String>,
    /// Whose spend is held to the limit: `all` (default), `project` or `session` (each one's
    /// own; the current one for `check` and `hook`, the largest elsewhere).
    pub(crate) scope: Option<String>,
}

/// The budgets the entries describe, validated; errors name the entry and the key.
pub(super) fn budgets(entries: &[BudgetEntry]) -> Result<Vec<Budget>, String> {
    entries
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let at = |key: &str, msg: String| format!("budgets[{i}] ({}): {key}: {msg}", b.name);
            let period: Period = b.period.parse().map_err(|e| at("period", e))?;
            if !(b.limit_usd.is_finite() && b.limit_usd > 0.0) {
                return Err(at(
                    "limit_usd",
                    format!("{} is not a positive amount", b.limit_usd),
                ));
            }
            let warn_at = b.warn_at.unwrap_or(0.8);
            if !(warn_at > 0.0 && warn_at <= 1.0) {
                return Err(at(
                    "warn_at",
                    format!("{warn_at} is not a fraction in (0, 1]"),
                ));
            }
            let tier = b
                .tier
                .as_deref()
                .map(parse_tier)
                .transpose()
                .map_err(|e| at("tier", e))?;
            let tag = b
                .tag
                .as_deref()
                .map(|t| {
                    t.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .ok_or_else(|| format!("{t:?} is not key=value"))
                })
                .transpose()
                .map_err(|e| at("tag", e))?;
            let filter = BudgetFilter::new(b.model.as_deref(), b.project.clone(), tier, tag)
                .map_err(|e| at("model", e))?;
            let scope = b
                .scope
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| at("scope", e))?
                .unwrap_or_default();
            Ok(Budget {
                name: b.name.clone(),
                period,
                limit: Money::from_usd(b.limit_usd),
                warn_at,
                filter,
                scope,
            })
        })
        .collect()
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    match s {
        "standard" => Ok(Tier::Standard),
        "batch" => Ok(Tier::Batch),
        "priority" => Ok(Tier::Priority),
        _ => Err(format!(
            "unknown tier {s:?} (use standard, batch, priority)"
        )),
    }
}
