//! The price file format — `data/prices.toml`, a maintained table, the entries of a config
//! override — kept apart from the runtime types, and the checks that refuse a bad file with
//! its name, line and field: unknown keys, missing, negative or over-precise prices, bad
//! dates, and two prices claiming one id on the same date or one band.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::table::{
    Band, EMBEDDED_NAME, ModelPrice, Origin, PricePeriod, PriceTable, Rate, Rates, TableSource,
};
use super::{Money, Ratio, normalize_model};

/// A price file, override or download that cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TableError {
    /// The TOML did not parse or has an unknown key (the message names line and key).
    #[error("{file}: {source}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message.
        source: toml::de::Error,
    },
    /// An entry parsed but its values cannot be used.
    #[error("{file} line {line}: {field}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// The line of the entry.
        line: usize,
        /// The field at fault (`read`, `band[0].above`, `ids`…).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl TableError {
    /// The message without the file's name, for callers that name it already.
    pub(crate) fn detail(&self) -> String {
        match self {
            TableError::Parse { source, .. } => source.to_string(),
            TableError::Invalid {
                line,
                field,
                reason,
                ..
            } => format!("line {line}: {field}: {reason}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    checked: String,
    #[serde(default)]
    model: Vec<Spanned<PriceEntry>>,
}

/// One price entry as written: a family, the ids it prices (table files only), an optional
/// date range, the five prices of its first band (USD per million tokens; writes and reads
/// default to 1.25×, 2× and 0.1× input where a file may omit them), upper bands, and
/// multipliers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceEntry {
    /// Display name, e.g. "Sonnet 5.5".
    pub(crate) family: Option<String>,
    /// Model ids (normalised on reading); table files only.
    pub(crate) ids: Option<Vec<String>>,
    /// First day (`YYYY-MM-DD`, 00:00 UTC) the prices apply.
    pub(crate) from: Option<String>,
    /// First day they no longer apply.
    pub(crate) until: Option<String>,
    /// Uncached input.
    pub(crate) input: f64,
    /// Output.
    pub(crate) output: f64,
    /// 5-minute cache write (default 1.25 × input).
    pub(crate) write_5m: Option<f64>,
    /// 1-hour cache write (default 2 × input).
    pub(crate) write_1h: Option<f64>,
    /// Cache read (default 0.1 × input).
    pub(crate) read: Option<f64>,
    /// Fast-mode multiplier.
    pub(crate) fast: Option<f64>,
    /// US-only inference bills ×1.1.
    #[serde(default)]
    pub(crate) us_only: bool,
    /// Partner-cloud regional ids bill ×1.1.
    #[serde(default)]
    pub(crate) regional: bool,
    /// Upper prompt-length bands.
    #[serde(default)]
    pub(crate) band: Vec<BandEntry>,
}

/// One upper band as written: above `above` prompt tokens, these prices for the whole request.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BandEntry {
    /// Prompt tokens (input + cache writes + cache reads) the band starts above.
    pub(crate) above: u64,
    /// Uncached input.
    pub(crate) input: f64,
    /// Output.
    pub(crate) output: f64,
    /// 5-minute cache write (default 1.25 × input).
    pub(crate) write_5m: Option<f64>,
    /// 1-hour cache write (default 2 × input).
    pub(crate) write_1h: Option<f64>,
    /// Cache read (default 0.1 × input).
    pub(crate) read: Option<f64>,
}

/// The price table built into the binary, in this file format.
const EMBEDDED: &str = include_str!("../../data/prices.toml");

impl PriceTable {
    /// The table built into the binary (parsed once per process).
    pub fn embedded() -> PriceTable {
        static TABLE: std::sync::OnceLock<PriceTable> = std::sync::OnceLock::new();
        TABLE
            .get_or_init(|| {
                // The embedded file is tested; failing here would be a build defect, not input.
                #[allow(clippy::expect_used)]
                parse_table(EMBEDDED, EMBEDDED_NAME, &Origin::BuiltIn)
                    .expect("embedded data/prices.toml is valid")
            })
            .clone()
    }

    /// Parses a table file in `data/prices.toml`'s format, leniently: categories not stated
    /// are derived by the standard multipliers.
    #[cfg(test)]
    pub(crate) fn parse(text: &str) -> Result<PriceTable, TableError> {
        parse_table_with(text, "prices.toml", &Origin::BuiltIn, false)
    }
}

/// Parses a table file, stating-every-category required when `origin` is not built in.
pub(super) fn parse_table(
    text: &str,
    file: &str,
    origin: &Origin,
) -> Result<PriceTable, TableError> {
    parse_table_with(text, file, origin, true)
}

