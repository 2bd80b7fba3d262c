//! Builds the snapshot's `claude_code_estimates` from the figures the state keeps.
//!
//! Per session one source is used, the most complete: Claude Code's running totals
//! (`cost-state`), else its OTLP cost metric, else the sum of per-request figures (`costUSD`
//! on older lines, OTLP `cost_usd`), compared with costtop's price of the same requests. A
//! session's running total counts on the day of the session's latest record (without records,
//! on the day it was written: `cost-state` lines carry no time of their own, so that is their
//! file's).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use foldhash::{HashMap, HashSet};

use super::costs::{Priced, SeenSession, holds, local_day, session_costs, sessions_seen};
use super::figures::{Estimates, Figure, FigureKey, bucket_start};
use crate::aggregate::settings::Settings;
use crate::aggregate::store::Store;
use crate::money::Money;
use crate::snapshot::{
    ClaudeCodeEstimates, Comparison, DayEstimate, MAX_GROUP_ROWS, SessionEstimate, UncoveredModel,
};
use crate::usage::EstimateOrigin;

/// The figures chosen for one session.
#[derive(Default)]
struct Chosen {
    source: Option<Source>,
    /// The estimate, and costtop's price of the same requests when the figures are per request.
    figures: Comparison,
    last: DateTime<Utc>,
    /// The same per local day.
    days: BTreeMap<NaiveDate, Comparison>,
    /// Per-model running totals, for the coverage note.
    models: Vec<(Arc<str>, Figure)>,
}

/// A running total and the time it is placed at.
type Placed<'e> = (&'e FigureKey, DateTime<Utc>, &'e Figure);

/// Where a session's estimate comes from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    CostState,
    OtlpMetric,
    Requests,
}

impl Source {
    fn of(origin: EstimateOrigin) -> Source {
        match origin {
            EstimateOrigin::CostState => Source::CostState,
            EstimateOrigin::OtlpMetric => Source::OtlpMetric,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Source::CostState => "cost_state",
            Source::OtlpMetric => "otlp_metric",
            Source::Requests => "requests",
        }
    }
}

impl Estimates {
    /// Claude Code's estimate beside costtop's over figures written since `start`, costtop's
    /// side read from `store`; every session row when `all_sessions`.
    pub(crate) fn snapshot(
        &self,
        store: &Store,
        settings: &Settings,
        start: Option<DateTime<Utc>>,
        all_sessions: bool,
    ) -> ClaudeCodeEstimates {
        View {
            estimates: self,
            store,
            settings,
        }
        .claude_code_estimates(start, all_sessions)
    }
}

/// The figures kept, and what costtop counted of the same sessions.
struct View<'a> {
    estimates: &'a Estimates,
    store: &'a Store,
    settings: &'a Settings,
}

