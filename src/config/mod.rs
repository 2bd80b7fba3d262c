//! The config file: budgets, price overrides, alarm actions, defaults. Strict: an unknown key or
//! a bad value is an error naming the key and the file.
//!
//! The file-format types here (serde, `deny_unknown_fields`) are kept apart from the runtime
//! types they become ([`Budget`], [`PriceTable`]).

mod org;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::aggregate::{AsyncMark, AuditSettings, Retention};
use crate::budget::Budget;
use crate::pricing::{PriceOverride, PriceTable};
use crate::time::{Window, Zone};
use budgets::BudgetEntry;
pub(crate) use proxy::ProxyConfig;

mod proxy;

/// A fully commented example config; `costtop config --sample` prints it.
pub(crate) const SAMPLE: &str = include_str!("../../data/config.sample.toml");

/// The config file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// Default window: 15m, 1h, today, 7d, 30d, month, all.
    pub(crate) window: Option<String>,
    /// Time zone for days, hours and budget periods: `local` or an IANA name.
    pub(crate) time_zone: Option<String>,
    /// Default theme name.
    pub(crate) theme: Option<String>,
    /// Ring the terminal bell on new alarms (default true).
    pub(crate) bell: Option<bool>,
    /// URL that receives a JSON POST for every alarm raised.
    pub(crate) webhook: Option<String>,
    /// Command run (by `sh -c`) for every alarm raised.
    pub(crate) on_alarm: Option<String>,
    /// Command that prints the Anthropic admin key (instead of `ANTHROPIC_ADMIN_KEY`).
    pub(crate) admin_key_command: Option<String>,
    /// Admin API base URL.
    pub(crate) api_base: Option<String>,
    /// Admin API poll interval, e.g. `60s`.
    pub(crate) poll_interval: Option<String>,
    /// Which usage API `--admin-api` reads: `auto` (the Analytics API, else the legacy
    /// usage report), `analytics` or `legacy`.
    pub(crate) usage_api: Option<String>,
    /// `[spend_limits]`: alarms on the organisation's spend limits.
    pub(crate) spend_limits: Option<SpendLimitsEntry>,
    /// How long (event time) the id of a record without a session (application logs) is
    /// remembered to drop a repeated copy, e.g. `10m`.
    pub(crate) dedupe_horizon: Option<String>,
    /// Budgets.
    #[serde(default)]
    pub(crate) budgets: Vec<BudgetEntry>,
    /// Price overrides and additions, by model id (`[prices."id"]`, or `[[prices."id"]]` for
    /// several dated entries); they win over the built-in and the maintained table.
    #[serde(default)]
    pub(crate) prices: BTreeMap<String, PriceOverride>,
    /// Where `costtop prices --update` fetches the maintained table from.
    pub(crate) prices_url: Option<String>,
    /// Keep the history of counted records (default true; `false` turns it off).
    pub(crate) history: Option<bool>,
    /// Where the history is kept [default: `<data dir>/costtop/history.ledger`].
    pub(crate) history_file: Option<PathBuf>,
    /// `[statusline]`: what `costtop statusline` prints and whom it asks.
    #[serde(default)]
    pub(crate) statusline: StatuslineConfig,
    /// The audit: groups marked async, the routing ladder, the grouping.
    pub(crate) audit: Option<AuditEntry>,
    /// `[proxy]`: where `--proxy` forwards, and its idle timeout.
    #[serde(default)]
    pub(crate) proxy: ProxyConfig,
    /// `[app_log]`: how application logs are read.
    #[serde(default)]
    pub(crate) app_log: AppLogConfig,
    /// `[otlp]`: how the OTLP receiver maps what it receives.
    #[serde(default)]
    pub(crate) otlp: OtlpConfig,
}

/// The `[app_log]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppLogConfig {
    /// How a time written without a zone is read: `utc` (the default) or `local`.
    pub(crate) naive_time: Option<String>,
}

