//! The one-shot reading commands' options: `report` and `audit`, what they read
//! ([`ReadArgs`]), and the output [`Format`] they share with `replay`.

use clap::{Args, ValueEnum};

use super::{CommonArgs, parse_per};

/// Output formats of `report` and `replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    /// Aligned text.
    #[default]
    Table,
    /// The JSON snapshot (DESIGN.md §6).
    Json,
    /// Comma-separated rows.
    Csv,
    /// One self-contained HTML page with charts (report and audit only).
    Html,
}

/// What a one-shot command reads: its sources and the records' time range.
#[derive(Debug, Clone, Args)]
pub(crate) struct ReadArgs {
    /// Files, folders, globs [default: the Claude Code folders].
    #[arg(value_name = "SOURCE")]
    pub(crate) sources: Vec<String>,
    /// Only records at or after TIME (date, RFC 3339, or span back from now: 90m, 1h, 7d).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,
    /// Only records before TIME.
    #[arg(long, value_name = "TIME")]
    pub(crate) until: Option<String>,
}

/// `costtop report`
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) read: ReadArgs,
    /// Add rows by model, tier, project, session, actor, api_key, workspace, product,
    /// tag:KEY, hour, day, week (ISO) or month.
    #[arg(long, value_name = "GROUPING")]
    pub(crate) by: Option<crate::snapshot::GroupBy>,
    /// Split the change in spend from period A to period B into volume, mix, cache, batch,
    /// output, input and price (periods: 2026-11, 2026-W47, 2026-11-20, last-week,
    /// this-month, 2026-11-01..2026-11-15, …).
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub(crate) compare: Option<Vec<String>>,
    /// Spend per distinct value of a tag (tag:KEY): cost per document, per ticket, …
    #[arg(long, value_name = "tag:KEY", value_parser = parse_per)]
    pub(crate) per: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Also read Anthropic's Admin Usage API and reconcile with its cost report.
    #[arg(long)]
    pub(crate) admin_api: bool,
    /// Admin API base URL.
    #[arg(long, value_name = "URL")]
    pub(crate) api_base: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
}

/// `costtop audit`
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) read: ReadArgs,
    /// Group opportunities by feature (tag, else project), project, session, model, actor,
    /// api_key, workspace, product or tag:KEY [default: feature, or the config's `[audit] by`].
    #[arg(long, value_name = "GROUPING")]
    pub(crate) by: Option<crate::snapshot::AuditGroup>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) common: CommonArgs,
}
