//! What the generated set contains, counted as it is made: every API request once (however
//! many copies of it the files hold), its tokens by model, and its cost from the generator's
//! own table. This is the figure `costtop report` must reproduce.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::prices::{self, Tokens};

/// Picodollars in one dollar.
const PICOS_PER_USD: u128 = 1_000_000_000_000;

/// One model's requests and sums (field names as in costtop's `by_model` rows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Sums {
    /// Distinct API requests.
    pub(crate) requests: u64,
    /// Uncached input tokens.
    pub(crate) input_tokens: u64,
    /// 5-minute cache writes.
    pub(crate) cache_write_5m_tokens: u64,
    /// 1-hour cache writes.
    pub(crate) cache_write_1h_tokens: u64,
    /// Cache reads.
    pub(crate) cache_read_tokens: u64,
    /// Output tokens.
    pub(crate) output_tokens: u64,
    /// Web searches.
    pub(crate) web_search_requests: u64,
    /// Cost in picodollars (0 for a model the table lacks).
    pub(crate) cost_picodollars: u128,
    /// The same cost in dollars, as an exact decimal string.
    pub(crate) cost_usd: String,
    /// Whether the table prices the model.
    pub(crate) priced: bool,
}

impl Sums {
    fn add(&mut self, tokens: &Tokens, cost: Option<u128>) {
        self.requests += 1;
        self.input_tokens += tokens.input;
        self.cache_write_5m_tokens += tokens.write_5m;
        self.cache_write_1h_tokens += tokens.write_1h;
        self.cache_read_tokens += tokens.read;
        self.output_tokens += tokens.output;
        self.web_search_requests += tokens.web_searches;
        self.priced = cost.is_some();
        self.cost_picodollars += cost.unwrap_or(0);
        self.cost_usd = dollars(self.cost_picodollars);
    }
}

/// How many copies and lines of each kind the set holds (none of them a request of its own).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Copies {
    /// Streamed lines with placeholder `output_tokens` before a response's final line.
    pub(crate) streamed_placeholders: u64,
    /// Lines a resumed session repeated verbatim from an earlier session's file.
    pub(crate) resumed_lines: u64,
    /// Lines a forked session repeated from its parent with its own `sessionId`.
    pub(crate) forked_lines: u64,
    /// Sub-agent calls recorded only as `progress` lines in the parent transcript.
    pub(crate) subagent_calls_progress_only: u64,
    /// Sub-agent calls recorded only in `subagents/agent-*.jsonl`.
    pub(crate) subagent_calls_file_only: u64,
    /// Sub-agent calls recorded in both places.
    pub(crate) subagent_calls_both: u64,
    /// `<synthetic>` assistant lines (no API call).
    pub(crate) synthetic_lines: u64,
    /// `cost-state` lines (Claude Code's own running estimate).
    pub(crate) cost_state_lines: u64,
    /// Requests billed under a rule of their own, by rule.
    pub(crate) special_rules: BTreeMap<&'static str, u64>,
}

/// The generated set's truth.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Truth {
    /// The seed the set was made from.
    pub(crate) seed: u64,
    /// Lines in all files.
    pub(crate) lines: u64,
    /// `.jsonl` files written.
    pub(crate) files: u64,
    /// Bytes written.
    pub(crate) bytes: u64,
    /// The earliest request's time.
    pub(crate) first_request: Option<DateTime<Utc>>,
    /// The latest request's time.
    pub(crate) last_request: Option<DateTime<Utc>>,
    /// Distinct API requests, priced or not.
    pub(crate) requests: u64,
    /// Requests of models the table lacks.
    pub(crate) unpriced_requests: u64,
    /// Cost of every priced request, in picodollars.
    pub(crate) cost_picodollars: u128,
    /// The same in dollars, as an exact decimal string.
    pub(crate) cost_usd: String,
    /// The cost leaves unpriced requests out.
    pub(crate) cost_is_lower_bound: bool,
    /// Sums by model id as written in the transcripts.
    pub(crate) by_model: BTreeMap<String, Sums>,
    /// What the set repeats, and the rules it reaches.
    pub(crate) copies: Copies,
}

impl Truth {
    /// Counts one API request (call once per request, never per copy); returns its cost.
    pub(crate) fn request(
        &mut self,
        model: &str,
        at: DateTime<Utc>,
        tokens: &Tokens,
    ) -> Option<u128> {
        let cost = prices::cost(model, at, tokens);
        self.requests += 1;
        self.first_request = Some(self.first_request.map_or(at, |t| t.min(at)));
        self.last_request = Some(self.last_request.map_or(at, |t| t.max(at)));
        if let Some(picos) = cost {
            self.cost_picodollars += picos;
        } else {
            self.unpriced_requests += 1;
            self.cost_is_lower_bound = true;
        }
        self.cost_usd = dollars(self.cost_picodollars);
        if let Some(rule) = prices::special_rule(model, at, tokens) {
            *self.copies.special_rules.entry(rule).or_default() += 1;
        }
        self.by_model
            .entry(model.to_owned())
            .or_default()
            .add(tokens, cost);
        cost
    }
}

/// Picodollars as an exact dollar decimal (`"12.345678000000"`).
pub(crate) fn dollars(picos: u128) -> String {
    format!("{}.{:012}", picos / PICOS_PER_USD, picos % PICOS_PER_USD)
}

/// A session's running totals by model, as Claude Code's `cost-state` lines state them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger {
    /// Tokens and cost so far, by model.
    pub(crate) models: BTreeMap<String, (Tokens, u128)>,
    /// Some request's model had no price.
    pub(crate) unknown_model: bool,
}

impl Ledger {
    /// Adds one request (sub-agent calls included, as Claude Code counts them).
    pub(crate) fn add(&mut self, model: &str, tokens: &Tokens, cost: Option<u128>) {
        let (sum, picos) = self.models.entry(model.to_owned()).or_default();
        sum.input += tokens.input;
        sum.write_5m += tokens.write_5m;
        sum.write_1h += tokens.write_1h;
        sum.read += tokens.read;
        sum.output += tokens.output;
        sum.web_searches += tokens.web_searches;
        *picos += cost.unwrap_or(0);
        self.unknown_model |= cost.is_none();
    }
}
