//! Answers in Claude Code's hook protocol (checked against Claude Code 2.1.197 and 2.1.328;
//! docs/guard-rails.md says what was relied on): nothing on stdout allows; `systemMessage`
//! is a warning shown to the user; `{"decision": "block", "reason"}` stops a prompt
//! (`UserPromptSubmit`) and shows the reason; `permissionDecision: "deny"` with its reason
//! stops a tool call (`PreToolUse`). A session cannot be stopped from starting
//! (`SessionStart`): over a budget it is warned.

use serde_json::{Value, json};

/// The hook events costtop answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// A session starts (or resumes, or is cleared).
    SessionStart,
    /// The user sent a prompt.
    UserPromptSubmit,
    /// A tool is about to run.
    PreToolUse,
    /// Any other event: always allowed, unanswered.
    Other,
}

impl Event {
    /// The event named by `hook_event_name`.
    pub(crate) fn named(name: &str) -> Event {
        match name {
            "SessionStart" => Event::SessionStart,
            "UserPromptSubmit" => Event::UserPromptSubmit,
            "PreToolUse" => Event::PreToolUse,
            _ => Event::Other,
        }
    }
}

/// What costtop says to one hook call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Under every budget (or nothing to say): allow, silently.
    Allow,
    /// Near a limit: allow, and show `message` to the user.
    Warn(String),
    /// Over a limit: stop the prompt or tool call, with `reason`.
    Block(String),
}

/// The JSON to print for `verdict` on `event`; `None` prints nothing (allow).
pub(crate) fn answer(event: Event, verdict: &Verdict) -> Option<Value> {
    match (event, verdict) {
        (Event::Other, _) | (_, Verdict::Allow) | (Event::PreToolUse, Verdict::Warn(_)) => None,
        (Event::SessionStart | Event::UserPromptSubmit, Verdict::Warn(message))
        | (Event::SessionStart, Verdict::Block(message)) => Some(json!({
            "systemMessage": format!("costtop: {message}"),
        })),
        (Event::UserPromptSubmit, Verdict::Block(reason)) => Some(json!({
            "decision": "block",
            "reason": format!("costtop: {reason}"),
        })),
        (Event::PreToolUse, Verdict::Block(reason)) => Some(json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": format!("costtop: {reason}"),
            }
        })),
    }
}

/// The `settings.json` snippet that runs `command` on the three events (`PreToolUse` for
/// every tool). A timeout keeps a stuck hook from holding Claude Code up; a hook that fails
/// or times out is not a block, so Claude Code carries on.
pub(crate) fn settings(command: &str) -> String {
    let hook = json!([{ "hooks": [{ "type": "command", "command": command, "timeout": 10 }] }]);
    let tool = json!([{
        "matcher": "*",
        "hooks": [{ "type": "command", "command": command, "timeout": 10 }],
    }]);
    let snippet = json!({
        "hooks": {
            "SessionStart": hook,
            "UserPromptSubmit": hook,
            "PreToolUse": tool,
        }
    });
    serde_json::to_string_pretty(&snippet).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_gets_the_answer_its_protocol_reads() {
        let block = Verdict::Block("day budget exceeded".into());
        let warn = Verdict::Warn("day budget at 85%".into());
        assert_eq!(
            answer(Event::UserPromptSubmit, &block),
            Some(json!({"decision": "block", "reason": "costtop: day budget exceeded"}))
        );
        assert_eq!(
            answer(Event::PreToolUse, &block).unwrap()["hookSpecificOutput"]["permissionDecision"],
            "deny"
        );
        assert_eq!(
            answer(Event::SessionStart, &block),
            Some(json!({"systemMessage": "costtop: day budget exceeded"}))
        );
        assert_eq!(
            answer(Event::UserPromptSubmit, &warn).unwrap()["systemMessage"],
            "costtop: day budget at 85%"
        );
        assert_eq!(answer(Event::PreToolUse, &warn), None);
        assert_eq!(answer(Event::Other, &block), None);
        assert_eq!(answer(Event::UserPromptSubmit, &Verdict::Allow), None);
    }

    #[test]
    fn the_settings_snippet_names_the_command_on_three_events() {
        let v: Value = serde_json::from_str(&settings("costtop hook --budget day=20")).unwrap();
        for event in ["SessionStart", "UserPromptSubmit", "PreToolUse"] {
            assert_eq!(
                v["hooks"][event][0]["hooks"][0]["command"],
                "costtop hook --budget day=20"
            );
        }
        assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "*");
    }
}
