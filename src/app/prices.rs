//! `costtop prices`: show the table in force or explain one id; `--update` fetches the
//! project's maintained table (HTTPS, or a file), validates it fully and stores it, so the
//! prices can follow Anthropic's without a new release. A broken or older table changes
//! nothing.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;

use crate::cli::{PricesArgs, PricesFormat, parse_time};
use crate::config::Config;
use crate::outputs::emit;
use crate::outputs::prices::{self, explain};
use crate::pricing::{PriceTable, check_update, store_update, stored_table_path};

/// Where the project publishes its maintained table (the default of `--update`).
pub(crate) const DEFAULT_PRICES_URL: &str =
    "https://raw.githubusercontent.com/costtop/costtop/main/data/prices.toml";

/// The largest table `--update` accepts (the built-in one is ~10 KB).
const MAX_TABLE_BYTES: usize = 1 << 20;

pub(super) async fn run_prices(args: PricesArgs) -> Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    if args.update {
        return update(&args, &config).await;
    }
    let table = config.prices().map_err(anyhow::Error::msg)?;
    let utc: crate::time::Zone = "UTC".parse().map_err(anyhow::Error::msg)?;
    let at = args
        .at
        .as_deref()
        .map(|s| parse_time(s, Utc::now(), utc).map_err(|e| anyhow!("--at: {e}")))
        .transpose()?;
    let text = match (&args.model, args.format) {
        (None, PricesFormat::Table) => prices::render_table(&prices::view(&table, at)),
        (None, PricesFormat::Json) => prices::render_json(&prices::view(&table, at)),
        (Some(id), format) => {
            let e = explain::explain(&table, id, at.unwrap_or_else(Utc::now));
            match format {
                PricesFormat::Table => explain::render(&e),
                PricesFormat::Json => prices::render_json(&e),
            }
        }
    };
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    emit(&format!("{text}{newline}"))?;
    Ok(ExitCode::SUCCESS)
}

async fn update(args: &PricesArgs, config: &Config) -> Result<ExitCode> {
    let from = args
        .from
        .clone()
        .or_else(|| config.file.prices_url.clone())
        .unwrap_or_else(|| DEFAULT_PRICES_URL.to_string());
    let path = stored_table_path().context("this system has no data directory to store it in")?;
    let text = fetch(&from)
        .await
        .with_context(|| format!("prices not updated: cannot fetch {from}"))?;
    let builtin = PriceTable::embedded();
    let table =
        check_update(&text, &from, &builtin).map_err(|e| anyhow!("prices not updated: {e}"))?;
    if let Ok(stored) = std::fs::read_to_string(&path)
        && let Ok(current) = check_update(&stored, &path.display().to_string(), &builtin)
        && table.checked < current.checked
    {
        bail!(
            "prices not updated: {from} (checked {}) is older than the stored table (checked {})",
            table.checked,
            current.checked
        );
    }
    store_update(&text, &path).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "Stored the price table from {from} (checked {}, {} model ids) at {}.\n\
         It now takes precedence over the built-in table (checked {}); `costtop prices` \
         shows it. Config [prices] overrides still win over both.",
        table.checked,
        table.entries().len(),
        path.display(),
        builtin.checked
    );
    Ok(ExitCode::SUCCESS)
}

/// The text at `from`: an `https://` URL (plain `http://` only to a loopback address, for
/// tests), or a file.
async fn fetch(from: &str) -> Result<String> {
    if !from.contains("://") {
        return std::fs::read_to_string(from).map_err(Into::into);
    }
    let url = reqwest::Url::parse(from)?;
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => bail!("plain http is refused (only loopback, for tests): use https"),
        other => bail!("unsupported scheme {other}: use https or a file path"),
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .user_agent(concat!("costtop/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let mut response = client.get(url).send().await?.error_for_status()?;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_TABLE_BYTES {
            bail!("more than {MAX_TABLE_BYTES} bytes: not a price table");
        }
    }
    String::from_utf8(body).context("not UTF-8 text")
}