/// The `[otlp]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OtlpConfig {
    /// Span attributes copied to tags (default `feature`, `team`, `user`, `tenant`; every
    /// `costtop.tag.KEY` is copied as `KEY` besides).
    pub(crate) span_tags: Option<Vec<String>>,
}

/// The `[statusline]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatuslineConfig {
    /// The line's template (`{model} {session} {today} {burn} {budget} {cc}`).
    pub(crate) format: Option<String>,
    /// Base URL of a running costtop's listener, asked first; `off` never asks.
    pub(crate) url: Option<String>,
}

/// The `[audit]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditEntry {
    /// Groups that are not latency-sensitive, as `key=value` (`feature=nightly-summaries`,
    /// `project=reports`).
    #[serde(rename = "async", default)]
    pub(crate) async_groups: Vec<String>,
    /// The routing ladder, most capable model first (model ids of the price table).
    pub(crate) ladder: Option<Vec<String>>,
    /// How opportunities are grouped: feature, project, session, model, tag:KEY.
    pub(crate) by: Option<String>,
}

/// The `[spend_limits]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpendLimitsEntry {
    /// Raise `budget_warn` / `budget_exceeded` alarms on them (default true).
    pub(crate) alarms: Option<bool>,
    /// Fraction of a limit at which to warn (default 0.8).
    pub(crate) warn_at: Option<f64>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
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
pub(crate) struct Config {
    /// The parsed file (defaults when there is none).
    pub(crate) file: ConfigFile,
    /// The file it was read from, if any.
    pub(crate) path: Option<PathBuf>,
    /// Why the file's `[prices]` overrides are not used (the file, line and field), if they
    /// are refused: every command then bills on the table it had, and says so.
    pub(crate) prices_refused: Option<String>,
}

/// A TOML error on one line: where, and what (its source excerpt left out).
fn one_line(e: &toml::de::Error) -> String {
    let text = e.to_string();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|'));
    let first = lines.next().unwrap_or_default().to_string();
    match lines.rfind(|l| !l.chars().next().is_some_and(|c| c.is_ascii_digit())) {
        Some(last) if last != first => format!("{first}: {last}"),
        _ => first,
    }
}

/// The config without its `[prices]` table, when only that table keeps it from parsing.
fn without_prices(text: &str) -> Option<ConfigFile> {
    let mut table: toml::Table = toml::from_str(text).ok()?;
    table.remove("prices")?;
    ConfigFile::deserialize(toml::Value::Table(table)).ok()
}