impl View<'_> {
    fn claude_code_estimates(
        &self,
        start: Option<DateTime<Utc>>,
        all_sessions: bool,
    ) -> ClaudeCodeEstimates {
        let e = self.estimates;
        if e.is_empty() {
            return ClaudeCodeEstimates::default();
        }
        let settings = self.settings;
        let since = |t: DateTime<Utc>| {
            start.is_none_or(|s| t >= s)
                && settings.since.is_none_or(|s| t >= s)
                && settings.until.is_none_or(|u| t < u)
        };
        let named: HashSet<u32> = e
            .totals
            .keys()
            .chain(e.deltas.keys().map(|(k, _)| k))
            .filter_map(|k| self.store.strings.get(k.session.as_deref()?))
            .chain(e.request_sums.keys().map(|(session, _)| *session))
            .filter(|id| *id != 0)
            .collect();
        let seen = sessions_seen(self.store, &named);
        // A running total is placed at its session's latest record.
        let placed = |key: &FigureKey, figure: &Figure| {
            key.session
                .as_deref()
                .and_then(|s| self.store.strings.get(s))
                .and_then(|id| seen.get(&id))
                .map_or(figure.at, |seen| seen.last)
        };
        let mut sessions: BTreeMap<String, Chosen> = BTreeMap::new();
        // A fork's running totals include what it inherited from its parent: taken out.
        let inherited = e.inherited();
        let own = |key: &FigureKey, cost: Money| {
            let id = |s: Option<&str>| s.and_then(|s| self.store.strings.get(s));
            let share = match (id(key.session.as_deref()), &key.model) {
                (Some(session), Some(model)) => id(Some(model))
                    .and_then(|m| inherited.get(&(session, m)).copied())
                    .unwrap_or_default(),
                (Some(session), None) => inherited
                    .iter()
                    .filter(|((s, _), _)| *s == session)
                    .map(|(_, c)| *c)
                    .sum(),
                _ => Money::ZERO,
            };
            (cost - share).max(Money::ZERO)
        };
        // Per (session, source): per-model running totals win over whole-session ones.
        let mut totals: BTreeMap<(String, Source), Vec<Placed<'_>>> = BTreeMap::new();
        for (key, figure) in &e.totals {
            let at = placed(key, figure);
            if since(at) {
                totals
                    .entry((session_name(key.session.as_deref()), Source::of(key.origin)))
                    .or_default()
                    .push((key, at, figure));
            }
        }
        for ((session, source), mut figures) in totals {
            if figures.iter().any(|(k, _, _)| k.model.is_some()) {
                figures.retain(|(k, _, _)| k.model.is_some());
            }
            for (key, at, figure) in figures {
                let cost = own(key, figure.cost);
                let chosen =
                    self.offer(&mut sessions, &session, source, at, cost, (Money::ZERO, 0));
                if let (Some(chosen), Some(model)) = (chosen, &key.model) {
                    chosen
                        .models
                        .push((Arc::clone(model), Figure { cost, ..*figure }));
                }
            }
        }
        for ((key, _), figure) in e.deltas.iter().filter(|(_, f)| since(f.at)) {
            let session = session_name(key.session.as_deref());
            let source = Source::of(key.origin);
            self.offer(
                &mut sessions,
                &session,
                source,
                figure.at,
                figure.cost,
                (Money::ZERO, 0),
            );
        }
        for (&(session, b), sum) in &e.request_sums {
            let at = bucket_start(b);
            if since(at) && sum.estimate != Money::ZERO {
                let name =
                    session_name(Some(self.store.strings.name(session)).filter(|s| !s.is_empty()));
                let own = (sum.costtop, sum.unpriced);
                self.offer(
                    &mut sessions,
                    &name,
                    Source::Requests,
                    at,
                    sum.estimate,
                    own,
                );
            }
        }
        self.compare(&sessions, &seen, start, all_sessions)
    }

    /// Adds a figure (with costtop's price of the same requests, for per-request figures) to
    /// its session when its source is the session's best so far (a better source replaces what
    /// a worse one gave); returns the session when the figure counted.
    fn offer<'s>(
        &self,
        sessions: &'s mut BTreeMap<String, Chosen>,
        session: &str,
        source: Source,
        at: DateTime<Utc>,
        estimate: Money,
        (costtop, unpriced): Priced,
    ) -> Option<&'s mut Chosen> {
        let chosen = sessions.entry(session.to_string()).or_default();
        match chosen.source {
            Some(best) if best < source => return None,
            Some(best) if best == source => {}
            _ => {
                *chosen = Chosen {
                    source: Some(source),
                    ..Chosen::default()
                }
            }
        }
        chosen.figures.add(estimate, costtop, unpriced);
        chosen.last = chosen.last.max(at);
        let day = local_day(self.settings.zone, at);
        chosen
            .days
            .entry(day)
            .or_default()
            .add(estimate, costtop, unpriced);
        Some(chosen)
    }

    /// Puts costtop's figures of the same sessions (of the same requests, for per-request
    /// figures) beside the chosen estimates.
    fn compare(
        &self,
        sessions: &BTreeMap<String, Chosen>,
        seen: &HashMap<u32, SeenSession>,
        start: Option<DateTime<Utc>>,
        all_sessions: bool,
    ) -> ClaudeCodeEstimates {
        let ids: HashMap<u32, &str> = sessions
            .iter()
            .filter(|(_, c)| c.source != Some(Source::Requests))
            .filter_map(|(s, _)| {
                Some((self.store.strings.get(s).filter(|id| *id != 0)?, s.as_str()))
            })
            .collect();
        let (by_session_cost, by_day_cost) =
            session_costs(self.store, self.settings.zone, &ids, start);
        let mut out = ClaudeCodeEstimates::default();
        let mut days: BTreeMap<NaiveDate, Comparison> = BTreeMap::new();
        for (day, (cost, unpriced)) in by_day_cost {
            days.entry(day)
                .or_default()
                .add(Money::ZERO, cost, unpriced);
        }
        let mut uncovered = Vec::new();
        for (session, chosen) in sessions {
            let figures = if chosen.source == Some(Source::Requests) {
                for (day, f) in &chosen.days {
                    days.entry(*day).or_default().add(
                        f.estimate,
                        f.costtop,
                        f.costtop_unpriced_requests,
                    );
                }
                chosen.figures
            } else {
                for (day, f) in &chosen.days {
                    days.entry(*day)
                        .or_default()
                        .add(f.estimate, Money::ZERO, 0);
                }
                let (cost, unpriced) = by_session_cost
                    .get(session.as_str())
                    .copied()
                    .unwrap_or_default();
                let mut figures = Comparison::default();
                figures.add(chosen.figures.estimate, cost, unpriced);
                figures
            };
            out.total.add(
                figures.estimate,
                figures.costtop,
                figures.costtop_unpriced_requests,
            );
            out.coverage.sessions += 1;
            let id = self.store.strings.get(session).filter(|id| *id != 0);
            let records = id.and_then(|id| seen.get(&id));
            if records.is_none() {
                out.coverage.sessions_without_records += 1;
            }
            for (model, figure) in &chosen.models {
                if figure.cost > Money::ZERO
                    && !records.is_some_and(|seen| {
                        holds(self.store, &self.settings.prices, &seen.models, model)
                    })
                {
                    uncovered.push(uncovered_model(session, model, figure));
                }
            }
            out.by_session.push(SessionEstimate {
                session: session.clone(),
                source: chosen.source.map_or("", Source::as_str).to_string(),
                figures,
                last_written: chosen.last,
            });
        }
        out.by_session.sort_by(|a, b| {
            b.figures
                .estimate
                .cmp(&a.figures.estimate)
                .then_with(|| a.session.cmp(&b.session))
        });
        out.by_day = days
            .into_iter()
            .map(|(day, figures)| DayEstimate { day, figures })
            .collect();
        out.coverage.not_in_transcripts_cost = uncovered.iter().map(|u| u.estimate).sum();
        out.coverage.not_in_transcripts_by_model = by_model(&uncovered);
        uncovered.sort_by(|a, b| {
            b.estimate
                .cmp(&a.estimate)
                .then_with(|| a.session.cmp(&b.session))
        });
        out.coverage.not_in_transcripts = uncovered;
        if !all_sessions {
            out.by_session.truncate(MAX_GROUP_ROWS);
            out.coverage.not_in_transcripts.truncate(MAX_GROUP_ROWS);
        }
        out.coverage.dropped_figures = self.estimates.dropped;
        out
    }
}

/// One session's model that no record holds.
fn uncovered_model(session: &str, model: &str, figure: &Figure) -> UncoveredModel {
    UncoveredModel {
        session: session.to_string(),
        sessions: 1,
        model: model.to_string(),
        estimate: figure.cost,
        input_tokens: figure.tokens.input,
        output_tokens: figure.tokens.output,
        cache_read_tokens: figure.tokens.cache_read,
        cache_write_tokens: figure.tokens.cache_writes(),
    }
}

/// The per-session rows summed per model, largest first.
fn by_model(rows: &[UncoveredModel]) -> Vec<UncoveredModel> {
    let mut models: BTreeMap<&str, UncoveredModel> = BTreeMap::new();
    for r in rows {
        models
            .entry(&r.model)
            .or_insert_with(|| UncoveredModel {
                model: r.model.clone(),
                ..UncoveredModel::default()
            })
            .add(r);
    }
    let mut out: Vec<UncoveredModel> = models.into_values().collect();
    out.sort_by(|a, b| {
        b.estimate
            .cmp(&a.estimate)
            .then_with(|| a.model.cmp(&b.model))
    });
    out
}

/// A session key for display.
fn session_name(session: Option<&str>) -> String {
    session.unwrap_or("(none)").to_string()
}
