//! The config file: budgets, price overrides, alarm actions, defaults. Strict: an unknown key or
//! a bad value is an error naming the key and the file.
//!
//! The file-format types here (serde, `deny_unknown_fields`) are kept apart from the runtime
//! types they become ([`Budget`], [`PriceTable`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::aggregate::audit::{AsyncMark, AuditSettings};
use crate::aggregate::{Budget, BudgetFilter, Period, Window, Zone};
use crate::pricing::{Money, PriceOverride, PriceTable};
use crate::usage::Tier;

/// A fully commented example config; `costtop config --sample` prints it.
pub const SAMPLE: &str = include_str!("../data/config.sample.toml");

/// The config file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Default window: 15m, 1h, today, 7d, 30d, month, all.
    pub window: Option<String>,
    /// Time zone for days, hours and budget periods: `local` or an IANA name.
    pub time_zone: Option<String>,
    /// Default theme name.
    pub theme: Option<String>,
    /// Ring the terminal bell on new alarms (default true).
    pub bell: Option<bool>,
    /// URL that receives a JSON POST for every alarm raised.
    pub webhook: Option<String>,
    /// Command run (by `sh -c`) for every alarm raised.
    pub on_alarm: Option<String>,
    /// Command that prints the Anthropic admin key (instead of `ANTHROPIC_ADMIN_KEY`).
    pub admin_key_command: Option<String>,
    /// Admin API base URL.
    pub api_base: Option<String>,
    /// Admin API poll interval, e.g. `60s`.
    pub poll_interval: Option<String>,
    /// Budgets.
    #[serde(default)]
    pub budgets: Vec<BudgetEntry>,
    /// Price overrides and additions, by model id.
    #[serde(default)]
    pub prices: BTreeMap<String, PriceOverride>,
    /// The audit: groups marked async, the routing ladder, the grouping.
    pub audit: Option<AuditEntry>,
}

/// The `[audit]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Groups that are not latency-sensitive, as `key=value` (`feature=nightly-summaries`,
    /// `project=reports`).
    #[serde(rename = "async", default)]
    pub async_groups: Vec<String>,
    /// The routing ladder, most capable model first (model ids of the price table).
    pub ladder: Option<Vec<String>>,
    /// How opportunities are grouped: feature, project, session, model, tag:KEY.
    pub by: Option<String>,
}

/// One `[[budgets]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetEntry {
    /// Name shown on screen and in alarms.
    pub name: String,
    /// `hour`, `day`, `week` or `month`.
    pub period: String,
    /// The limit in USD.
    pub limit_usd: f64,
    /// Fraction of the limit at which to warn (default 0.8).
    pub warn_at: Option<f64>,
    /// Only models matching this glob.
    pub model: Option<String>,
    /// Only this project.
    pub project: Option<String>,
    /// Only this tier: standard, batch, priority.
    pub tier: Option<String>,
    /// Only records with this tag, `key=value`.
    pub tag: Option<String>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Could not read the file.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is invalid or has an unknown key.
    #[error("config {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// The loaded config and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The parsed file (defaults when there is none).
    pub file: ConfigFile,
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
}

