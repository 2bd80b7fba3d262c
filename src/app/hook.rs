//! `costtop hook`: answers Claude Code's hooks (its JSON on stdin) — allow; warn near a
//! budget; block a prompt or a tool call over one, with the reason. With `--admin-api` the
//! organisation's spend limits count as budgets too. It fails open: a broken config, no
//! budget, nothing to read, an Admin API that cannot be read, input that is not Claude
//! Code's, or any error of its own allows, and says why on stderr; it always exits 0.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use serde_json::Value;

use super::check::{judge, question, url};
use super::statusline::read_stdin;
use crate::budget::State;
use crate::cli::{HookArgs, ScopeArg};
use crate::outputs::check as verdicts;
use crate::outputs::claude_hook::{Event, Verdict, answer, settings};

/// Most of stdin read: Claude Code's hook input is a few kilobytes (a prompt, a tool's input).
const MAX_INPUT: u64 = 4 * 1024 * 1024;

/// What the hook needs from Claude Code's input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct HookInput {
    event: String,
    session_id: Option<String>,
    transcript: Option<PathBuf>,
    cwd: Option<String>,
}

impl HookInput {
    fn parse(bytes: &[u8]) -> Result<HookInput> {
        let not_hook = || anyhow!("the input is not Claude Code's hook JSON");
        let value: Value = serde_json::from_slice(bytes).map_err(|_| not_hook())?;
        let text = |k: &str| {
            value[k]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(HookInput {
            event: text("hook_event_name").ok_or_else(not_hook)?,
            session_id: text("session_id"),
            transcript: text("transcript_path").map(PathBuf::from),
            cwd: text("cwd"),
        })
    }
}

pub(super) async fn run_hook(args: HookArgs) -> Result<ExitCode> {
    if args.print_settings {
        crate::outputs::emit(&format!("{}\n", settings(&command_line(&args))))?;
        return Ok(ExitCode::SUCCESS);
    }
    match decide(&args).await {
        Ok(Some(json)) => {
            // A closed stdout is Claude Code's business; nothing to report.
            let _ = crate::outputs::emit(&format!("{json}\n"));
        }
        Ok(None) => {}
        Err(e) => eprintln!("costtop hook: {e:#}; allowing"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The answer to print, if any.
async fn decide(args: &HookArgs) -> Result<Option<Value>> {
    let input = HookInput::parse(&read_stdin(MAX_INPUT)?)?;
    let event = Event::named(&input.event);
    if event == Event::Other {
        return Ok(None);
    }
    let (mut q, table, config_url) = question(&args.common, &[], &ScopeArg::All, &args.figures)?;
    q.project = input.cwd;
    q.session = input.session_id;
    q.transcript = input.transcript;
    let judged = judge(&q, &table, &url(args.figures.url.as_ref(), config_url)).await;
    for p in &judged.problems {
        eprintln!("costtop hook: {p}");
    }
    if judged.read_nothing {
        return Err(anyhow!("nothing to read (no transcripts, no history)"));
    }
    for s in judged.standings.iter().filter(|s| s.state.is_none()) {
        eprintln!("costtop hook: {}", verdicts::line(s, q.zone));
    }
    let verdict = match verdicts::deciding(&judged.standings) {
        Some(s) if s.state == Some(State::Exceeded) => Verdict::Block(verdicts::line(s, q.zone)),
        _ => match judged
            .standings
            .iter()
            .filter(|s| s.state == Some(State::Warn))
            .max_by(|a, b| {
                (a.spent.usd() / a.limit.usd()).total_cmp(&(b.spent.usd() / b.limit.usd()))
            }) {
            Some(s) => Verdict::Warn(verdicts::line(s, q.zone)),
            None => Verdict::Allow,
        },
    };
    Ok(answer(event, &verdict))
}

/// The command Claude Code should run: this binary (by name when it is the `costtop` found
/// on `PATH`) with the options given here.
fn command_line(args: &HookArgs) -> String {
    let mut words = vec![program(), "hook".to_owned()];
    if let Some(config) = &args.common.config {
        words.extend(["--config".to_owned(), quote(&config.to_string_lossy())]);
    }
    for (period, usd) in &args.common.budget {
        words.extend(["--budget".to_owned(), format!("{period}={usd}")]);
    }
    if let Some(tz) = &args.common.tz {
        words.extend(["--tz".to_owned(), quote(&tz.to_string())]);
    }
    if let Some(url) = &args.figures.url {
        words.extend(["--url".to_owned(), quote(url)]);
    }
    if args.figures.admin_api {
        words.push("--admin-api".to_owned());
    }
    if let Some(base) = &args.figures.api_base {
        words.extend(["--api-base".to_owned(), quote(base)]);
    }
    words.join(" ")
}

fn program() -> String {
    let Ok(exe) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        return "costtop".to_owned();
    };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("costtop"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok());
    if on_path.as_deref() == Some(exe.as_path()) {
        "costtop".to_owned()
    } else {
        quote(&exe.to_string_lossy())
    }
}

/// `s` as one shell word.
fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-=:+,@%".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_codes_input_gives_event_session_transcript_and_folder() {
        let input = HookInput::parse(
            br#"{"session_id":"s-1","transcript_path":"/h/.claude/projects/-w/s-1.jsonl",
                "cwd":"/w","permission_mode":"default","hook_event_name":"UserPromptSubmit",
                "prompt":"hello"}"#,
        )
        .unwrap();
        assert_eq!(input.event, "UserPromptSubmit");
        assert_eq!(input.session_id.as_deref(), Some("s-1"));
        assert_eq!(input.cwd.as_deref(), Some("/w"));
        for bad in [&b""[..], b"{", b"[]", b"{\"prompt\":\"x\"}", b"\xff"] {
            assert!(HookInput::parse(bad).is_err());
        }
    }

    #[test]
    fn words_with_spaces_or_quotes_are_quoted_for_the_shell() {
        assert_eq!(quote("/usr/bin/costtop"), "/usr/bin/costtop");
        assert_eq!(quote("/My Tools/costtop"), "'/My Tools/costtop'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