/// Parses a table file; `strict`: every entry and band must state all five prices.
pub(super) fn parse_table_with(
    text: &str,
    file: &str,
    origin: &Origin,
    strict: bool,
) -> Result<PriceTable, TableError> {
    let parsed: TableFile = toml::from_str(text).map_err(|source| TableError::Parse {
        file: file.to_string(),
        source,
    })?;
    let at = |line: usize, field: &str, reason: String| TableError::Invalid {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    };
    if NaiveDate::parse_from_str(&parsed.checked, "%Y-%m-%d").is_err() {
        return Err(at(
            line_of(text, text.find("checked").unwrap_or(0)),
            "checked",
            format!("{:?} is not a date (YYYY-MM-DD)", parsed.checked),
        ));
    }
    let mut claims: HashMap<String, Vec<(PricePeriod, String, usize)>> = HashMap::new();
    for spanned in &parsed.model {
        let line = line_of(text, spanned.span().start);
        let entry = spanned.get_ref();
        let family = entry
            .family
            .clone()
            .ok_or_else(|| at(line, "family", "missing".into()))?;
        let ids = entry.ids.as_deref().unwrap_or_default();
        if ids.is_empty() {
            return Err(at(line, "ids", "missing: name the ids it prices".into()));
        }
        let period = period(entry, origin, strict).map_err(|(f, r)| at(line, &f, r))?;
        for id in ids {
            claims.entry(normalize_model(id)).or_default().push((
                period.clone(),
                family.clone(),
                line,
            ));
        }
    }
    let mut models = HashMap::new();
    for (id, mut claimed) in claims {
        claimed.sort_by_key(|(p, _, _)| p.start);
        check_overlaps(&id, &claimed).map_err(|(line, r)| at(line, "ids", r))?;
        let family = claimed
            .last()
            .map(|(_, f, _)| f.clone())
            .unwrap_or_default();
        let periods = claimed.into_iter().map(|(p, _, _)| p).collect();
        models.insert(
            id,
            ModelPrice {
                family,
                periods,
                spelling: super::table::Spelling::default(),
            },
        );
    }
    let source = match origin {
        Origin::Maintained => TableSource::Maintained(file.to_string()),
        _ => TableSource::BuiltIn,
    };
    Ok(PriceTable::from_models(models, parsed.checked, source))
}

/// An error on two periods (sorted by start) claiming one moment: the later one's line.
pub(super) fn check_overlaps(
    id: &str,
    claimed: &[(PricePeriod, String, usize)],
) -> Result<(), (usize, String)> {
    for pair in claimed.windows(2) {
        let ((a, _, a_line), (b, _, b_line)) = (&pair[0], &pair[1]);
        if a.end > b.start {
            return Err((
                *b_line,
                format!(
                    "{id} is already priced for these dates at line {a_line} \
                     (two prices for one id and date; give them from/until dates that do not \
                     overlap)"
                ),
            ));
        }
    }
    Ok(())
}

pub(super) type FieldError = (String, String);

/// The runtime period of one entry; errors name the field.
pub(super) fn period(
    e: &PriceEntry,
    origin: &Origin,
    strict: bool,
) -> Result<PricePeriod, FieldError> {
    let from = date(e.from.as_deref(), "from")?;
    let until = date(e.until.as_deref(), "until")?;
    if let (Some(f), Some(u)) = (from, until)
        && f >= u
    {
        return Err(("until".into(), format!("{u} is not after from = {f}")));
    }
    let first = Band {
        above: 0,
        rates: rates(
            "",
            [e.input, e.output],
            [e.write_5m, e.write_1h, e.read],
            strict,
        )?,
    };
    let mut bands = vec![first];
    for (i, b) in e.band.iter().enumerate() {
        let prefix = format!("band[{i}].");
        let last = bands.last().map_or(0, |l: &Band| l.above);
        if b.above <= last {
            return Err((
                format!("{prefix}above"),
                format!(
                    "{} does not start above the previous band ({last}): bands must not overlap",
                    b.above
                ),
            ));
        }
        bands.push(Band {
            above: b.above,
            rates: rates(
                &prefix,
                [b.input, b.output],
                [b.write_5m, b.write_1h, b.read],
                strict,
            )?,
        });
    }
    let fast = e
        .fast
        .map(|f| {
            Ratio::from_decimal(f, 4)
                .filter(|r| r.num > 0)
                .ok_or_else(|| {
                    (
                        "fast".to_string(),
                        format!("{f} is not a positive multiplier"),
                    )
                })
        })
        .transpose()?;
    let mut p = PricePeriod::new(from, until, bands);
    p.fast = fast;
    p.us_only = e.us_only;
    p.regional = e.regional;
    p.origin = origin.clone();
    Ok(p)
}

fn date(s: Option<&str>, field: &str) -> Result<Option<NaiveDate>, FieldError> {
    s.map(|s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            (
                field.to_string(),
                format!("{s:?} is not a date (YYYY-MM-DD, 00:00 UTC)"),
            )
        })
    })
    .transpose()
}

/// The five rates of a band: input and output always stated; the cache ones stated or, unless
/// `strict`, derived from input by the standard multipliers.
fn rates(
    prefix: &str,
    [input, output]: [f64; 2],
    cached: [Option<f64>; 3],
    strict: bool,
) -> Result<Rates, FieldError> {
    let stated = |name: &str, usd: f64| -> Result<Rate, FieldError> {
        per_token(usd).map(Rate::stated).ok_or_else(|| {
            (
                format!("{prefix}{name}"),
                format!(
                    "{usd} is not a price: USD per million tokens, not negative, at most six \
                     decimals"
                ),
            )
        })
    };
    let input = stated("input", input)?;
    let output = stated("output", output)?;
    let cache = |i: usize, name: &str, default: Ratio| -> Result<Rate, FieldError> {
        match cached[i] {
            Some(usd) => stated(name, usd),
            None if strict => Err((
                format!("{prefix}{name}"),
                "missing: a price table states every category".into(),
            )),
            None => Ok(Rate {
                unit: input.unit,
                ratio: default,
            }),
        }
    };
    Ok(Rates {
        input,
        output,
        write_5m: cache(0, "write_5m", Ratio::new(5, 4))?,
        write_1h: cache(1, "write_1h", Ratio::new(2, 1))?,
        read: cache(2, "read", Ratio::new(1, 10))?,
    })
}

/// USD per million tokens → exact picodollars per token (×10⁶).
fn per_token(usd: f64) -> Option<Money> {
    let r = Ratio::from_decimal(usd, 6)?;
    Some(Money(r.num * (1_000_000 / r.den)))
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}
