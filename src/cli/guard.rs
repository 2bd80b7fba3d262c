//! The guard rails' and the memory's options: `check`, `hook`, `history`.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, ValueEnum};

use super::common::CommonArgs;
use crate::budget::Scope;

/// Whose spend the `--budget` flags of `check` hold to their limit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum ScopeArg {
    /// All usage, a project's or a session's.
    #[default]
    All,
    /// The current project's (`--project`, else the working folder).
    Project,
    /// The current session's (`--session`, else the newest one).
    Session,
    /// Usage carrying this tag.
    Tag(String, String),
}

impl FromStr for ScopeArg {
    type Err = String;
    fn from_str(s: &str) -> Result<ScopeArg, String> {
        if let Some(tag) = s.strip_prefix("tag:") {
            return match tag.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    Ok(ScopeArg::Tag(k.trim().to_owned(), v.trim().to_owned()))
                }
                _ => Err(format!("{s:?} is not tag:KEY=VALUE")),
            };
        }
        Ok(match s.parse::<Scope>() {
            Ok(Scope::All) => ScopeArg::All,
            Ok(Scope::Project) => ScopeArg::Project,
            Ok(Scope::Session) => ScopeArg::Session,
            Err(_) => {
                return Err(format!(
                    "unknown scope {s:?} (use all, project, session, tag:KEY=VALUE)"
                ));
            }
        })
    }
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum CheckFormat {
    /// One line: the budget that decides the exit code.
    #[default]
    Text,
    /// Every budget, as JSON.
    Json,
}

/// Where `check` and `hook` find their figures.
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct FiguresArgs {
    /// Listener of a running costtop, asked first; `off` reads the files only
    /// [default: http://127.0.0.1:9871].
    #[arg(long, env = "COSTTOP_URL", value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Also judge the organisation's spend limits (Anthropic's period-to-date spend): from a
    /// running `costtop --admin-api`, else read once with the admin key (ANTHROPIC_ADMIN_KEY
    /// or admin_key_command).
    #[arg(long)]
    pub(crate) admin_api: bool,
    /// Admin API base URL [default: the config's api_base, else https://api.anthropic.com].
    #[arg(long, value_name = "URL", requires = "admin_api")]
    pub(crate) api_base: Option<String>,
}

/// `costtop check`
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files, folders, globs [default: the Claude Code folders and the history].
    #[arg(value_name = "SOURCE")]
    pub(crate) sources: Vec<String>,
    /// Whose spend the --budget flags hold: all, project (the current one), session (the
    /// current one) or tag:KEY=VALUE.
    #[arg(long, value_name = "SCOPE", default_value = "all")]
    pub(crate) scope: ScopeArg,
    /// The current project, for budgets per project [default: the working folder].
    #[arg(long, value_name = "PATH")]
    pub(crate) project: Option<String>,
    /// The current session, for budgets per session [default: the newest session read].
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub(crate) format: CheckFormat,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) figures: FiguresArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
}

/// `costtop hook`
#[derive(Debug, Clone, Args)]
pub struct HookArgs {
    /// Print the settings.json snippet that installs this hook (with these options), and exit.
    #[arg(long)]
    pub(crate) print_settings: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) figures: FiguresArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
}

/// `costtop history`
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Write every record it holds to FILE (`-`: stdout) in the application-log format.
    #[arg(long, value_name = "FILE", conflicts_with = "prune_before")]
    pub(crate) export: Option<PathBuf>,
    /// Drop every record before TIME (a date, RFC 3339, or a span back from now: 400d).
    #[arg(long, value_name = "TIME")]
    pub(crate) prune_before: Option<String>,
    /// Config file [default: <config dir>/costtop/config.toml].
    #[arg(long, env = "COSTTOP_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Time zone for the dates shown and --prune-before (IANA name or `local`).
    #[arg(long, value_name = "ZONE")]
    pub(crate) tz: Option<crate::time::Zone>,
}
