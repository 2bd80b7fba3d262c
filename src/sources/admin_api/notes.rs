//! The note the sources pane shows for the admin API source: which usage API is read and
//! why, and what else could not be read.

use super::client::ApiError;
use super::legacy::LIMITS_NOTE;

/// The parts of the source's note.
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    pub(super) api: Option<String>,
    pub(super) speed: Option<String>,
    pub(super) names: Option<String>,
    pub(super) spend_limits: Option<String>,
    pub(super) rate_limits: Option<String>,
    pub(super) claude_code: Option<String>,
}

impl Notes {
    /// The Analytics API answers.
    pub(super) fn reading_analytics(&mut self) {
        self.api = Some("Usage & Cost Analytics API (beta)".into());
    }

    /// The config chose the legacy API.
    pub(super) fn chose_legacy(&mut self) {
        self.api = Some(format!(
            "legacy usage report (usage_api = \"legacy\"): {LIMITS_NOTE}"
        ));
    }

    /// The Analytics API refused; the legacy API is read instead.
    pub(super) fn fell_back(&mut self, why: &str) {
        self.api = Some(format!("legacy usage report: {why}; {LIMITS_NOTE}"));
    }

    /// The legacy API refused grouping by speed.
    pub(super) fn speed_refused(&mut self, e: &ApiError) {
        self.speed = Some(format!(
            "fast mode cannot be told apart, priced as standard ({e})"
        ));
    }

    /// The note as one line, `None` when there is nothing to say.
    pub(crate) fn text(&self) -> Option<String> {
        let parts: Vec<&str> = [
            &self.api,
            &self.speed,
            &self.names,
            &self.spend_limits,
            &self.rate_limits,
            &self.claude_code,
        ]
        .into_iter()
        .filter_map(Option::as_deref)
        .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}
