//! Alarm actions: a webhook POST (Slack-compatible JSON, retried with back-off) and an
//! `--on-alarm` command. Both run in their own tasks: a slow or dead endpoint delays nothing.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use crate::aggregate::Snapshot;
use crate::aggregate::snapshot::AlarmLogEntry;

/// Attempts per webhook delivery.
const WEBHOOK_ATTEMPTS: u32 = 4;
/// First retry delay; doubles each attempt.
const WEBHOOK_BACKOFF: Duration = Duration::from_secs(1);
/// Time limit of one webhook request.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Where alarms go.
#[derive(Debug, Clone, Default)]
pub struct AlarmActions {
    /// URL that receives a JSON POST per alarm raised.
    pub webhook: Option<String>,
    /// Command (`sh -c`) run per alarm raised.
    pub on_alarm: Option<String>,
}

impl AlarmActions {
    /// Whether any action is configured.
    pub fn is_empty(&self) -> bool {
        self.webhook.is_none() && self.on_alarm.is_none()
    }
}

/// The JSON a webhook receives.
#[derive(Debug, Serialize)]
pub struct WebhookPayload<'a> {
    /// One line for chat tools (Slack, Mattermost, Teams connectors read `text`).
    pub text: String,
    /// Alarm kind, e.g. `budget_exceeded`.
    pub kind: &'a str,
    /// `info`, `warning`, `critical`.
    pub severity: &'a str,
    /// The alarm's sentence.
    pub message: &'a str,
    /// When it was raised.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Budget alarms: spend in the period.
    pub spent_usd: Option<f64>,
    /// Budget alarms: the limit.
    pub limit_usd: Option<f64>,
    /// Always `costtop`.
    pub source: &'static str,
}

impl<'a> WebhookPayload<'a> {
    /// The payload for one raised alarm.
    pub fn new(e: &'a AlarmLogEntry) -> WebhookPayload<'a> {
        let icon = match e.severity.as_str() {
            "critical" => "🔴",
            "warning" => "🟠",
            _ => "🔵",
        };
        WebhookPayload {
            text: format!("{icon} costtop {}: {}", e.severity, e.message),
            kind: &e.kind,
            severity: &e.severity,
            message: &e.message,
            at: e.at,
            spent_usd: e.spent_usd,
            limit_usd: e.limit_usd,
            source: "costtop",
        }
    }
}

/// Watches snapshots and fires the actions once per newly raised alarm. Ends when the
/// snapshot sender is gone.
pub fn spawn_alarm_actions(
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    actions: AlarmActions,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .build()
            .unwrap_or_default();
        let mut last_seq = 0;
        loop {
            let snap = snapshots.borrow_and_update().clone();
            let seen = last_seq;
            for entry in snap.alarm_log.iter().filter(|e| e.seq > seen) {
                last_seq = entry.seq;
                if entry.transition != "raised" {
                    continue;
                }
                if let Some(url) = &actions.webhook {
                    tokio::spawn(deliver_webhook(client.clone(), url.clone(), entry.clone()));
                }
                if let Some(cmd) = &actions.on_alarm {
                    tokio::spawn(run_command(cmd.clone(), entry.clone()));
                }
            }
            if snapshots.changed().await.is_err() {
                break;
            }
        }
    })
}

/// POSTs one alarm, retrying failures with exponential back-off.
async fn deliver_webhook(client: reqwest::Client, url: String, entry: AlarmLogEntry) {
    let payload = WebhookPayload::new(&entry);
    let mut delay = WEBHOOK_BACKOFF;
    for attempt in 1..=WEBHOOK_ATTEMPTS {
        match client.post(&url).json(&payload).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => tracing::warn!("webhook answered {} (attempt {attempt})", r.status()),
            Err(e) => tracing::warn!("webhook failed (attempt {attempt}): {e}"),
        }
        if attempt < WEBHOOK_ATTEMPTS {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    tracing::error!(
        "webhook gave up after {WEBHOOK_ATTEMPTS} attempts: {}",
        entry.message
    );
}

/// Runs the `--on-alarm` command with the alarm in its environment.
async fn run_command(cmd: String, e: AlarmLogEntry) {
    let amount = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .env("COSTTOP_ALARM_KIND", &e.kind)
        .env("COSTTOP_ALARM_SEVERITY", &e.severity)
        .env("COSTTOP_ALARM_MESSAGE", &e.message)
        .env("COSTTOP_ALARM_SPENT_USD", amount(e.spent_usd))
        .env("COSTTOP_ALARM_LIMIT_USD", amount(e.limit_usd))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await;
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => tracing::warn!("--on-alarm command exited with {s}"),
        Err(err) => tracing::warn!("--on-alarm command could not start: {err}"),
    }
}
