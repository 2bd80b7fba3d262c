//! The price table as costtop bills from it: per normalised id, dated price periods, each with
//! prompt-length bands of five per-token prices. Built from price files by `file.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::normalize::parse_model_id;
use super::{Money, Ratio};

/// The name the embedded table goes by in messages.
pub(crate) const EMBEDDED_NAME: &str = "data/prices.toml (built in)";

/// One token category's price: `unit × ratio` picodollars per token. Stated prices have
/// ratio 1; a price derived by a standard multiplier (a 5-minute write at 1.25× input) keeps
/// the multiplier exact instead of rounding it into the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rate {
    /// Picodollars per token before `ratio`.
    pub(crate) unit: Money,
    /// Exact multiplier of `unit`.
    pub(crate) ratio: Ratio,
}

impl Rate {
    /// A stated price in picodollars per token.
    pub(crate) const fn stated(unit: Money) -> Rate {
        Rate {
            unit,
            ratio: Ratio::ONE,
        }
    }

    /// USD per million tokens, for display only.
    pub(crate) fn usd_per_million(self) -> f64 {
        self.unit.0 as f64 * self.ratio.as_f64() / 1e6
    }

    /// Whether the price was stated (not derived from the input price).
    #[cfg(test)]
    pub(crate) fn is_stated(self) -> bool {
        self.ratio == Ratio::ONE
    }
}

/// The five per-token prices of one band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rates {
    /// Uncached input.
    pub(crate) input: Rate,
    /// Output.
    pub(crate) output: Rate,
    /// Cache writes with the 5-minute TTL.
    pub(crate) write_5m: Rate,
    /// Cache writes with the 1-hour TTL.
    pub(crate) write_1h: Rate,
    /// Cache reads.
    pub(crate) read: Rate,
}

/// Prices for requests whose prompt (input + cache writes + cache reads) is above `above`
/// tokens; the whole request, output included, bills at the highest band it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Band {
    /// Prompt tokens this band starts above (0 for the first band).
    pub(crate) above: u64,
    /// Its prices.
    pub(crate) rates: Rates,
}

/// Where a price period came from; `costtop prices` says it for each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The table built into this binary.
    BuiltIn,
    /// The project's maintained table stored by `costtop prices --update`.
    Maintained,
    /// A `[prices."id"]` override in the user's config file (named here).
    Config(String),
}

impl Origin {
    /// A short label: `built-in`, `maintained table`, `config`.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Origin::BuiltIn => "built-in",
            Origin::Maintained => "maintained table",
            Origin::Config(_) => "config",
        }
    }
}

/// A model's prices over a range of dates: from 00:00 UTC of `from` (inclusive) to 00:00
/// UTC of `until` (exclusive); `None` is open-ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PricePeriod {
    /// First day the prices apply.
    pub(crate) from: Option<NaiveDate>,
    /// First day they no longer apply.
    pub(crate) until: Option<NaiveDate>,
    /// Prompt-length bands, by ascending `above`; the first starts at 0.
    pub(crate) bands: Vec<Band>,
    /// Fast-mode multiplier, when the model has a fast mode.
    pub(crate) fast: Option<Ratio>,
    /// Whether US-only inference (`inference_geo: "us"`) bills ×1.1 (Claude 4.6 and later).
    pub(crate) us_only: bool,
    /// Whether partner-cloud regional ids (`us.anthropic.…`) bill ×1.1 (Claude 4.5 and later).
    pub(crate) regional: bool,
    /// Where these prices came from.
    pub(crate) origin: Origin,
    pub(super) start: i64,
    pub(super) end: i64,
}

impl PricePeriod {
    /// A period over `[from, until)` (dates at 00:00 UTC).
    pub(crate) fn new(from: Option<NaiveDate>, until: Option<NaiveDate>, bands: Vec<Band>) -> Self {
        PricePeriod {
            from,
            until,
            bands,
            fast: None,
            us_only: false,
            regional: false,
            origin: Origin::BuiltIn,
            start: from.map_or(i64::MIN, day_start),
            end: until.map_or(i64::MAX, day_start),
        }
    }

    /// Moves the period's dates (when an override covers part of it).
    pub(super) fn with_range(&self, start: i64, end: i64) -> PricePeriod {
        PricePeriod {
            from: (start != i64::MIN).then(|| day_of(start)),
            until: (end != i64::MAX).then(|| day_of(end)),
            start,
            end,
            ..self.clone()
        }
    }

