//! The command line: subcommands, options, and parsing of times, spans and budgets.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::time::Window;

mod common;
mod guard;
mod parse;
mod proxy;
pub use common::CommonArgs;
pub use guard::{CheckArgs, HistoryArgs, HookArgs};
pub(crate) use guard::{CheckFormat, FiguresArgs, ScopeArg};
pub(crate) use parse::{parse_duration, parse_listen, parse_time};
pub(crate) use proxy::ProxyArgs;
mod report;
mod span;
pub(crate) use report::Format;
pub use report::{AuditArgs, ReportArgs};
pub(crate) use span::{parse_per, parse_span};

/// Live cost monitor for Claude API usage, in the terminal.
///
/// With no subcommand, opens the dashboard over SOURCEs (files, folders, globs, `-` for stdin;
/// default: the Claude Code folders).
#[derive(Debug, Parser)]
#[command(name = "costtop", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: the live dashboard).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Dashboard options (when no subcommand is given).
    #[command(flatten)]
    pub(crate) live: LiveArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dashboard over a built-in simulated organisation (try this first).
    Demo(DemoArgs),
    /// One-shot summary of recorded usage.
    Report(ReportArgs),
    /// The four levers in dollars: where a cost review would save (estimates).
    Audit(AuditArgs),
    /// Headless: one JSON snapshot per line every --interval.
    Watch(WatchArgs),
    /// Headless daemon: the HTTP listener only (/metrics, JSON snapshot, OTLP receiver).
    Serve(ServeArgs),
    /// Replay recorded logs for a postmortem.
    Replay(ReplayArgs),
    /// Dashboard of a running costtop (serve, or --listen), drawn from its listener's stream.
    Attach(AttachArgs),
    /// Print the sample config or the config path.
    Config(ConfigArgs),
    /// One short line for Claude Code's statusLine (reads its status JSON on stdin).
    Statusline(StatuslineArgs),
    /// Am I over budget? Exit 0 under every budget, 1 at a warning, 2 over, 3 if unknown.
    Check(CheckArgs),
    /// Answers Claude Code's hooks: warns near a budget, blocks prompts over it.
    Hook(HookArgs),
    /// The history of counted records: its size and range; --export, --prune-before.
    History(HistoryArgs),
    /// The price table in force, or how one model id is priced; --update fetches a newer one.
    Prices(PricesArgs),
    /// Shell completions on stdout: bash, zsh, fish, elvish or powershell.
    Completions(CompletionsArgs),
    /// The man page on stdout, or one page per subcommand with --out DIR.
    Man(ManArgs),
}

/// Options of the live commands (dashboard, watch, demo).
#[derive(Debug, Clone, Args, Default)]
pub struct FollowArgs {
    /// Read history from this time: a date (2026-11-01), RFC 3339, or a span back from now
    /// (90m, 1h, 7d) [default: start of the month].
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Window the totals and panes show: 15m, 1h, today, 7d, 30d, month, all [default: today].
    #[arg(long, value_name = "WINDOW")]
    pub window: Option<Window>,
    /// POST every alarm as JSON to this URL (Slack-compatible).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Run this command for every alarm (gets COSTTOP_ALARM_* variables).
    #[arg(long, value_name = "CMD")]
    pub on_alarm: Option<String>,
    /// Append every usage record counted to FILE (application log format), for replay.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Also poll Anthropic's Admin Usage API (key from ANTHROPIC_ADMIN_KEY).
    #[arg(long)]
    pub admin_api: bool,
    /// Admin API base URL.
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// Admin API poll interval (minimum 10s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll_interval: Option<Duration>,
}

/// Options of the screens (dashboard, demo, replay).
#[derive(Debug, Clone, Args, Default)]
pub struct UiArgs {
    /// Colour theme: dark, light, high-contrast, colorblind, or a file name in <config>/themes.
    #[arg(long, value_name = "NAME")]
    pub(crate) theme: Option<String>,
    /// List the available themes and exit.
    #[arg(long)]
    pub(crate) list_themes: bool,
    /// Do not ring the terminal bell on new alarms.
    #[arg(long)]
    pub(crate) no_bell: bool,
}

/// `costtop [SOURCE]...`
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct LiveArgs {
    /// Files, folders, globs or `-` (stdin) [default: the Claude Code folders].
    #[arg(value_name = "SOURCE")]
    pub(crate) sources: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) follow: FollowArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) listen: ListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) proxy: ProxyArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) ui: UiArgs,
}

/// Options of the HTTP listener (dashboard, watch, serve).
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct ListenArgs {
    /// Serve /metrics, the JSON snapshot and an OTLP/HTTP receiver on ADDR (127.0.0.1:9871;
    /// PORT alone is on loopback; port 0 picks a free one) [serve: 127.0.0.1:9871].
    #[arg(long, value_name = "ADDR", value_parser = parse_listen)]
    pub(crate) listen: Option<SocketAddr>,
    /// File holding the bearer token requests must send (`Authorization: Bearer …`);
    /// required for a non-loopback --listen.
    #[arg(long, value_name = "FILE")]
    pub(crate) listen_token_file: Option<PathBuf>,
    /// Allow a non-loopback --listen without a token (anyone who can reach it may read and send).
    #[arg(long)]
    pub(crate) insecure_listen: bool,
    /// Add this tag as a label to the /metrics counters (repeatable; 500 series per metric,
    /// the rest fold into `other`).
    #[arg(long, value_name = "KEY")]
    pub(crate) metrics_label: Vec<String>,
}

