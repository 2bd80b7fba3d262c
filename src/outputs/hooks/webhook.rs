//! The webhook worker: POSTs each queued alarm, with a connect and a request time limit and
//! retries with exponential back-off. Errors name the host only: webhook URLs carry secrets
//! (Slack's path is the token), so the URL is never shown or logged.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::actions::{HookTiming, Outcome};
use crate::net::describe;
use crate::snapshot::AlarmLogEntry;

/// The JSON a webhook receives.
#[derive(Debug, Serialize)]
pub struct WebhookPayload<'a> {
    /// One line for chat tools (Slack, Mattermost, Teams connectors read `text`).
    pub(crate) text: String,
    /// Alarm kind, e.g. `budget_exceeded`.
    pub(crate) kind: &'a str,
    /// `info`, `warning`, `critical`.
    pub(crate) severity: &'a str,
    /// The alarm's sentence.
    pub(crate) message: &'a str,
    /// When it was raised.
    pub(crate) at: chrono::DateTime<chrono::Utc>,
    /// Budget alarms: spend in the period.
    pub(crate) spent_usd: Option<f64>,
    /// Budget alarms: the limit.
    pub(crate) limit_usd: Option<f64>,
    /// Always `costtop`.
    pub(crate) source: &'static str,
}

impl<'a> WebhookPayload<'a> {
    /// The payload for one raised alarm.
    pub(crate) fn new(e: &'a AlarmLogEntry) -> WebhookPayload<'a> {
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

/// The webhook as a source name: `webhook HOST[:PORT]`.
pub(super) fn health_name(url: &str) -> String {
    let host = reqwest::Url::parse(url).ok().and_then(|u| {
        let host = u.host_str()?.to_owned();
        Some(match u.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
    });
    format!(
        "webhook {}",
        host.unwrap_or_else(|| "(invalid URL)".to_owned())
    )
}

/// Delivers alarms from `queue`, at most `timing.in_flight` at once, until the queue closes,
/// reporting each outcome.
pub(super) async fn deliver_all(
    url: String,
    timing: HookTiming,
    mut queue: mpsc::Receiver<AlarmLogEntry>,
    outcomes: mpsc::Sender<Outcome>,
) {
    let client = reqwest::Client::builder()
        .connect_timeout(timing.connect_timeout)
        .timeout(timing.request_timeout)
        .build()
        .unwrap_or_default();
    let url: Arc<str> = url.into();
    let mut running = JoinSet::new();
    loop {
        // Room for another delivery: take the next alarm (or see one finish meanwhile).
        let next = if running.len() < timing.in_flight.max(1) {
            tokio::select! {
                entry = queue.recv() => match entry {
                    Some(entry) => Some(entry),
                    None => break,
                },
                Some(_) = running.join_next() => None,
            }
        } else {
            let _ = running.join_next().await;
            None
        };
        if let Some(entry) = next {
            let (client, url, outcomes) = (client.clone(), Arc::clone(&url), outcomes.clone());
            running.spawn(async move {
                let result = deliver(&client, &url, &entry, timing).await;
                let _ = outcomes.send(Outcome { action: 0, result }).await;
            });
        }
    }
    while running.join_next().await.is_some() {}
}

/// POSTs one alarm, retrying failures with exponential back-off.
async fn deliver(
    client: &reqwest::Client,
    url: &str,
    entry: &AlarmLogEntry,
    timing: HookTiming,
) -> Result<(), String> {
    let payload = WebhookPayload::new(entry);
    let attempts = timing.attempts.max(1);
    let mut delay = timing.backoff;
    let mut why = String::new();
    for attempt in 1..=attempts {
        why = match client.post(url).json(&payload).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => format!("answered {}", r.status()),
            Err(e) => describe(&e.without_url()),
        };
        tracing::debug!("webhook attempt {attempt} of {attempts}: {why}");
        if attempt < attempts {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    Err(format!("{why} (after {attempts} attempts)"))
}