    /// Whether the period covers a moment (seconds since the epoch).
    pub(crate) fn covers(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }

    /// The band a prompt of `prompt` tokens bills at, and its index (0: the first band).
    /// A prompt exactly at a band's threshold stays below it.
    pub(crate) fn band_for(&self, prompt: u64) -> Option<(usize, &Band)> {
        let i = self
            .bands
            .iter()
            .rposition(|b| prompt > b.above)
            .unwrap_or(0);
        self.bands.get(i).map(|b| (i, b))
    }
}

fn day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
}

fn day_of(t: i64) -> NaiveDate {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .date_naive()
}

/// What a logged id's spelling adds to its model's prices (PRICES.md §2.4, §2.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spelling {
    /// A Bedrock regional or multi-region prefix: ×1.1 where the period says `regional`.
    pub(crate) regional: bool,
    /// Fast mode written in the id: the fast multiplier applies to every record.
    pub(crate) fast: bool,
}

/// Prices of one model id: its family and its dated price periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelPrice {
    /// Display name of the family, e.g. "Sonnet 4.5".
    pub(crate) family: String,
    /// Price periods by ascending date; they never overlap, and gaps are unpriced.
    pub(crate) periods: Vec<PricePeriod>,
    /// What the id as logged says beyond the normalised id.
    pub(crate) spelling: Spelling,
}

impl ModelPrice {
    /// The period in force at `t`, if any (no allocation: this runs per record).
    pub(crate) fn period_at(&self, t: DateTime<Utc>) -> Option<&PricePeriod> {
        let s = t.timestamp();
        self.periods.iter().find(|p| p.covers(s))
    }
}

/// Where the table's base prices came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TableSource {
    /// Only the table built into the binary.
    BuiltIn,
    /// The maintained table stored by `costtop prices --update`, at this path.
    Maintained(String),
}

/// The whole table: normalised id → prices (one copy per id spelling), the date it was
/// checked against Anthropic's pages, and where it came from. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PriceTable {
    /// id → prices as [plain, regional, fast, regional + fast] spellings.
    pub(super) models: Arc<HashMap<String, [ModelPrice; 4]>>,
    /// When the prices were last checked against Anthropic's pricing pages (`YYYY-MM-DD`).
    pub(crate) checked: String,
    /// Built-in, or the stored maintained table.
    pub(crate) source: TableSource,
    /// Anything `costtop prices` should say (a stored table older than the built-in one).
    pub(crate) notes: Vec<String>,
    /// What every command should warn about: a stored table that is broken, and why.
    pub(crate) warnings: Vec<String>,
}

impl PriceTable {
    /// Prices of a model id in any provider spelling; `None` when the table does not have the
    /// whole normalised id.
    pub(crate) fn lookup(&self, raw_model: &str) -> Option<&ModelPrice> {
        let m = parse_model_id(raw_model);
        let variants = self.models.get(&m.id)?;
        Some(&variants[usize::from(m.region.is_some()) | usize::from(m.fast) << 1])
    }

    /// Every (normalised id, price) pair, sorted by id.
    pub(crate) fn entries(&self) -> Vec<(&str, &ModelPrice)> {
        let mut v: Vec<_> = self
            .models
            .iter()
            .map(|(k, p)| (k.as_str(), &p[0]))
            .collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    /// Builds a table from plain prices per normalised id.
    pub(super) fn from_models(
        plain: HashMap<String, ModelPrice>,
        checked: String,
        source: TableSource,
    ) -> PriceTable {
        PriceTable {
            models: Arc::new(plain.into_iter().map(|(k, p)| (k, spellings(&p))).collect()),
            checked,
            source,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The plain prices per id, for building a new table from this one.
    pub(super) fn plain_models(&self) -> HashMap<String, ModelPrice> {
        self.models
            .iter()
            .map(|(k, v)| (k.clone(), v[0].clone()))
            .collect()
    }

    /// Replaces the plain prices (keeping checked date, source, notes and warnings).
    pub(super) fn set_models(&mut self, plain: HashMap<String, ModelPrice>) {
        self.models = Arc::new(plain.into_iter().map(|(k, p)| (k, spellings(&p))).collect());
    }
}

fn spellings(plain: &ModelPrice) -> [ModelPrice; 4] {
    let with = |regional, fast| ModelPrice {
        spelling: Spelling { regional, fast },
        ..plain.clone()
    };
    [
        with(false, false),
        with(true, false),
        with(false, true),
        with(true, true),
    ]
}
