//! What the line needs from Claude Code's status JSON (on standard input).

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use serde_json::Value;

use crate::money::Money;

/// What the line needs from Claude Code's status JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StatusInput {
    /// `session_id`.
    pub(crate) session_id: Option<String>,
    /// `transcript_path`: the session's transcript.
    pub(crate) transcript: Option<PathBuf>,
    /// `model.display_name`, else `model.id`.
    pub(crate) model: Option<String>,
    /// `cost.total_cost_usd`: Claude Code's own estimate of the session.
    pub(crate) claude_estimate: Option<Money>,
}

impl StatusInput {
    /// Reads the status JSON; every field is optional, but it must be a JSON object.
    pub(crate) fn parse(bytes: &[u8]) -> Result<StatusInput> {
        if bytes.trim_ascii().is_empty() {
            return Err(anyhow!("no status JSON on stdin"));
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|_| anyhow!("the status input is not JSON"))?;
        if !value.is_object() {
            return Err(anyhow!("the status input is not a JSON object"));
        }
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(StatusInput {
            session_id: text(&value["session_id"]),
            transcript: text(&value["transcript_path"]).map(PathBuf::from),
            model: text(&value["model"]["display_name"])
                .or_else(|| text(&value["model"]["id"]))
                .or_else(|| text(&value["model"])),
            claude_estimate: value["cost"]["total_cost_usd"]
                .as_f64()
                .filter(|usd| usd.is_finite() && *usd >= 0.0)
                .map(Money::from_usd),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_input_reads_the_fields_the_line_needs() {
        let input = StatusInput::parse(include_bytes!(
            "../../../tests/fixtures/statusline/claude-code-input.json"
        ))
        .unwrap();
        assert_eq!(input.model.as_deref(), Some("Sonnet 4.6"));
        assert_eq!(
            input.session_id.as_deref(),
            Some("dee7d7ec-a736-462b-8549-f637a99a3fd7")
        );
        assert!(input.transcript.is_some());
        assert_eq!(input.claude_estimate, Some(Money::from_usd(0.021_094_05)));
    }
}
