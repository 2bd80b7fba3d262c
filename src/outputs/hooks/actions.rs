//! What the alarm actions are told (where alarms go, how hard to try) and how one delivery
//! ended.

use std::time::Duration;

/// Where alarms go.
#[derive(Debug, Clone, Default)]
pub struct AlarmActions {
    /// URL that receives a JSON POST per alarm raised.
    pub webhook: Option<String>,
    /// Command (`sh -c`) run per alarm raised.
    pub on_alarm: Option<String>,
    /// Retries, time limits and queue sizes.
    pub timing: HookTiming,
}

/// How hard the actions try, and how long they may take.
#[derive(Debug, Clone, Copy)]
pub struct HookTiming {
    /// Attempts per webhook delivery.
    pub attempts: u32,
    /// First retry delay; doubles each attempt.
    pub backoff: Duration,
    /// Time limit to connect to the webhook.
    pub connect_timeout: Duration,
    /// Time limit of one webhook request, connection included.
    pub request_timeout: Duration,
    /// Time limit of one `--on-alarm` run; past it the command (its whole process group) is
    /// killed.
    pub command_timeout: Duration,
    /// Alarms each action may have waiting; more are dropped (and counted).
    pub queue: usize,
    /// Webhook deliveries under way at once (one hanging request does not hold up the next
    /// alarm).
    pub in_flight: usize,
}

impl Default for HookTiming {
    fn default() -> Self {
        HookTiming {
            attempts: 4,
            backoff: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
            queue: 32,
            in_flight: 4,
        }
    }
}

impl AlarmActions {
    /// Whether any action is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.webhook.is_none() && self.on_alarm.is_none()
    }
}

/// How one delivery ended.
#[derive(Debug)]
pub(super) struct Outcome {
    /// Which action: 0 webhook, 1 command.
    pub(super) action: usize,
    /// `Err(why)` when it failed for good (after its retries, or killed at its time limit).
    pub(super) result: Result<(), String>,
}
