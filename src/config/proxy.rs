//! The `[proxy]` table: where `--proxy` forwards, and how long it waits on a silent upstream.

use std::time::Duration;

use serde::Deserialize;

use crate::sources::proxy::{DEFAULT_IDLE, DEFAULT_UPSTREAM, Upstream};

/// The `[proxy]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProxyConfig {
    /// The upstream base URL (`https://api.anthropic.com`, or another gateway's).
    pub(crate) upstream: Option<String>,
    /// How long the upstream may stay silent, before it answers or mid-body (`10m`).
    pub(crate) idle_timeout: Option<String>,
}

impl ProxyConfig {
    /// The upstream: `flag` (`--upstream`), else this table's, else the Anthropic API.
    pub(crate) fn upstream(&self, flag: Option<&str>) -> Result<Upstream, String> {
        let (url, name) = match (flag, &self.upstream) {
            (Some(url), _) => (url, "--upstream"),
            (None, Some(url)) => (url.as_str(), "proxy.upstream"),
            (None, None) => (DEFAULT_UPSTREAM, "the default upstream"),
        };
        Upstream::parse(url).map_err(|e| format!("{name}: {e}"))
    }

    /// How long the upstream may stay silent.
    pub(crate) fn idle(&self) -> Result<Duration, String> {
        let Some(text) = &self.idle_timeout else {
            return Ok(DEFAULT_IDLE);
        };
        let d = humantime::parse_duration(text).map_err(|e| format!("proxy.idle_timeout: {e}"))?;
        if d < Duration::from_secs(1) {
            return Err(format!(
                "proxy.idle_timeout: {text} is shorter than a second"
            ));
        }
        Ok(d)
    }

    /// Checks the table (named `proxy.…` in errors).
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.upstream.is_some() {
            self.upstream(None)?;
        }
        self.idle().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_and_bad_values_name_their_key() {
        let c = ProxyConfig {
            upstream: Some("http://127.0.0.1:4000".into()),
            idle_timeout: Some("2s".into()),
        };
        assert_eq!(c.upstream(None).unwrap().display(), "127.0.0.1:4000");
        assert_eq!(
            c.upstream(Some("https://gw.example/a")).unwrap().display(),
            "gw.example/a"
        );
        assert_eq!(c.idle().unwrap(), Duration::from_secs(2));
        assert_eq!(ProxyConfig::default().idle().unwrap(), DEFAULT_IDLE);
        let bad = ProxyConfig {
            upstream: Some("ftp://x".into()),
            idle_timeout: Some("1ms".into()),
        };
        assert!(bad.check().unwrap_err().starts_with("proxy.upstream: "));
        let short = ProxyConfig {
            idle_timeout: Some("1ms".into()),
            ..ProxyConfig::default()
        };
        assert!(short.check().unwrap_err().starts_with("proxy.idle_timeout"));
    }
}