/// The default config path: `<config dir>/costtop/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Loads `explicit` (`--config` or `COSTTOP_CONFIG`; must exist), else the default path if it
    /// exists, else defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config = Config::parse(&text, &path)?;
        Ok(config)
    }

    /// Parses and validates config text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let file: ConfigFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let config = Config {
            file,
            path: Some(path.to_path_buf()),
        };
        config.budgets().map_err(invalid)?;
        config.prices().map_err(invalid)?;
        config.window().map_err(invalid)?;
        config.zone().map_err(invalid)?;
        config.audit().map_err(invalid)?;
        if let Some(p) = &config.file.poll_interval {
            humantime::parse_duration(p).map_err(|e| invalid(format!("poll_interval: {e}")))?;
        }
        Ok(config)
    }

    /// The budgets, validated.
    pub fn budgets(&self) -> Result<Vec<Budget>, String> {
        self.file
            .budgets
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let at =
                    |key: &str, msg: String| format!("budgets[{i}] ({}): {key}: {msg}", b.name);
                let period: Period = b.period.parse().map_err(|e| at("period", e))?;
                if !(b.limit_usd.is_finite() && b.limit_usd > 0.0) {
                    return Err(at(
                        "limit_usd",
                        format!("{} is not a positive amount", b.limit_usd),
                    ));
                }
                let warn_at = b.warn_at.unwrap_or(0.8);
                if !(warn_at > 0.0 && warn_at <= 1.0) {
                    return Err(at(
                        "warn_at",
                        format!("{warn_at} is not a fraction in (0, 1]"),
                    ));
                }
                let tier = b
                    .tier
                    .as_deref()
                    .map(parse_tier)
                    .transpose()
                    .map_err(|e| at("tier", e))?;
                let tag = b
                    .tag
                    .as_deref()
                    .map(|t| {
                        t.split_once('=')
                            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                            .ok_or_else(|| format!("{t:?} is not key=value"))
                    })
                    .transpose()
                    .map_err(|e| at("tag", e))?;
                let filter = BudgetFilter::new(b.model.as_deref(), b.project.clone(), tier, tag)
                    .map_err(|e| at("model", e))?;
                Ok(Budget {
                    name: b.name.clone(),
                    period,
                    limit: Money::from_usd(b.limit_usd),
                    warn_at,
                    filter,
                })
            })
            .collect()
    }

    /// The embedded price table with this config's overrides applied.
    pub fn prices(&self) -> Result<PriceTable, String> {
        let mut table = PriceTable::embedded();
        for (id, o) in &self.file.prices {
            table
                .apply_override(id, o)
                .map_err(|e| format!("prices.{id}: {e}"))?;
        }
        Ok(table)
    }

    /// The `[audit]` settings, checked against the price table in force.
    pub fn audit(&self) -> Result<AuditSettings, String> {
        let Some(entry) = &self.file.audit else {
            return Ok(AuditSettings::default());
        };
        let async_groups = entry
            .async_groups
            .iter()
            .enumerate()
            .map(|(i, m)| m.parse().map_err(|e| format!("audit.async[{i}]: {e}")))
            .collect::<Result<Vec<AsyncMark>, String>>()?;
        let group = entry
            .by
            .as_deref()
            .map(|b| b.parse().map_err(|e| format!("audit.by: {e}")))
            .transpose()?
            .unwrap_or_default();
        let settings = AuditSettings {
            ladder: entry.ladder.clone(),
            async_groups,
            group,
        };
        settings.check(&self.prices()?)?;
        Ok(settings)
    }

    /// The configured default window.
    pub fn window(&self) -> Result<Option<Window>, String> {
        self.file
            .window
            .as_deref()
            .map(|w| w.parse().map_err(|e| format!("window: {e}")))
            .transpose()
    }

    /// The configured time zone.
    pub fn zone(&self) -> Result<Option<Zone>, String> {
        self.file
            .time_zone
            .as_deref()
            .map(|z| z.parse().map_err(|e| format!("time_zone: {e}")))
            .transpose()
    }
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    match s {
        "standard" => Ok(Tier::Standard),
        "batch" => Ok(Tier::Batch),
        "priority" => Ok(Tier::Priority),
        _ => Err(format!(
            "unknown tier {s:?} (use standard, batch, priority)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_parses_with_every_section() {
        let c = Config::parse(SAMPLE, Path::new("sample.toml")).unwrap();
        assert!(!c.budgets().unwrap().is_empty());
        assert!(!c.file.prices.is_empty());
        assert!(c.prices().unwrap().lookup("my-fine-tuned-claude").is_some());
        let audit = c.audit().unwrap();
        assert_eq!(audit.async_groups.len(), 2);
        assert_eq!(audit.ladder.map(|l| l.len()), Some(4));
    }

    #[test]
    fn a_bad_audit_section_names_the_key() {
        let msg = Config::parse("[audit]\nasync = [\"nightly\"]\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("audit.async[0]"), "{msg}");
        let msg = Config::parse("[audit]\nby = \"day\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("audit.by"), "{msg}");
    }

    #[test]
    fn unknown_key_is_an_error_naming_key_and_file() {
        let err = Config::parse("windw = \"today\"\n", Path::new("/etc/costtop.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/etc/costtop.toml"), "{msg}");
        assert!(msg.contains("windw"), "{msg}");
    }

    #[test]
    fn bad_budget_value_names_the_budget_and_key() {
        let text = "[[budgets]]\nname = \"team\"\nperiod = \"fortnight\"\nlimit_usd = 10\n";
        let msg = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("budgets[0] (team): period"), "{msg}");
        let text = "[[budgets]]\nname = \"team\"\nperiod = \"day\"\nlimit_usd = -3\n";
        let msg = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("limit_usd"), "{msg}");
    }
}
