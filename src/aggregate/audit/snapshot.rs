//! The audit's part of the snapshot (`audit` in the JSON contract): the four levers in
//! dollars over the snapshot's window, and the opportunities behind them.

use serde::Serialize;

use super::cells::{Kind, Lever};
use crate::pricing::Money;

/// Said by every output that shows opportunities.
pub const ESTIMATE_NOTE: &str = "Estimates from token counts: the quality of answers is not measured, \
     and newer models' tokenizers count the same text differently.";

/// Savings opportunities over the window, by lever.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditSnapshot {
    /// Priced spend in the window (the same as `totals.cost_usd`).
    pub total_usd: Money,
    /// What pulling every lever would save, each applied after the ones before it (routing,
    /// caching, output, then the Batch API on what is left), so nothing is counted twice.
    pub potential_usd: Money,
    /// `total_usd − potential_usd`.
    pub with_all_levers_usd: Money,
    /// `potential_usd / total_usd`, 0–1.
    pub potential_share: f64,
    /// How `group` is chosen: `feature` (tag `feature`, else project), `project`, `session`,
    /// `model` or `tag:KEY`.
    pub group_by: String,
    /// Each lever's total.
    pub by_lever: ByLever,
    /// Opportunities, largest saving first (at most 100), the alternatives that are not
    /// added into the potential after the others.
    pub opportunities: Vec<Opportunity>,
    /// Records the audit could not judge.
    pub skipped: SkippedCounts,
    /// The routing ladder in force, most capable first (family names).
    pub ladder: Vec<String>,
    /// The `[audit] async` marks in force.
    pub async_groups: Vec<String>,
    /// What the figures are: estimates from token counts.
    pub estimate_note: String,
}

/// The four levers' totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ByLever {
    /// Which model serves each request.
    pub routing: LeverSummary,
    /// Whether the prompt cache is hit.
    pub caching: LeverSummary,
    /// Whether async work goes through the Batch API.
    pub batch: LeverSummary,
    /// How long outputs run.
    pub output: LeverSummary,
}

impl ByLever {
    /// The summary of one lever.
    pub fn get(&self, lever: Lever) -> &LeverSummary {
        match lever {
            Lever::Routing => &self.routing,
            Lever::Caching => &self.caching,
            Lever::Batch => &self.batch,
            Lever::Output => &self.output,
        }
    }

    /// The summary of one lever, to fill in.
    pub fn get_mut(&mut self, lever: Lever) -> &mut LeverSummary {
        match lever {
            Lever::Routing => &mut self.routing,
            Lever::Caching => &mut self.caching,
            Lever::Batch => &mut self.batch,
            Lever::Output => &mut self.output,
        }
    }
}

/// One lever's total (alternatives such as `whole_group_down` are not in it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeverSummary {
    /// What the lever would save on its own.
    pub savings_usd: Money,
    /// What the affected spend costs now.
    pub current_usd: Money,
    /// Requests (or cache writes) affected.
    pub requests: u64,
    /// Opportunities behind it.
    pub opportunities: u64,
    /// Batch only: the batch tier's share of spend in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_of_cost: Option<f64>,
    /// What else to know: records skipped, or how to mark groups async.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One opportunity: a rule, a group and a model, with what it costs and could save.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    /// `routing`, `caching`, `batch` or `output`.
    pub lever: Lever,
    /// The rule (`simple_requests`, `writes_never_read`, …).
    pub kind: Kind,
    /// The group (`(none)` when records have no value for the grouping).
    pub group: String,
    /// The model's family name (`Opus 5.5`).
    pub model: String,
    /// What the affected spend costs now.
    pub current_usd: Money,
    /// What the rule would save.
    pub savings_usd: Money,
    /// Requests (or cache writes) affected.
    pub requests: u64,
    /// The opportunity in one plain sentence.
    pub reason: String,
    /// Whether it adds into `potential_usd` (`whole_group_down` is an alternative).
    pub in_potential: bool,
}

/// Records the audit could not judge, over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SkippedCounts {
    /// Requests of models without a price.
    pub unpriced_requests: u64,
    /// Requests on models whose tier is not on the ladder.
    pub off_ladder_requests: u64,
    /// Requests with cache writes but no session.
    pub writes_without_session: u64,
}

/// `amount` spent over `from`–`to` as a rate per day (`None` under a minute, where a rate
/// would mean nothing).
pub fn per_day(
    amount: Money,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: chrono::DateTime<chrono::Utc>,
) -> Option<Money> {
    let seconds = (to - from?).num_seconds();
    (seconds >= 60).then(|| Money(amount.0 * 86_400 / i128::from(seconds)))
}

impl AuditSnapshot {
    /// The opportunities of one lever, in rank order.
    pub fn of(&self, lever: Lever) -> impl Iterator<Item = &Opportunity> {
        self.opportunities.iter().filter(move |o| o.lever == lever)
    }

    /// A lever's `n` largest groups by what they would save (alternatives left out).
    pub fn top_groups(&self, lever: Lever, n: usize) -> Vec<(&str, Money)> {
        let mut groups: Vec<(&str, Money)> = Vec::new();
        for o in self.of(lever).filter(|o| o.in_potential) {
            match groups.iter_mut().find(|(g, _)| *g == o.group) {
                Some((_, saved)) => *saved += o.savings_usd,
                None => groups.push((&o.group, o.savings_usd)),
            }
        }
        groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        groups.truncate(n);
        groups
    }
}
