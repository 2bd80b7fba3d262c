//! The audit's part of the snapshot (`audit` in the JSON contract): the four levers in
//! dollars over the snapshot's window, and the opportunities behind them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// The four levers of a Claude bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    /// Which model serves each request.
    Routing,
    /// Whether the prompt cache is hit.
    Caching,
    /// Whether async work goes through the Batch API.
    Batch,
    /// How long outputs run.
    Output,
}

impl Lever {
    /// Every lever, in the order the audit lists them.
    pub(crate) const ALL: [Lever; 4] =
        [Lever::Routing, Lever::Caching, Lever::Batch, Lever::Output];

    /// The name used in JSON and on screen.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Lever::Routing => "routing",
            Lever::Caching => "caching",
            Lever::Batch => "batch",
            Lever::Output => "output",
        }
    }
}

/// One rule of the audit (DESIGN.md §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Short-output, short-prompt requests on a model above the cheapest tier.
    SimpleRequests,
    /// Every request of a group one step down the ladder (an alternative to
    /// [`Kind::SimpleRequests`], so not added to the potential).
    WholeGroupDown,
    /// Uncached input of at least 1,024 tokens sent again within 5 minutes.
    UncachedRepeats,
    /// Cache writes no later request of the session read within their TTL.
    WritesNeverRead,
    /// 1-hour writes whose reads all came within 5 minutes of the previous request.
    OneHourWrites,
    /// Standard-tier spend of groups marked async.
    AsyncStandardTier,
    /// Responses cut off at `max_tokens`.
    MaxTokensStops,
    /// Output tokens above the model's p99.
    AboveP99,
}

impl Kind {
    /// Every kind, in the order the audit lists them.
    pub(crate) const ALL: [Kind; 8] = [
        Kind::SimpleRequests,
        Kind::WholeGroupDown,
        Kind::UncachedRepeats,
        Kind::WritesNeverRead,
        Kind::OneHourWrites,
        Kind::AsyncStandardTier,
        Kind::MaxTokensStops,
        Kind::AboveP99,
    ];

    /// The lever it pulls.
    pub(crate) fn lever(self) -> Lever {
        match self {
            Kind::SimpleRequests | Kind::WholeGroupDown => Lever::Routing,
            Kind::UncachedRepeats | Kind::WritesNeverRead | Kind::OneHourWrites => Lever::Caching,
            Kind::AsyncStandardTier => Lever::Batch,
            Kind::MaxTokensStops | Kind::AboveP99 => Lever::Output,
        }
    }

    /// Whether its savings add up with the others' into "with all levers".
    pub(crate) fn in_potential(self) -> bool {
        self != Kind::WholeGroupDown
    }

    /// The name used in JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::SimpleRequests => "simple_requests",
            Kind::WholeGroupDown => "whole_group_down",
            Kind::UncachedRepeats => "uncached_repeats",
            Kind::WritesNeverRead => "writes_never_read",
            Kind::OneHourWrites => "one_hour_writes",
            Kind::AsyncStandardTier => "async_standard_tier",
            Kind::MaxTokensStops => "max_tokens_stops",
            Kind::AboveP99 => "above_p99",
        }
    }
}

/// What one opportunity's `group` is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum AuditGroup {
    /// Tag `feature` when the record carries it, else the project.
    #[default]
    Feature,
    /// The project.
    Project,
    /// The session.
    Session,
    /// The value of one tag key.
    Tag(String),
    /// The model.
    Model,
    /// The actor, API key, workspace or product (the Admin API's dimensions).
    Org(crate::usage::OrgDimension),
}

impl FromStr for AuditGroup {
    type Err = String;
    fn from_str(s: &str) -> Result<AuditGroup, String> {
        Ok(match s {
            "feature" => AuditGroup::Feature,
            "project" => AuditGroup::Project,
            "session" => AuditGroup::Session,
            "model" => AuditGroup::Model,
            _ => {
                if let Some(dimension) = crate::usage::OrgDimension::from_name(s) {
                    return Ok(AuditGroup::Org(dimension));
                }
                match s.strip_prefix("tag:") {
                    Some(key) if !key.is_empty() => AuditGroup::Tag(key.to_string()),
                    _ => {
                        return Err(format!(
                            "unknown audit grouping {s:?} (use feature, project, session, \
                             model, actor, api_key, workspace, product, tag:KEY)"
                        ));
                    }
                }
            }
        })
    }
}

impl fmt::Display for AuditGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditGroup::Feature => f.write_str("feature"),
            AuditGroup::Project => f.write_str("project"),
            AuditGroup::Session => f.write_str("session"),
            AuditGroup::Model => f.write_str("model"),
            AuditGroup::Tag(k) => write!(f, "tag:{k}"),
            AuditGroup::Org(d) => write!(f, "{d}"),
        }
    }
}

/// Said by every output that shows opportunities.
pub(crate) const ESTIMATE_NOTE: &str = "Estimates from token counts: the quality of answers is not measured, \
     and newer models' tokenizers count the same text differently.";

