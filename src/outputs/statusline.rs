//! `costtop statusline`: the one line Claude Code shows under its prompt box — a template
//! filled in with the model, this session's cost, today's cost, the burn rate and the nearest
//! budget.

use std::fmt::Write;

use crate::money::Money;

/// The line when no `--format` is given.
pub(crate) const DEFAULT_TEMPLATE: &str =
    "{model} · session {session} · today {today} · {burn} · {budget}";

/// What goes between the parts of a template; a part left empty (no budget) is dropped with
/// its separator.
const SEPARATOR: &str = " · ";

/// The placeholders a template may use, with what each shows (for `--help` and errors).
pub(crate) const PLACEHOLDERS: [(&str, &str); 6] = [
    ("model", "the model's display name (Sonnet 4.6)"),
    ("session", "this session's cost ($0.42)"),
    (
        "today",
        "today's cost over every Claude Code session ($12.87)",
    ),
    ("burn", "spend per hour over the last 15 minutes ($3.10/h)"),
    (
        "budget",
        "the budget nearest its limit (day budget 64%; empty without budgets)",
    ),
    ("cc", "Claude Code's own estimate of this session ($0.40)"),
];

/// An amount, and whether it leaves out usage of models that have no price (a lower bound).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Amount {
    /// The priced part.
    pub(crate) money: Money,
    /// Some usage could not be priced: the true figure is higher.
    pub(crate) lower_bound: bool,
}

/// Where one budget stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BudgetFigure {
    /// The budget's name.
    pub(crate) name: String,
    /// Its limit.
    pub(crate) limit: Money,
    /// Spent in the current period.
    pub(crate) spent: Money,
    /// `ok`, `warn` or `exceeded`.
    pub(crate) state: String,
}

impl BudgetFigure {
    fn fraction(&self) -> f64 {
        if self.limit.0 <= 0 {
            return 0.0;
        }
        self.spent.usd() / self.limit.usd()
    }
}

/// Everything a line can show; `None` where the figure is unknown (shown as `?`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Figures {
    /// Model display name.
    pub(crate) model: String,
    /// This session's cost.
    pub(crate) session: Option<Amount>,
    /// Today's cost.
    pub(crate) today: Option<Amount>,
    /// Spend per hour over the last 15 minutes.
    pub(crate) burn_per_hour: Option<Money>,
    /// The budget nearest its limit.
    pub(crate) budget: Option<BudgetFigure>,
    /// Claude Code's own estimate of the session (from its status JSON).
    pub(crate) claude_estimate: Option<Money>,
}

/// Which figures a template asks for, so that only those are computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// `{session}`.
    pub(crate) session: bool,
    /// `{today}`, `{burn}` or `{budget}`: today's records of every session.
    pub(crate) history: bool,
}

/// A template that failed to parse, naming the placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown placeholder {{{0}}} in the statusline format (use {names})", names = names())]
pub(crate) struct TemplateError(pub(crate) String);

fn names() -> String {
    let names: Vec<String> = PLACEHOLDERS
        .iter()
        .map(|(n, _)| format!("{{{n}}}"))
        .collect();
    names.join(" ")
}

/// A parsed template: literal text and placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(String),
}

impl Template {
    /// Parses `{name}` placeholders; `{{` and `}}` are literal braces.
    pub(crate) fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                literal.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) else {
                literal.push_str(&tail[..1]);
                rest = &tail[1..];
                continue;
            };
            let name = &tail[1..end];
            if !PLACEHOLDERS.iter().any(|(n, _)| *n == name) {
                return Err(TemplateError(name.to_string()));
            }
            if !literal.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Field(name.to_string()));
            rest = &tail[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template(pieces))
    }

    /// The figures this template shows.
    pub(crate) fn needs(&self) -> Needs {
        let uses = |name: &str| {
            self.0
                .iter()
                .any(|p| matches!(p, Piece::Field(f) if f == name))
        };
        Needs {
            session: uses("session"),
            history: uses("today") || uses("burn") || uses("budget"),
        }
    }

    /// The line: every placeholder filled in; parts between ` · ` separators that came out
    /// empty (a budget when there is none) are dropped with their separator.
    pub(crate) fn render(&self, f: &Figures) -> String {
        let mut line = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => line.push_str(t),
                Piece::Field(name) => line.push_str(&field(name, f)),
            }
        }
        let parts: Vec<&str> = line
            .split(SEPARATOR)
            .filter(|p| !p.trim().is_empty())
            .collect();
        parts.join(SEPARATOR).replace(['\n', '\r'], " ")
    }
}

