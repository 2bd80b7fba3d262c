//! The generator's own price table, independent of costtop's: the list prices of the models it
//! writes, as exact integers, and the cost of one request.
//!
//! Figures are PRICES.md's (list prices as of 2026-12-01, USD per million tokens: input ·
//! output · 5-minute write · 1-hour write · read), written here in thousandths of a dollar per
//! million tokens, so `4_000` is $4 per million tokens = 4,000,000 picodollars per token.
//! The rules the generated data reaches, and no others:
//! - Sonnet 5.5's cache read is dated: $0.20 before 2026-10-07, $0.10 from that day (00:00 UTC),
//!   by the request's own time (PRICES.md §1, §2.1).
//! - Haiku 5.5 bills a prompt (input + cache writes + cache reads) over 100,000 tokens, every
//!   category of it, at its upper band; exactly 100,000 stays below (§2.2). Haiku 5.5 sessions
//!   grow past it.
//! - Web search is $10 per 1,000 searches (§2.8).
//! - Avoided on purpose: prompts stay at or below 190,000 tokens (no Sonnet 4.5 long-context
//!   band, §2.3); every request is `speed: standard`, `inference_geo` empty or `global`, tier
//!   `standard` (no fast, US-only or batch multipliers, §2.4–2.7); no `iterations` (§2.9).

use chrono::{DateTime, NaiveDate, Utc};

/// Picodollars per thousandth of a dollar per million tokens.
const PICOS_PER_MILLI_PER_MILLION: u64 = 1_000;

/// One web search: $0.01 in picodollars.
pub(crate) const WEB_SEARCH_PICOS: u128 = 10_000_000_000;

/// The model Claude Code writes for lines that were no API call.
pub(crate) const SYNTHETIC: &str = "<synthetic>";

/// A model no price table has (`--unknown-model`): counted, never priced.
pub(crate) const UNKNOWN: &str = "claude-nova-7-preview";

/// Dollars per million tokens in thousandths, by category.
#[derive(Debug, Clone, Copy)]
struct Rates {
    input: u64,
    output: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
}

#[expect(clippy::similar_names, reason = "the categories' own names")]
const fn rates(input: u64, output: u64, write_5m: u64, write_1h: u64, read: u64) -> Rates {
    Rates {
        input,
        output,
        write_5m,
        write_1h,
        read,
    }
}

/// Main models of sessions, with how often a session starts on each (December 2026 mix).
pub(crate) const MAIN_MODELS: &[(&str, u32)] = &[
    ("claude-opus-5-5", 30),
    ("claude-sonnet-5-5", 28),
    ("claude-fable-5-2", 8),
    ("claude-haiku-5-5", 6),
    ("claude-opus-4-6", 8),
    ("claude-sonnet-4-5-20250929", 8),
    ("claude-sonnet-4-6", 4),
    ("claude-opus-4-1-20250805", 4),
    ("claude-haiku-4-5-20251001", 4),
];

/// The model quick side requests and `Explore` sub-agents run on.
pub(crate) const SIDE_MODEL: &str = "claude-haiku-5-5";

/// The day Sonnet 5.5's cache read fell from $0.20 to $0.10.
fn sonnet_5_5_change() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 7).unwrap_or_default()
}

/// Haiku 5.5's band: prompts over this many tokens bill at the upper band.
pub(crate) const HAIKU_5_5_BAND: u64 = 100_000;

/// The rates of `model` for a request at `at` with a prompt of `prompt` tokens.
fn rates_for(model: &str, at: DateTime<Utc>, prompt: u64) -> Option<Rates> {
    Some(match model {
        "claude-fable-5-2" => rates(8_000, 40_000, 10_000, 16_000, 200), // (3rd party) in PRICES.md
        "claude-opus-5-5" => rates(4_000, 20_000, 5_000, 8_000, 200),
        "claude-sonnet-5-5" if at.date_naive() < sonnet_5_5_change() => {
            rates(2_000, 10_000, 2_500, 4_000, 200)
        }
        "claude-sonnet-5-5" => rates(2_000, 10_000, 2_500, 4_000, 100),
        "claude-haiku-5-5" if prompt > HAIKU_5_5_BAND => rates(500, 2_500, 625, 1_000, 50),
        "claude-haiku-5-5" => rates(100, 500, 125, 200, 10),
        "claude-opus-4-6" => rates(5_000, 25_000, 6_250, 10_000, 500),
        "claude-sonnet-4-5-20250929" | "claude-sonnet-4-6" => {
            rates(3_000, 15_000, 3_750, 6_000, 300)
        }
        "claude-opus-4-1-20250805" => rates(15_000, 75_000, 18_750, 30_000, 1_500),
        "claude-haiku-4-5-20251001" => rates(1_000, 5_000, 1_250, 2_000, 100),
        _ => return None,
    })
}

/// The usage of one API request, as its final transcript line states it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    /// Uncached input.
    pub(crate) input: u64,
    /// Cache writes with the 5-minute lifetime.
    pub(crate) write_5m: u64,
    /// Cache writes with the 1-hour lifetime.
    pub(crate) write_1h: u64,
    /// Cache reads.
    pub(crate) read: u64,
    /// Output.
    pub(crate) output: u64,
    /// Server-side web searches.
    pub(crate) web_searches: u64,
}

impl Tokens {
    /// The prompt the bands judge: input plus cache writes plus cache reads.
    pub(crate) fn prompt(&self) -> u64 {
        self.input + self.write_5m + self.write_1h + self.read
    }
}

/// What `tokens` of `model` at `at` cost, in picodollars; `None` for a model not in the table.
pub(crate) fn cost(model: &str, at: DateTime<Utc>, tokens: &Tokens) -> Option<u128> {
    let r = rates_for(model, at, tokens.prompt())?;
    let per_million = [
        (tokens.input, r.input),
        (tokens.output, r.output),
        (tokens.write_5m, r.write_5m),
        (tokens.write_1h, r.write_1h),
        (tokens.read, r.read),
    ];
    let token_picos: u128 = per_million
        .iter()
        .map(|(count, milli)| u128::from(*count) * u128::from(*milli * PICOS_PER_MILLI_PER_MILLION))
        .sum();
    Some(token_picos + u128::from(tokens.web_searches) * WEB_SEARCH_PICOS)
}

/// Whether a request of `model` at `at` with `tokens` bills one of the rules above that the
/// truth counts separately (Haiku 5.5's upper band, Sonnet 5.5's earlier read price).
pub(crate) fn special_rule(
    model: &str,
    at: DateTime<Utc>,
    tokens: &Tokens,
) -> Option<&'static str> {
    match model {
        "claude-haiku-5-5" if tokens.prompt() > HAIKU_5_5_BAND => Some("haiku_5_5_upper_band"),
        "claude-sonnet-5-5" if at.date_naive() < sonnet_5_5_change() && tokens.read > 0 => {
            Some("sonnet_5_5_read_before_2026_10_07")
        }
        _ => None,
    }
}