/// Savings opportunities over the window, by lever.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSnapshot {
    /// Priced spend in the window (the same as `totals.cost_usd`).
    pub(crate) total_usd: Money,
    /// What pulling every lever would save, each applied after the ones before it (routing,
    /// caching, output, then the Batch API on what is left), so nothing is counted twice.
    pub(crate) potential_usd: Money,
    /// `total_usd − potential_usd`.
    pub(crate) with_all_levers_usd: Money,
    /// `potential_usd / total_usd`, 0–1.
    pub potential_share: f64,
    /// How `group` is chosen: `feature` (tag `feature`, else project), `project`, `session`,
    /// `model` or `tag:KEY`.
    pub(crate) group_by: String,
    /// Each lever's total.
    pub(crate) by_lever: ByLever,
    /// Opportunities, largest saving first (at most 100), the alternatives that are not
    /// added into the potential after the others.
    pub opportunities: Vec<Opportunity>,
    /// Records the audit could not judge.
    pub(crate) skipped: SkippedCounts,
    /// The routing ladder in force, most capable first (family names).
    pub(crate) ladder: Vec<String>,
    /// The `[audit] async` marks in force.
    pub(crate) async_groups: Vec<String>,
    /// What the figures are: estimates from token counts.
    pub(crate) estimate_note: String,
}

/// The four levers' totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ByLever {
    /// Which model serves each request.
    pub(crate) routing: LeverSummary,
    /// Whether the prompt cache is hit.
    pub(crate) caching: LeverSummary,
    /// Whether async work goes through the Batch API.
    pub(crate) batch: LeverSummary,
    /// How long outputs run.
    pub(crate) output: LeverSummary,
}

impl ByLever {
    /// The summary of one lever.
    pub(crate) fn get(&self, lever: Lever) -> &LeverSummary {
        match lever {
            Lever::Routing => &self.routing,
            Lever::Caching => &self.caching,
            Lever::Batch => &self.batch,
            Lever::Output => &self.output,
        }
    }

    /// The summary of one lever, to fill in.
    pub(crate) fn get_mut(&mut self, lever: Lever) -> &mut LeverSummary {
        match lever {
            Lever::Routing => &mut self.routing,
            Lever::Caching => &mut self.caching,
            Lever::Batch => &mut self.batch,
            Lever::Output => &mut self.output,
        }
    }
}

/// One lever's total (alternatives such as `whole_group_down` are not in it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct LeverSummary {
    /// What the lever would save on its own.
    pub(crate) savings_usd: Money,
    /// What the affected spend costs now.
    pub(crate) current_usd: Money,
    /// Requests (or cache writes) affected.
    pub(crate) requests: u64,
    /// Opportunities behind it.
    pub(crate) opportunities: u64,
    /// Batch only: the batch tier's share of spend in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) share_of_cost: Option<f64>,
    /// What else to know: records skipped, or how to mark groups async.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// One opportunity: a rule, a group and a model, with what it costs and could save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    /// `routing`, `caching`, `batch` or `output`.
    pub lever: Lever,
    /// The rule (`simple_requests`, `writes_never_read`, …).
    pub kind: Kind,
    /// The group (`(none)` when records have no value for the grouping).
    pub group: String,
    /// The model's family name (`Opus 5.5`).
    pub(crate) model: String,
    /// What the affected spend costs now.
    pub(crate) current_usd: Money,
    /// What the rule would save.
    pub(crate) savings_usd: Money,
    /// Requests (or cache writes) affected.
    pub(crate) requests: u64,
    /// The opportunity in one plain sentence.
    pub(crate) reason: String,
    /// Whether it adds into `potential_usd` (`whole_group_down` is an alternative).
    pub(crate) in_potential: bool,
}

/// Records the audit could not judge, over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SkippedCounts {
    /// Requests of models without a price.
    pub(crate) unpriced_requests: u64,
    /// Requests on models whose tier is not on the ladder.
    pub(crate) off_ladder_requests: u64,
    /// Requests with cache writes but no session.
    pub(crate) writes_without_session: u64,
}

/// `amount` spent over `from`–`to` as a rate per day (`None` under a minute, where a rate
/// would mean nothing).
pub(crate) fn per_day(
    amount: Money,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: chrono::DateTime<chrono::Utc>,
) -> Option<Money> {
    let seconds = (to - from?).num_seconds();
    (seconds >= 60).then(|| Money(amount.0 * 86_400 / i128::from(seconds)))
}

impl AuditSnapshot {
    /// The opportunities of one lever, in rank order.
    pub(crate) fn of(&self, lever: Lever) -> impl Iterator<Item = &Opportunity> {
        self.opportunities.iter().filter(move |o| o.lever == lever)
    }

    /// A lever's `n` largest groups by what they would save (alternatives left out).
    pub(crate) fn top_groups(&self, lever: Lever, n: usize) -> Vec<(&str, Money)> {
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
