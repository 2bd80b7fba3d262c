//! `costtop attach URL`: a running costtop's snapshots, read from its listener's stream
//! (`GET /api/v1/stream`), published on a `watch` channel as the local aggregator would, so
//! the dashboard draws them unchanged. A lost stream is retried with back-off while the screen
//! keeps the last snapshot, marked stale; the [`Link`] says how the connection stands.

mod client;
mod link;
mod sse;
mod target;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::snapshot::{Snapshot, StreamView};
pub use client::Failure;
pub use link::{Link, LinkState};
pub use target::Target;

/// Waits between tries after a failure, doubling up to the last.
const BACKOFF: [Duration; 6] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(15),
];

/// A stream that lasted this long ended by routine, not by a fault: it is reopened at once.
const STEADY: Duration = Duration::from_secs(10);

/// A stream opened for the first time, or why it could not be.
#[derive(Debug)]
pub struct Opened(Result<reqwest::Response, Failure>);

impl Opened {
    /// The refusal that retrying will not mend (a bad token, no stream route), if any:
    /// `costtop attach` stops on it before it takes the screen.
    pub fn refusal(&self) -> Option<&str> {
        match &self.0 {
            Err(Failure::Refused(reason)) => Some(reason),
            _ => None,
        }
    }
}

/// Opens the stream of `view` once (to learn early whether the server lets us in).
pub async fn open(target: &Target, view: &StreamView) -> Opened {
    match client::Client::new(target) {
        Ok(c) => Opened(c.open(target, view).await),
        Err(e) => Opened(Err(e)),
    }
}

/// Reads the server's snapshots into `snapshots` until every receiver of it is gone,
/// reconnecting with back-off; `views` says which view to ask for (a change reconnects),
/// `link` how the connection stands. `first` is the stream [`open`] already opened.
pub async fn run(
    target: Target,
    first: Opened,
    mut views: watch::Receiver<StreamView>,
    snapshots: watch::Sender<Arc<Snapshot>>,
    link: watch::Sender<Link>,
) {
    let client = match client::Client::new(&target) {
        Ok(c) => c,
        Err(e) => {
            lost(&link, &e.to_string(), Duration::MAX);
            return;
        }
    };
    let mut opened = Some(first.0);
    let mut failures = 0usize;
    loop {
        let view = views.borrow_and_update().clone();
        let started = tokio::time::Instant::now();
        let attempt = async {
            let opening = match opened.take() {
                Some(first) => first,
                None => client.open(&target, &view).await,
            };
            let response = match opening {
                Ok(response) => response,
                Err(failure) => return (failure, false),
            };
            link.send_modify(|l| l.state = LinkState::Live);
            let mut streamed = false;
            let end = client::read(response, &snapshots, || {
                streamed = true;
                link.send_modify(|l| {
                    l.state = LinkState::Live;
                    l.last_snapshot = Some(Utc::now());
                });
            })
            .await;
            (end, streamed)
        };
        let (failure, streamed) = tokio::select! {
            ended = attempt => ended,
            changed = views.changed() => {
                if changed.is_err() {
                    return; // The screen is gone.
                }
                continue; // Another view: reconnect at once.
            }
            () = snapshots.closed() => return,
        };
        // A stream that carried snapshots for a while and ended (a server closing connections
        // now and then, a proxy's limit) is tried again at once; failures back off.
        let streamed = streamed && started.elapsed() >= STEADY;
        let wait = if streamed {
            failures = 0;
            Duration::ZERO
        } else {
            failures += 1;
            BACKOFF[(failures - 1).min(BACKOFF.len() - 1)]
        };
        if !streamed || !failure_is_routine(&failure) {
            lost(&link, &failure.to_string(), wait);
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            changed = views.changed() => if changed.is_err() { return },
            () = snapshots.closed() => return,
        }
    }
}

/// A stream ended the way long streams do; the screen need not say so unless the next try
/// fails too.
fn failure_is_routine(failure: &Failure) -> bool {
    matches!(failure, Failure::Lost(_))
}

/// Marks the link lost (keeping the time it was first lost) with the next try in `wait`.
fn lost(link: &watch::Sender<Link>, reason: &str, wait: Duration) {
    let now = Utc::now();
    let retry_at = chrono::Duration::from_std(wait)
        .ok()
        .and_then(|w| now.checked_add_signed(w))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
    link.send_modify(|l| {
        let since = match l.state {
            LinkState::Lost { since, .. } => since,
            _ => now,
        };
        l.state = LinkState::Lost {
            since,
            reason: reason.to_owned(),
            retry_at,
        };
    });
}