/// `costtop demo`
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Simulated seconds per real second (150: a simulated day in ~10 minutes).
    #[arg(long, default_value_t = 150.0)]
    pub speed: f64,
    /// Seed of the simulation (same seed, same story).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub follow: FollowArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ui: UiArgs,
}

/// `costtop watch`
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Files, folders, globs or `-` [default: the Claude Code folders].
    #[arg(value_name = "SOURCE")]
    pub(crate) sources: Vec<String>,
    /// Time between snapshots (200ms, 1s, 5s, 1m).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub(crate) interval: Duration,
    /// Print the state once the history is read, then exit.
    #[arg(long)]
    pub(crate) once: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) follow: FollowArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) listen: ListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) proxy: ProxyArgs,
}

/// `costtop serve`
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Files, folders, globs or `-` [default: the Claude Code folders, when they exist].
    #[arg(value_name = "SOURCE")]
    pub(crate) sources: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) follow: FollowArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) listen: ListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) proxy: ProxyArgs,
}

/// `costtop replay`
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// Recorded logs: files, folders, globs.
    #[arg(value_name = "SOURCE", required = true)]
    pub(crate) sources: Vec<String>,
    /// Playback speed: a factor (60 = one minute per second) or `max`.
    #[arg(long, default_value = "60")]
    pub(crate) speed: String,
    /// Start of the replay (default: the first record).
    #[arg(long, value_name = "TIME")]
    pub(crate) from: Option<String>,
    /// End of the replay (default: the last record).
    #[arg(long, value_name = "TIME")]
    pub(crate) to: Option<String>,
    /// Open paused at this moment (or, with --format json, print the snapshot at it).
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// With --format json: print one snapshot per step from --from to --to.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) every: Option<Duration>,
    /// Headless output instead of the screen.
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    /// Window the totals and panes show.
    #[arg(long, value_name = "WINDOW")]
    pub(crate) window: Option<Window>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) ui: UiArgs,
}

/// `costtop attach`
#[derive(Debug, Clone, Args)]
pub struct AttachArgs {
    /// The running costtop's listener, e.g. http://costtop.internal:9871 (http:// assumed).
    #[arg(value_name = "URL")]
    pub(crate) url: String,
    /// File holding the listener's bearer token (its --listen-token-file); COSTTOP_TOKEN may
    /// hold the token itself instead.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// Window to show first: 15m, 1h, today, 7d, 30d, month, all [default: the server's].
    #[arg(long, value_name = "WINDOW")]
    pub(crate) window: Option<Window>,
    /// Config file, for the theme and bell [default: <config dir>/costtop/config.toml].
    #[arg(long, env = "COSTTOP_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) ui: UiArgs,
}

/// `costtop statusline`
#[derive(Debug, Clone, Args)]
pub struct StatuslineArgs {
    /// The line's template; placeholders {model} {session} {today} {burn} {budget} {cc}
    /// [default: "{model} · session {session} · today {today} · {burn} · {budget}"].
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) format: Option<String>,
    /// Listener of a running costtop, asked first; `off` reads the transcripts only
    /// [default: http://127.0.0.1:9871].
    #[arg(long, env = "COSTTOP_URL", value_name = "URL")]
    pub(crate) url: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
}

/// `costtop config`
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Print a fully commented example config.
    #[arg(long)]
    pub(crate) sample: bool,
    /// Print where the config file is looked for.
    #[arg(long)]
    pub(crate) path: bool,
}

/// Output formats of `prices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum PricesFormat {
    /// Aligned text.
    #[default]
    Table,
    /// JSON.
    Json,
}

/// `costtop prices`
#[derive(Debug, Clone, Args)]
pub struct PricesArgs {
    /// A model id as logged: how it normalises, and which prices it gets or why none.
    #[arg(value_name = "MODEL-ID")]
    pub(crate) model: Option<String>,
    /// Prices in force at TIME: a date (00:00 UTC) or RFC 3339 [default: now].
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PricesFormat::Table)]
    pub(crate) format: PricesFormat,
    /// Fetch the project's maintained price table, check it, and store it for later runs.
    #[arg(long, conflicts_with_all = ["model", "at"])]
    pub(crate) update: bool,
    /// Where --update fetches from: an https:// URL or a file [default: the config's
    /// prices_url, else the project's published table].
    #[arg(long, value_name = "URL|FILE", requires = "update")]
    pub(crate) from: Option<String>,
    /// Config file [default: <config dir>/costtop/config.toml].
    #[arg(long, env = "COSTTOP_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// `costtop completions`
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `costtop man`
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write costtop.1 and one page per subcommand (costtop-report.1, …) into DIR instead.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