/// The default config path: `<config dir>/costtop/config.toml`.
pub(crate) fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "costtop").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Loads `explicit` (`--config` or `COSTTOP_CONFIG`; must exist), else the default path if it
    /// exists, else defaults.
    pub(crate) fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
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
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let (mut file, mut prices_refused) = match toml::from_str::<ConfigFile>(text) {
            Ok(file) => (file, None),
            Err(e) => match without_prices(text) {
                // The rest of the file is fine: only the overrides are refused.
                Some(file) => (file, Some(format!("{}: {}", path.display(), one_line(&e)))),
                None => return Err(invalid(e.to_string())),
            },
        };
        for o in file.prices.values_mut() {
            o.locate(text);
        }
        // Checked against the built-in table only: parsing never reads the stored update.
        if prices_refused.is_none()
            && let Err(e) =
                PriceTable::embedded().apply_overrides(&file.prices, &path.display().to_string())
        {
            prices_refused = Some(format!("{}: {}", path.display(), e.detail()));
        }
        if let Some(why) = &prices_refused {
            tracing::warn!("{}: [prices] refused: {why}", path.display());
            file.prices.clear();
        }
        let config = Config {
            file,
            path: Some(path.to_path_buf()),
            prices_refused,
        };
        config.budgets().map_err(invalid)?;
        config.window().map_err(invalid)?;
        config.zone().map_err(invalid)?;
        if let Some(format) = &config.file.statusline.format {
            crate::outputs::statusline::Template::parse(format)
                .map_err(|e| invalid(format!("statusline.format: {e}")))?;
        }
        config.audit().map_err(invalid)?;
        if let Some(p) = &config.file.poll_interval {
            humantime::parse_duration(p).map_err(|e| invalid(format!("poll_interval: {e}")))?;
        }
        config.retention().map_err(invalid)?;
        config.file.proxy.check().map_err(invalid)?;
        config.naive_times_local().map_err(invalid)?;
        config.spend_limit_alarms().map_err(invalid)?;
        config.usage_api().map_err(invalid)?;
        Ok(config)
    }

    /// Whether times without a zone are local time (`[app_log] naive_time`).
    pub(crate) fn naive_times_local(&self) -> Result<bool, String> {
        match self.file.app_log.naive_time.as_deref() {
            None | Some("utc" | "UTC") => Ok(false),
            Some("local") => Ok(true),
            Some(other) => Err(format!(
                "app_log.naive_time: {other:?} is neither \"utc\" nor \"local\""
            )),
        }
    }

    /// How the OTLP receiver maps payloads (`[otlp]`).
    pub(crate) fn otlp_mapping(&self) -> crate::sources::otlp::MapOptions {
        let mut options = crate::sources::otlp::MapOptions::default();
        if let Some(keys) = &self.file.otlp.span_tags {
            options.span_tags.clone_from(keys);
        }
        options
    }

    /// How long dedupe keys are remembered (`dedupe_horizon`, else the defaults).
    pub(crate) fn retention(&self) -> Result<Retention, String> {
        let mut r = Retention::default();
        if let Some(h) = &self.file.dedupe_horizon {
            let d = humantime::parse_duration(h).map_err(|e| format!("dedupe_horizon: {e}"))?;
            r.short_keys = chrono::Duration::from_std(d)
                .map_err(|_| format!("dedupe_horizon: {h} is too long"))?;
        }
        Ok(r)
    }

    /// The price table every command bills with: built in, then the maintained table stored
    /// by `costtop prices --update`, then this config's `[prices]` overrides.
    pub(crate) fn prices(&self) -> Result<PriceTable, String> {
        let mut table = crate::pricing::resolve(
            &self.file.prices,
            &self.name(),
            crate::pricing::stored_table_path().as_deref(),
        )
        .map_err(|e| e.to_string())?;
        if let Some(why) = &self.prices_refused {
            table.warnings.push(format!(
                "[prices] overrides not used (billing on the table without them): {why}"
            ));
        }
        Ok(table)
    }

    /// The config file's name for messages (`config` when there is none).
    fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string())
    }

    /// The `[audit]` settings, checked against the price table in force.
    pub(crate) fn audit(&self) -> Result<AuditSettings, String> {
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

    /// The budgets, validated.
    pub(crate) fn budgets(&self) -> Result<Vec<Budget>, String> {
        budgets::budgets(&self.file.budgets)
    }

    /// Where the history is kept, or `None` when the config turns it off.
    pub(crate) fn history_path(&self) -> Option<PathBuf> {
        if self.file.history == Some(false) {
            return None;
        }
        self.file
            .history_file
            .clone()
            .or_else(crate::history::default_path)
    }

    /// The configured default window.
    pub(crate) fn window(&self) -> Result<Option<Window>, String> {
        self.file
            .window
            .as_deref()
            .map(|w| w.parse().map_err(|e| format!("window: {e}")))
            .transpose()
    }

    /// The configured time zone.
    pub(crate) fn zone(&self) -> Result<Option<Zone>, String> {
        self.file
            .time_zone
            .as_deref()
            .map(|z| z.parse().map_err(|e| format!("time_zone: {e}")))
            .transpose()
    }
}

mod budgets;
#[cfg(test)]
mod tests;