fn field(name: &str, f: &Figures) -> String {
    match name {
        "model" => f.model.clone(),
        "session" => amount(f.session),
        "today" => amount(f.today),
        "burn" => f
            .burn_per_hour
            .map_or_else(|| "?".to_string(), |m| format!("{m}/h")),
        "budget" => f.budget.as_ref().map(budget).unwrap_or_default(),
        "cc" => f
            .claude_estimate
            .map_or_else(|| "?".to_string(), |m| m.to_string()),
        _ => String::new(),
    }
}

fn amount(a: Option<Amount>) -> String {
    match a {
        None => "?".to_string(),
        Some(a) if a.lower_bound => format!("{}+", a.money),
        Some(a) => a.money.to_string(),
    }
}

fn budget(b: &BudgetFigure) -> String {
    let mut text = format!("{} {:.0}%", b.name, b.fraction() * 100.0);
    if b.state != "ok" {
        let _ = write!(text, " ({})", b.state);
    }
    text
}

/// The budget nearest its limit (the largest share spent; over the limit counts most).
pub(crate) fn nearest_budget(
    budgets: impl IntoIterator<Item = BudgetFigure>,
) -> Option<BudgetFigure> {
    budgets
        .into_iter()
        .max_by(|a, b| a.fraction().total_cmp(&b.fraction()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Figures {
        Figures {
            model: "Sonnet 4.6".into(),
            session: Some(Amount {
                money: Money::from_usd(0.4213),
                lower_bound: false,
            }),
            today: Some(Amount {
                money: Money::from_usd(12.874),
                lower_bound: true,
            }),
            burn_per_hour: Some(Money::from_usd(3.1)),
            budget: None,
            claude_estimate: Some(Money::from_usd(0.4)),
        }
    }

    #[test]
    fn default_line_drops_the_missing_budget_with_its_separator() {
        let t = Template::parse(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(
            t.render(&figures()),
            "Sonnet 4.6 · session $0.4213 · today $12.87+ · $3.10/h"
        );
    }

    #[test]
    fn nearest_budget_is_the_one_with_the_largest_share_spent() {
        let b = |name: &str, limit: f64, spent: f64, state: &str| BudgetFigure {
            name: name.into(),
            limit: Money::from_usd(limit),
            spent: Money::from_usd(spent),
            state: state.into(),
        };
        let nearest = nearest_budget([
            b("month", 1000.0, 500.0, "ok"),
            b("day", 20.0, 17.0, "warn"),
        ]);
        let mut f = figures();
        f.budget = nearest;
        let t = Template::parse("{budget} | {cc} | {{x}}").unwrap();
        assert_eq!(t.render(&f), "day 85% (warn) | $0.4000 | {x}");
    }

    #[test]
    fn unknown_placeholder_is_an_error_naming_it() {
        let err = Template::parse("{model} {sesion}").unwrap_err();
        assert_eq!(err.0, "sesion");
        assert!(err.to_string().contains("{session}"), "{err}");
        assert_eq!(
            Template::parse("{model}").unwrap().needs(),
            Needs::default()
        );
        assert!(Template::parse("{burn}").unwrap().needs().history);
    }

    #[test]
    fn unknown_figures_show_as_question_marks() {
        let t = Template::parse("{session} {today} {burn}").unwrap();
        assert_eq!(t.render(&Figures::default()), "? ? ?");
    }
}
