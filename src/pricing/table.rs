//! The price table: an embedded data file (`data/prices.toml`) plus config overrides.

use std::collections::HashMap;

use serde::Deserialize;

use super::{Money, normalize_model};

const EMBEDDED: &str = include_str!("../../data/prices.toml");

/// Prices of one model, in picodollars per token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPrice {
    /// Display name of the family, e.g. "Sonnet 4.5".
    pub family: String,
    /// Uncached input, per token.
    pub input: Money,
    /// Output, per token.
    pub output: Money,
    /// Whether the >200k whole-request long-context rate applies.
    pub long_context: bool,
    /// Fast-mode multiplier, when the model has a fast mode.
    pub fast: Option<u32>,
}

/// The whole table: normalised id → price, and the date the list was checked.
#[derive(Debug, Clone)]
pub struct PriceTable {
    models: HashMap<String, ModelPrice>,
    /// When the embedded prices were last checked against Anthropic's pricing page.
    pub checked: String,
}

/// A price file or override that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The TOML did not parse or had unknown keys.
    #[error("price table: {0}")]
    Parse(#[from] toml::de::Error),
    /// A price was negative or not a number.
    #[error("price for {model}: {reason}")]
    Invalid {
        /// The model id the bad entry was for.
        model: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A price override for one model from the config file (`[prices."model-id"]`).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// USD per million uncached input tokens.
    pub input: f64,
    /// USD per million output tokens.
    pub output: f64,
    /// Whether the long-context rule applies (default false).
    #[serde(default)]
    pub long_context: bool,
    /// Fast-mode multiplier (default: none).
    #[serde(default)]
    pub fast: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    checked: String,
    model: Vec<ModelEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEntry {
    family: String,
    ids: Vec<String>,
    input: f64,
    output: f64,
    #[serde(default)]
    long_context: bool,
    #[serde(default)]
    fast: Option<u32>,
}

impl PriceTable {
    /// The table built into the binary.
    pub fn embedded() -> PriceTable {
        // The embedded file is tested; failing here would be a build defect, not input.
        #[allow(clippy::expect_used)]
        Self::parse(EMBEDDED).expect("embedded data/prices.toml is valid")
    }

    /// Parses a table file.
    pub fn parse(text: &str) -> Result<PriceTable, TableError> {
        let file: TableFile = toml::from_str(text)?;
        let mut models = HashMap::new();
        for entry in file.model {
            let price = model_price(&entry.family, entry.input, entry.output)?;
            for id in &entry.ids {
                models.insert(
                    normalize_model(id),
                    ModelPrice {
                        long_context: entry.long_context,
                        fast: entry.fast,
                        ..price.clone()
                    },
                );
            }
        }
        Ok(PriceTable {
            models,
            checked: file.checked,
        })
    }

    /// Adds or replaces a model's prices (config `[prices."id"]`).
    pub fn apply_override(&mut self, id: &str, o: &PriceOverride) -> Result<(), TableError> {
        let mut price = model_price(id, o.input, o.output)?;
        price.long_context = o.long_context;
        price.fast = o.fast;
        self.models.insert(normalize_model(id), price);
        Ok(())
    }

    /// Prices of a model id in any provider spelling; `None` when unknown.
    pub fn lookup(&self, raw_model: &str) -> Option<&ModelPrice> {
        self.models.get(&normalize_model(raw_model))
    }

    /// Every (normalised id, price) pair, sorted by id.
    pub fn entries(&self) -> Vec<(&str, &ModelPrice)> {
        let mut v: Vec<_> = self.models.iter().map(|(k, p)| (k.as_str(), p)).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

fn model_price(name: &str, input: f64, output: f64) -> Result<ModelPrice, TableError> {
    for (what, v) in [("input", input), ("output", output)] {
        if !v.is_finite() || v < 0.0 {
            return Err(TableError::Invalid {
                model: name.to_string(),
                reason: format!("{what} price {v} is not a non-negative number"),
            });
        }
    }
    // USD per million tokens → picodollars per token: ×1e12 / 1e6 = ×1e6.
    Ok(ModelPrice {
        family: name.to_string(),
        input: Money((input * 1e6).round() as i128),
        output: Money((output * 1e6).round() as i128),
        long_context: false,
        fast: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_prices_every_documented_family() {
        let t = PriceTable::embedded();
        let per_m = |id: &str| {
            let p = t.lookup(id).unwrap_or_else(|| panic!("{id} missing"));
            (p.input.0, p.output.0)
        };
        assert_eq!(per_m("claude-opus-4-5-20251101"), (5_000_000, 25_000_000));
        assert_eq!(per_m("claude-opus-4-6"), (5_000_000, 25_000_000));
        assert_eq!(per_m("claude-opus-4-1-20250805"), (15_000_000, 75_000_000));
        assert_eq!(per_m("claude-opus-4-20250514"), (15_000_000, 75_000_000));
        assert_eq!(per_m("claude-3-opus-20240229"), (15_000_000, 75_000_000));
        assert_eq!(per_m("claude-sonnet-4-5-20250929"), (3_000_000, 15_000_000));
        assert_eq!(per_m("claude-3-7-sonnet-20250219"), (3_000_000, 15_000_000));
        assert_eq!(per_m("claude-haiku-4-5-20251001"), (1_000_000, 5_000_000));
        assert_eq!(per_m("claude-3-5-haiku-20241022"), (800_000, 4_000_000));
        assert_eq!(per_m("claude-3-haiku-20240307"), (250_000, 1_250_000));
        assert!(t.lookup("gpt-4o").is_none());
        assert!(!t.checked.is_empty());
    }

    #[test]
    fn override_adds_a_model() {
        let mut t = PriceTable::embedded();
        let o = PriceOverride {
            input: 2.0,
            output: 10.0,
            long_context: false,
            fast: None,
        };
        t.apply_override("claude-new-9", &o).unwrap();
        assert_eq!(
            t.lookup("claude-new-9-20270101").unwrap().input,
            Money(2_000_000)
        );
    }
}
