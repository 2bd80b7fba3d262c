//! Conversions every format shares: token counts, tier, billing modifiers, stop reason,
//! model id and rank, each failing with a message that names the field (times: `times.rs`).

use std::sync::Arc;

use super::lenient::{Obj, Scalar};
use super::parsed::ParseError;
use super::raw::{RawUsage, text};
use crate::money::Money;
use crate::usage::{BilledIteration, IterationKind, Modifiers, StopReason, Tier, Tokens};

/// Largest token count accepted for one field of one request. Real requests stay below
/// a few million; the bound keeps sums far from `u64` overflow in every rollup.
pub(crate) const MAX_TOKENS: u64 = 1_000_000_000_000;

/// Largest dollar amount accepted for one cost figure (keeps every sum far from overflow).
const MAX_USD: f64 = 1e9;

/// A schema error for `path` (a field path such as `message.usage.input_tokens`).
pub(crate) fn schema(path: &str, problem: &str) -> ParseError {
    ParseError::Schema(format!("{path}: {problem}"))
}

/// One token count at `path.name`. Absent (or `null`) counts are zero unless `required`.
/// The field path is only formatted on failure: this runs on every usage line.
pub(crate) fn count(
    value: Option<&Scalar<'_>>,
    path: &str,
    name: &str,
    required: bool,
) -> Result<u64, ParseError> {
    let problem = match value {
        None if required => "missing",
        None => return Ok(0),
        Some(Scalar::Unsigned(n)) if *n <= MAX_TOKENS => return Ok(*n),
        Some(Scalar::Negative(_)) => "negative",
        Some(Scalar::Float(f)) if *f < 0.0 => "negative",
        Some(Scalar::Float(f)) if f.fract() != 0.0 => "not an integer",
        Some(Scalar::Float(f)) if *f <= MAX_TOKENS as f64 => return Ok(*f as u64),
        Some(Scalar::Unsigned(_) | Scalar::Float(_)) => "implausibly large",
        Some(_) => "not a number",
    };
    Err(schema(&format!("{path}.{name}"), problem))
}

/// The billed token counts of a `usage` object found at `path`.
///
/// Cache writes come from `cache_creation` (split by TTL) when present; otherwise, or when
/// that split is all zero while `cache_creation_input_tokens` is not, all writes are 5-minute.
pub(crate) fn tokens(usage: &RawUsage<'_>, path: &str) -> Result<Tokens, ParseError> {
    let input = count(usage.input_tokens.as_ref(), path, "input_tokens", true)?;
    let output = count(usage.output_tokens.as_ref(), path, "output_tokens", true)?;
    let cache_read = count(
        usage.cache_read_input_tokens.as_ref(),
        path,
        "cache_read_input_tokens",
        false,
    )?;
    let writes = count(
        usage.cache_creation_input_tokens.as_ref(),
        path,
        "cache_creation_input_tokens",
        false,
    )?;
    let (mut five_minutes, one_hour) = match &usage.cache_creation {
        None => (writes, 0),
        Some(Obj::NotMap) => {
            return Err(schema(&format!("{path}.cache_creation"), "not an object"));
        }
        Some(Obj::Map(split)) => (
            count(
                split.ephemeral_5m_input_tokens.as_ref(),
                path,
                "cache_creation.ephemeral_5m_input_tokens",
                false,
            )?,
            count(
                split.ephemeral_1h_input_tokens.as_ref(),
                path,
                "cache_creation.ephemeral_1h_input_tokens",
                false,
            )?,
        ),
    };
    if five_minutes == 0 && one_hour == 0 {
        five_minutes = writes;
    }
    let web_search_requests = match &usage.server_tool_use {
        None => 0,
        Some(Obj::NotMap) => {
            return Err(schema(&format!("{path}.server_tool_use"), "not an object"));
        }
        Some(Obj::Map(tools)) => count(
            tools.web_search_requests.as_ref(),
            path,
            "server_tool_use.web_search_requests",
            false,
        )?,
    };
    Ok(Tokens {
        input,
        cache_write_5m: five_minutes,
        cache_write_1h: one_hour,
        cache_read,
        output,
        web_search_requests,
    })
}

/// The entries of `usage.iterations` billed on top of the top-level usage (PRICES.md §2.9),
/// each at its own model (`model`, else the message's). `message` entries were dropped
/// while reading; an absent, `null`, empty or message-only list gives none.
pub(crate) fn iterations(
    usage: &RawUsage<'_>,
    message_model: &Arc<str>,
    usage_path: &str,
) -> Result<Vec<BilledIteration>, ParseError> {
    let Some(list) = &usage.iterations else {
        return Ok(Vec::new());
    };
    if list.malformed {
        return Err(schema(
            &format!("{usage_path}.iterations"),
            "not a list of objects",
        ));
    }
    list.kept
        .iter()
        .map(|entry| {
            let path = format!("{usage_path}.iterations");
            let kind = match text(entry.kind.as_ref()) {
                Some("compaction") => IterationKind::Compaction,
                Some("advisor_message") => IterationKind::Advisor,
                _ => IterationKind::Other,
            };
            let model = match &entry.model {
                None => Arc::clone(message_model),
                Some(model) => self::model(Some(model), &format!("{path}.model"))?,
            };
            Ok(BilledIteration {
                kind,
                model,
                tokens: tokens(entry, &path)?,
            })
        })
        .collect()
}

