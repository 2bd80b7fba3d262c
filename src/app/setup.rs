//! What every command sets up from its flags and the config file: the config, the time zone,
//! the aggregator's settings, time flags, the sources found, the screen options.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use crate::aggregate::Settings;
use crate::budget::Budget;
use crate::cli::{CommonArgs, parse_time};
use crate::config::Config;
use crate::sources::{self, Discovery};
use crate::time::{Window, Zone};

/// The config file named by the flags (or the default one).
pub(crate) fn load_config(common: &CommonArgs) -> Result<Config> {
    let config = Config::load(common.config.as_deref())?;
    crate::parse::read_naive_times_as_local(config.naive_times_local().unwrap_or(false));
    crate::sources::otlp::set_map_options(config.otlp_mapping());
    Ok(config)
}

/// Aggregator settings from the config file and the flags (flags win).
pub(crate) fn settings(
    config: &Config,
    common: &CommonArgs,
    window: Option<Window>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Settings> {
    let fail = |e: String| anyhow::anyhow!("{}: {e}", config_name(config));
    let mut budgets = config.budgets().map_err(fail)?;
    budgets.extend(
        common
            .budget
            .iter()
            .map(|(p, usd)| Budget::simple(*p, *usd)),
    );
    // Its errors name the file and line themselves.
    let prices = config.prices().map_err(anyhow::Error::msg)?;
    for w in &prices.warnings {
        eprintln!("costtop: {w}");
    }
    Ok(Settings {
        prices,
        zone: zone(config, common)?,
        window: window
            .or(config.window().map_err(fail)?)
            .unwrap_or_default(),
        since,
        until,
        budgets,
        counters: None,
        retention: config.retention().map_err(fail)?,
        audit: config.audit().map_err(fail)?,
        spend_limits: config.spend_limit_alarms().map_err(fail)?,
        compare: None,
        per: None,
        spend_over_time: false,
    })
}

/// The time zone: `--tz`, else the config's, else local.
pub(crate) fn zone(config: &Config, common: &CommonArgs) -> Result<Zone> {
    let fail = |e: String| anyhow::anyhow!("{}: {e}", config_name(config));
    Ok(common
        .tz
        .or(config.zone().map_err(fail)?)
        .unwrap_or_default())
}

fn config_name(config: &Config) -> String {
    config.path.as_ref().map_or_else(
        || "config".to_string(),
        |p| format!("config {}", p.display()),
    )
}

/// Parses an optional time flag.
pub(crate) fn time_flag(
    value: Option<&str>,
    zone: Zone,
    flag: &str,
) -> Result<Option<DateTime<Utc>>> {
    value
        .map(|v| parse_time(v, Utc::now(), zone).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
        .transpose()
}

/// Resolves SOURCE arguments, printing the ones that failed; fails when none is usable.
pub(crate) fn discover_or_explain(args: &[String]) -> Result<Discovery> {
    let discovery = sources::discover(args);
    for e in &discovery.errors {
        eprintln!("costtop: {e}");
    }
    if discovery.sources.is_empty() {
        if args.is_empty() {
            bail!(
                "no usage logs to read. Looked in: {}.\n\
                 Pass files or folders (costtop PATH...), or try `costtop demo`.",
                sources::default_locations()
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        bail!("none of the sources could be read");
    }
    Ok(discovery)
}

/// Sources of a command: with `--admin-api` (or a history to read) and no SOURCE, the Claude
/// Code folders are used only when they exist (the API, or the history, alone is enough).
pub(crate) fn discover_live(args: &[String], admin_api: bool) -> Result<Discovery> {
    if admin_api && args.is_empty() {
        let found = sources::discover(args);
        return Ok(Discovery {
            sources: found.sources,
            errors: Vec::new(),
        });
    }
    discover_or_explain(args)
}

/// Default history start of the live commands: the start of the month.
pub(crate) fn live_since(value: Option<&str>, zone: Zone) -> Result<DateTime<Utc>> {
    Ok(time_flag(value, zone, "since")?.unwrap_or_else(|| zone.start_of_month(Utc::now())))
}

/// Prints the theme names when `--list-themes` was given; returns whether it did.
pub(crate) fn list_themes_if_asked(ui: &crate::cli::UiArgs) -> bool {
    if ui.list_themes {
        for name in crate::ui::list_themes() {
            println!("{name}");
        }
    }
    ui.list_themes
}

/// Screen options from the flags and the config; fails on a bad theme (naming file and role).
pub(crate) fn ui_options(ui: &crate::cli::UiArgs, config: &Config) -> Result<crate::ui::UiOptions> {
    let mut opts = crate::ui::UiOptions::default();
    if let Some(theme) = ui.theme.clone().or_else(|| config.file.theme.clone()) {
        opts.theme = theme;
    }
    crate::ui::Theme::select(&opts.theme, opts.no_color)?;
    if ui.no_bell || config.file.bell == Some(false) {
        opts.bell = crate::ui::Bell::Off;
    }
    Ok(opts)
}
