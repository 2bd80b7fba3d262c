//! The proxy's options (`--proxy`, `--upstream`), shared by the dashboard, `watch` and
//! `serve`.

use std::net::SocketAddr;

use clap::Args;

use super::parse_listen;

/// The Anthropic API proxy (dashboard, watch, serve).
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct ProxyArgs {
    /// Proxy the Anthropic API on ADDR and count every request that passes: set an
    /// application's ANTHROPIC_BASE_URL to it (127.0.0.1:9872 when given alone; PORT alone is
    /// on loopback; another host needs --listen-token-file or --insecure-listen).
    #[arg(
        long,
        value_name = "ADDR",
        value_parser = parse_listen,
        num_args = 0..=1,
        default_missing_value = "127.0.0.1:9872"
    )]
    pub(crate) proxy: Option<SocketAddr>,
    /// Where the proxy forwards [default: the config's [proxy] upstream, else
    /// https://api.anthropic.com].
    #[arg(long, value_name = "URL", requires = "proxy")]
    pub(crate) upstream: Option<String>,
}