/// A dollar amount at `path` (a cost figure of another tool): a non-negative number.
pub(crate) fn dollars(value: &Scalar<'_>, path: &str) -> Result<Money, ParseError> {
    let usd = match value {
        Scalar::Unsigned(n) => *n as f64,
        Scalar::Float(f) => *f,
        Scalar::Negative(_) => return Err(schema(path, "negative")),
        _ => return Err(schema(path, "not a number")),
    };
    if usd < 0.0 {
        Err(schema(path, "negative"))
    } else if usd.is_nan() || usd > MAX_USD {
        Err(schema(path, "implausibly large"))
    } else {
        Ok(Money::from_usd(usd))
    }
}

/// The tier from `usage.service_tier`, else from `outer` (a `service_tier` beside the usage).
pub(crate) fn tier(usage: &RawUsage<'_>, outer: Option<&Scalar<'_>>) -> Tier {
    text(usage.service_tier.as_ref())
        .or_else(|| text(outer))
        .map_or(Tier::Standard, Tier::from_api)
}

/// Fast mode and US-only inference, as written in the usage object.
pub(crate) fn modifiers(usage: &RawUsage<'_>) -> Modifiers {
    Modifiers {
        fast: text(usage.speed.as_ref()) == Some("fast"),
        us_only: text(usage.inference_geo.as_ref()) == Some("us"),
        long_context: false,
    }
}

/// `max_tokens` → cut off; any other value → a final stop reason; absent/`null` → streaming.
pub(crate) fn stop_reason(value: Option<&Scalar<'_>>) -> Option<StopReason> {
    match value? {
        Scalar::Str(s) if s == "max_tokens" => Some(StopReason::MaxTokens),
        _ => Some(StopReason::Other),
    }
}

/// Completeness among records with the same key: token total first, then a final stop reason.
pub(crate) fn rank(tokens: &Tokens, stop: Option<StopReason>) -> u64 {
    tokens
        .total()
        .saturating_mul(2)
        .saturating_add(u64::from(stop.is_some()))
}

/// The model id at `path`: a non-empty string.
pub(crate) fn model(value: Option<&Scalar<'_>>, path: &str) -> Result<Arc<str>, ParseError> {
    match value {
        None => Err(schema(path, "missing")),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Err(schema(path, "empty")),
        Some(Scalar::Str(s)) => Ok(shared(s)),
        Some(_) => Err(schema(path, "not a string")),
    }
}

/// A non-empty string field as an attribution value.
pub(crate) fn label(value: Option<&Scalar<'_>>) -> Option<Arc<str>> {
    text(value).filter(|s| !s.is_empty()).map(shared)
}

/// Strings shared recently on this thread, most recent first.
const RECENT_STRINGS: usize = 8;

thread_local! {
    static RECENT: std::cell::RefCell<Vec<Arc<str>>> =
        std::cell::RefCell::new(Vec::with_capacity(RECENT_STRINGS));
}

/// `s` as a shared string, reusing a recent one of equal text: a file's lines repeat their
/// model, project and session, so most records allocate nothing (and the aggregator finds
/// them by pointer). The result equals `Arc::from(s)` in every way but its address.
pub(crate) fn shared(s: &str) -> Arc<str> {
    RECENT.with_borrow_mut(|recent| {
        if let Some(at) = recent.iter().position(|r| **r == *s) {
            recent[..=at].rotate_right(1);
            return Arc::clone(&recent[0]);
        }
        let arc: Arc<str> = Arc::from(s);
        recent.truncate(RECENT_STRINGS - 1);
        recent.insert(0, Arc::clone(&arc));
        arc
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_are_reused_only_for_equal_text() {
        let a = shared("claude-opus-4-5");
        let b = shared("/home/me/app");
        assert!(Arc::ptr_eq(&a, &shared("claude-opus-4-5")));
        assert!(Arc::ptr_eq(&b, &shared("/home/me/app")));
        assert_eq!(&*shared("claude-opus-4-5x"), "claude-opus-4-5x");
        // Pushed out by newer strings, an old one is allocated afresh, with the same text.
        for n in 0..RECENT_STRINGS {
            shared(&n.to_string());
        }
        let again = shared("claude-opus-4-5");
        assert!(!Arc::ptr_eq(&a, &again));
        assert_eq!(again, a);
    }

    fn s(v: &str) -> Scalar<'_> {
        Scalar::Str(v.into())
    }

    #[test]
    fn counts_reject_what_is_not_a_token_count() {
        let err = |v: Scalar<'_>| count(Some(&v), "usage", "x", true).unwrap_err();
        assert_eq!(err(Scalar::Negative(-1)), schema("usage.x", "negative"));
        assert_eq!(err(Scalar::Float(1.5)), schema("usage.x", "not an integer"));
        assert_eq!(
            err(Scalar::Float(1e30)),
            schema("usage.x", "implausibly large")
        );
        assert_eq!(err(s("12")), schema("usage.x", "not a number"));
        assert_eq!(
            count(None, "usage", "x", true),
            Err(schema("usage.x", "missing"))
        );
        assert_eq!(count(None, "usage", "x", false), Ok(0));
        assert_eq!(
            count(Some(&Scalar::Float(12.0)), "usage", "x", true),
            Ok(12)
        );
    }
}
