//! What sources send to the aggregator: usage records in batches, health reports, billed
//! costs. The vocabulary lives here, beside [`UsageEvent`], so the aggregator depends on
//! nothing above it (sources import the aggregator's types, never the other way round).

use chrono::{DateTime, NaiveDate, Utc};

use std::sync::Arc;

use super::event::{Tokens, UsageEvent};
use super::org::OrgUpdate;
use crate::money::Money;

/// Batches a source may queue before it has to wait (back-pressure, nothing dropped).
pub(crate) const SOURCE_CHANNEL_CAPACITY: usize = 16;

/// What a source sends to the aggregator.
#[derive(Debug, Clone)]
pub enum SourceMsg {
    /// Parsed usage records, in the order read (batched to keep the channel cheap).
    Events(Vec<UsageEvent>),
    /// The source's current health; cumulative, so the latest replaces earlier ones.
    Health(SourceHealth),
    /// The source has read all history it was asked for and now follows live input.
    CaughtUp {
        /// The source's health name.
        name: String,
    },
    /// What Anthropic billed (Admin API cost report), per day, model and line item.
    Billed(Vec<BilledCost>),
    /// What another tool says usage cost (Claude Code's `cost-state` ledger lines, its OTLP
    /// `claude_code.cost.usage` metric): a check shown beside costtop's figures, never spend.
    Estimates(Vec<ToolEstimate>),
    /// What the organisation's Admin API says beyond usage: spend limits, rate limits,
    /// Claude Code's per-developer figures.
    Org(OrgUpdate),
}

/// How a source is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SourceState {
    /// Reading normally.
    #[default]
    Ok,
    /// No new data for longer than expected.
    Stale,
    /// Failing; the reason is shown and the source keeps retrying.
    Error(String),
    /// Finished (one-shot sources: `report`, replay).
    Done,
}

impl SourceState {
    /// The state word used in JSON and on screen.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            SourceState::Ok => "ok",
            SourceState::Stale => "stale",
            SourceState::Error(_) => "error",
            SourceState::Done => "done",
        }
    }
}

/// Cumulative health of one source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceHealth {
    /// Stable name: a path, `stdin`, `admin-api`, `demo`.
    pub name: String,
    /// Current state.
    pub state: SourceState,
    /// Lines (or API buckets) read so far.
    pub lines: u64,
    /// Lines that could not be parsed so far.
    pub parse_errors: u64,
    /// `file:line: reason` of the first parse error.
    pub first_error: Option<String>,
    /// Time of the newest record read.
    pub last_event: Option<DateTime<Utc>>,
    /// Files followed.
    pub files: u64,
    /// Records whose time named no zone, read as UTC (or local time, as configured): their
    /// zone was assumed.
    pub naive_times: u64,
    /// Claude Code compactions its transcripts record: billed, but priced by no line of them.
    pub compactions: u64,
    /// What a receiver (the OTLP listener) counts beyond records and errors; `None` for
    /// every other source.
    pub(crate) receiver: Option<ReceiverCounts>,
    /// What the proxy counts beyond records and accounting failures; `None` for every other
    /// source.
    pub(crate) proxy: Option<Box<super::ProxyCounts>>,
    /// What the source wants said about how it reads, when all is well (the Admin API: which
    /// of Anthropic's APIs it uses, and why).
    pub note: Option<String>,
}

/// A receiver's counts: who sent, what was refused whole, what was assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ReceiverCounts {
    /// Distinct senders seen (peer address and resource identity).
    pub(crate) senders: u64,
    /// Payloads refused whole: undecodable, too large, wrong type, unauthorised, or with
    /// nothing usable in them.
    pub(crate) rejected_payloads: u64,
    /// Records counted whose cache writes carried no 5m/1h split and were priced as
    /// 5-minute writes (an estimate until a transcript line of the same request replaces it).
    pub(crate) cache_ttl_assumed: u64,
    /// Anthropic LLM spans that named no token counts (an instrumentation costtop cannot
    /// read): counted, shown on the receiver's line, never dropped silently.
    pub(crate) llm_spans_unreadable: u64,
}

/// What Anthropic billed for one day, one model and one line item (cost report).
/// A later [`SourceMsg::Billed`] row with the same day, model and description replaces
/// an earlier one: the cost report is revised like the usage report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledCost {
    /// The UTC day billed.
    pub day: NaiveDate,
    /// The model, for token costs.
    pub model: Option<String>,
    /// The line item, e.g. `Claude Sonnet 4.5 Usage - Input Tokens`.
    pub(crate) description: Option<String>,
    /// The amount billed.
    pub amount: Money,
    /// The same usage at list price, before discounts (the Analytics cost report's
    /// `list_amount`; the legacy cost report has none).
    pub list_amount: Option<Money>,
}

/// Where a [`ToolEstimate`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EstimateOrigin {
    /// A `type: "cost-state"` line of a Claude Code transcript (cumulative per session).
    CostState,
    /// Claude Code's OTLP metric `claude_code.cost.usage` (cumulative or delta).
    OtlpMetric,
}

/// Another tool's own figure for what a session (or a user's usage) cost, per model when it
/// says so. A cumulative figure replaces the previous one with the same origin, session, user
/// and model; a delta adds to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolEstimate {
    /// Where it came from.
    pub origin: EstimateOrigin,
    /// The session it covers (Claude Code's session id).
    pub session: Option<Arc<str>>,
    /// The user it covers, when the source says (OTLP `user.email` or `user.id`).
    pub user: Option<Arc<str>>,
    /// The model, when the figure is per model; `None`: all models of the session.
    pub model: Option<Arc<str>>,
    /// When the figure was written (or observed); places it in a day.
    pub at: DateTime<Utc>,
    /// The tool's cost figure, as it computed it.
    pub cost: Money,
    /// The tokens it says it counted (zero where the source gives none).
    pub tokens: Tokens,
    /// Requests it says it counted, when it says.
    pub requests: Option<u64>,
    /// True: the figure is a running total (the last one counts); false: a delta to add.
    pub cumulative: bool,
}
