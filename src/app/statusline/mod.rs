//! `costtop statusline`: reads Claude Code's status JSON on stdin and prints one line. It asks
//! a running costtop first ([`remote`]); otherwise it reads only the transcripts the line
//! needs, through the ledger ([`local`]). Whatever goes wrong, it prints a short line and
//! exits 0, so Claude Code's screen stays clean.

mod input;
mod local;
mod remote;

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use chrono::Utc;

use super::keep::configured_history;
use super::setup::{load_config, settings};
use crate::cli::StatuslineArgs;
use crate::outputs::statusline::{DEFAULT_TEMPLATE, Figures, Template, nearest_budget};
pub(crate) use input::StatusInput;
pub(crate) use remote::snapshot;

/// Where a running costtop listens unless `--url`, `COSTTOP_URL` or the config say otherwise.
pub(crate) const DEFAULT_URL: &str = "http://127.0.0.1:9871";

/// Most of stdin read: Claude Code's status JSON is about a kilobyte.
const MAX_INPUT: u64 = 1024 * 1024;

/// Longest fallback message shown.
const MAX_MESSAGE: usize = 100;

/// Prints the line (or a short fallback) and succeeds, whatever happened.
pub(super) async fn run_statusline(args: StatuslineArgs) -> Result<ExitCode> {
    let line = match line(&args).await {
        Ok(line) => line,
        Err(e) => fallback(&e),
    };
    // A closed stdout is Claude Code's business; nothing to report.
    let _ = crate::outputs::emit(&format!("{line}\n"));
    Ok(ExitCode::SUCCESS)
}

async fn line(args: &StatuslineArgs) -> Result<String> {
    let config = load_config(&args.common)?;
    let format = args
        .format
        .clone()
        .or_else(|| config.file.statusline.format.clone())
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
    let template = Template::parse(&format)?;
    let input = StatusInput::parse(&read_stdin(MAX_INPUT)?)?;
    let settings = settings(&config, &args.common, None, None, None)?;
    let needs = template.needs();
    let mut figures = Figures {
        model: input.model.clone().unwrap_or_else(|| "Claude".to_owned()),
        claude_estimate: input.claude_estimate,
        ..Figures::default()
    };
    let url = args
        .url
        .clone()
        .or_else(|| config.file.statusline.url.clone())
        .unwrap_or_else(|| DEFAULT_URL.to_owned());
    let asked = if (needs.history || needs.session) && !is_off(&url) {
        remote::ask(&url, input.session_id.as_deref()).await
    } else {
        None
    };
    let mut local_needs = needs;
    if let Some(remote) = asked {
        figures.today = Some(remote.today);
        figures.burn_per_hour = Some(remote.burn_per_hour);
        figures.budget = nearest_budget(remote.budgets);
        figures.session = remote.session;
        local_needs.history = false;
        local_needs.session &= figures.session.is_none();
    }
    if local_needs.history || local_needs.session {
        let history = configured_history(&config);
        let found = local::figures(
            &input,
            local_needs,
            &settings,
            history.as_deref(),
            Utc::now(),
        );
        if local_needs.session {
            figures.session = found.session;
        }
        if local_needs.history {
            figures.today = found.today;
            figures.burn_per_hour = found.burn_per_hour;
            figures.budget = nearest_budget(found.budgets);
        }
    }
    Ok(template.render(&figures))
}

/// Whether `url` says not to ask a running costtop (`off`, `none` or nothing).
pub(crate) fn is_off(url: &str) -> bool {
    matches!(url.trim(), "" | "off" | "none")
}

/// Stdin, at most `limit` bytes; a terminal (nobody piping JSON) counts as empty.
pub(crate) fn read_stdin(limit: u64) -> Result<Vec<u8>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("cannot read stdin: {e}"))?;
    Ok(bytes)
}

/// `costtop: <reason>`, on one short line.
fn fallback(error: &anyhow::Error) -> String {
    let message = error.to_string();
    let mut first = message.lines().next().unwrap_or_default().to_owned();
    if first.chars().count() > MAX_MESSAGE {
        first = first.chars().take(MAX_MESSAGE - 1).collect::<String>() + "…";
    }
    format!("costtop: {first}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_status_input_is_a_short_reason_never_a_panic() {
        for bad in [&b""[..], b"  \n", b"{", b"[1,2]", b"\xff\xfe", b"null"] {
            let err = StatusInput::parse(bad).unwrap_err();
            let line = fallback(&err);
            assert!(line.starts_with("costtop: "), "{line}");
            assert!(!line.contains('\n'));
        }
        let odd = StatusInput::parse(br#"{"model":7,"cost":{"total_cost_usd":-1}}"#).unwrap();
        assert_eq!(odd, StatusInput::default());
    }
}
