//! `costtop check`: where every budget stands, as an exit code (0 under every budget, 1 at a
//! warning, 2 over a limit, 3 when costtop could not tell) and one line or JSON. It asks a
//! running costtop first ([`remote`]), else reads the files through the ledger ([`local`]);
//! with `--admin-api` the organisation's spend limits stand beside the budgets ([`org`]).
//! `costtop hook` judges the same way.

mod local;
mod org;
mod remote;

use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::Utc;

use super::keep::history_path;
use super::setup::{load_config, settings};
use super::statusline::is_off;
use crate::budget::{BudgetFilter, Scope, Standing};
use crate::cli::{CheckArgs, CheckFormat, CommonArgs, FiguresArgs, ScopeArg};
use crate::outputs::check;
use crate::pricing::PriceTable;
use crate::sources::admin_api::AdminOptions;
pub(crate) use local::Question;
use org::OrgAsk;

/// Where a running costtop listens unless `--url`, `COSTTOP_URL` or the config say otherwise.
const DEFAULT_URL: &str = super::statusline::DEFAULT_URL;

/// What the budgets were judged on, and how they stand.
#[derive(Debug, Default)]
pub(crate) struct Judged {
    /// Every budget's standing.
    pub(crate) standings: Vec<Standing>,
    /// `listener`, `files` or `admin-api` (only the org's limits, read from the API).
    pub(crate) source: &'static str,
    /// What could not be read.
    pub(crate) problems: Vec<String>,
    /// Nothing at all could be read.
    pub(crate) read_nothing: bool,
}

/// The budgets of the config and the flags, with the price table, for `check` and `hook`:
/// the `--budget` flags hold `scope`'s spend; `--admin-api` adds the org's spend limits.
pub(crate) fn question(
    common: &CommonArgs,
    sources: &[String],
    scope: &ScopeArg,
    figures: &FiguresArgs,
) -> Result<(Question, PriceTable, Option<String>)> {
    let config = load_config(common)?;
    let mut settings = settings(&config, common, None, None, None)?;
    let from_flags = settings.budgets.len() - common.budget.len();
    for b in &mut settings.budgets[from_flags..] {
        match scope {
            ScopeArg::All => {}
            ScopeArg::Project => b.scope = Scope::Project,
            ScopeArg::Session => b.scope = Scope::Session,
            ScopeArg::Tag(k, v) => {
                b.filter = BudgetFilter::new(None, None, None, Some((k.clone(), v.clone())))
                    .map_err(anyhow::Error::msg)?;
            }
        }
    }
    let org = if figures.admin_api {
        Some(OrgAsk {
            api_base: figures
                .api_base
                .clone()
                .or_else(|| config.file.api_base.clone())
                .unwrap_or_else(|| AdminOptions::default().api_base),
            key_command: config.file.admin_key_command.clone(),
            warn_at: config
                .spend_limit_alarms()
                .map_err(anyhow::Error::msg)?
                .warn_at,
        })
    } else {
        None
    };
    if settings.budgets.is_empty() && org.is_none() {
        bail!(
            "no budget to check: give --budget PERIOD=USD, add [[budgets]] to the config, \
             or judge the org's spend limits with --admin-api"
        );
    }
    let question = Question {
        budgets: settings.budgets,
        zone: settings.zone,
        sources: sources.to_vec(),
        history: history_path(&config, sources),
        org,
        ..Question::default()
    };
    let url = config.file.statusline.url.clone();
    Ok((question, settings.prices, url))
}

/// Judges `question` now: asks the costtop at `url` first (unless `off`), else the files;
/// then the org's spend limits, when asked for.
pub(crate) async fn judge(question: &Question, table: &PriceTable, url: &str) -> Judged {
    let now = Utc::now();
    let remote = if !is_off(url) && question.sources.is_empty() {
        remote::ask(url, &question.budgets, question.zone, now).await
    } else {
        None
    };
    let remote = remote.unwrap_or_default();
    let mut judged = if question.budgets.is_empty() {
        Judged::default()
    } else if let Some(standings) = remote.budgets {
        Judged {
            standings,
            source: "listener",
            ..Judged::default()
        }
    } else {
        let answer = local::judge(question, table, now);
        Judged {
            standings: answer.standings,
            source: "files",
            problems: answer.problems,
            read_nothing: answer.read_nothing,
        }
    };
    if let Some(ask) = &question.org {
        let org = org::judge(ask, &remote.spend_limits, now).await;
        judged.problems.extend(org.problems);
        if judged.source.is_empty() {
            judged.source = org.source;
        }
        // Nothing to read makes the budgets unknown, not the whole answer.
        if judged.read_nothing && !org.standings.is_empty() {
            for s in &mut judged.standings {
                s.state = None;
                s.unknown = Some("nothing to read (no transcripts, no history)".to_owned());
            }
            judged.read_nothing = false;
        }
        judged.standings.extend(org.standings);
    }
    judged
}

/// The URL `--url`, else the config's `[statusline] url`, else the default.
pub(crate) fn url(flag: Option<&String>, config: Option<String>) -> String {
    flag.cloned()
        .or(config)
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

pub(super) async fn run_check(args: CheckArgs) -> Result<ExitCode> {
    let mut zone = crate::time::Zone::default();
    let judged = match question(&args.common, &args.sources, &args.scope, &args.figures) {
        Ok((mut q, table, config_url)) => {
            q.project = args.project.clone().or_else(local::working_folder);
            q.session.clone_from(&args.session);
            zone = q.zone;
            let url = url(args.figures.url.as_ref(), config_url);
            Ok(judge(&q, &table, &url).await)
        }
        Err(e) => Err(e),
    };
    let judged = match judged {
        Ok(j) if j.read_nothing => Err(anyhow::anyhow!(
            "nothing to read: no Claude Code transcripts and no history (name SOURCEs?)"
        )),
        // Only the org's limits were asked for, and none could be judged.
        Ok(j) if j.standings.is_empty() => Err(anyhow::anyhow!(if j.problems.is_empty() {
            "the organisation has no spend limit to judge".to_owned()
        } else {
            j.problems.join("; ")
        })),
        other => other,
    };
    let code = match &judged {
        Err(e) => {
            let text = match args.format {
                CheckFormat::Json => check::error_json(&format!("{e:#}")),
                CheckFormat::Text => format!("unknown: {}", one_line(&format!("{e:#}"))),
            };
            let _ = crate::outputs::emit(&format!("{text}\n"));
            check::UNKNOWN
        }
        Ok(j) => {
            for p in &j.problems {
                eprintln!("costtop: {p}");
            }
            let text = match args.format {
                CheckFormat::Json => check::json(&j.standings, j.source, &j.problems),
                CheckFormat::Text => check::deciding(&j.standings)
                    .map(|s| check::line(s, zone))
                    .unwrap_or_default(),
            };
            let _ = crate::outputs::emit(&format!("{text}\n"));
            check::exit_code(&j.standings)
        }
    };
    Ok(ExitCode::from(code))
}

/// A message on one line: its first line, and its last when they differ (a TOML error's
/// excerpt between them is left out).
fn one_line(message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| {
        !l.is_empty()
            && !l.starts_with('|')
            && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
    });
    let first = lines.next().unwrap_or_default();
    match lines.next_back() {
        Some(last) if last != first => format!("{first}: {last}"),
        _ => first.to_owned(),
    }
}
