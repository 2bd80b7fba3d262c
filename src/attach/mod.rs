//! `costtop attach URL`: a running costtop's snapshots, read from its listener's stream
//! (`GET /api/v1/stream`), published on a `watch` channel as the local aggregator would, so
//! the dashboard draws them unchanged. A lost stream is retried with back-off while the screen
//! keeps the last snapshot, marked stale; the [`Link`] says how the connection stands.

mod client;
mod link;
mod sse;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::Url;
use reqwest::header::HeaderValue;
use tokio::sync::watch;

use crate::snapshot::{Snapshot, StreamView};
pub use client::Failure;
pub use link::{Link, LinkState};

/// The listener's stream route.
const STREAM_PATH: &str = "api/v1/stream";
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

/// A bearer token; its `Debug` shows nothing of it, and nothing here prints it.
#[derive(Clone)]
struct Bearer(HeaderValue);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(…)")
    }
}

impl Bearer {
    fn header(&self) -> HeaderValue {
        self.0.clone()
    }
}

/// Which costtop to attach to: its listener's URL and the token it asks for.
#[derive(Debug, Clone)]
pub struct Target {
    base: Url,
    token: Option<Bearer>,
}

impl Target {
    /// `url` is the listener (`http://host:9871`, a path prefix behind a proxy, or the stream
    /// route itself); `token` its bearer token. Errors name the URL's problem, never the token.
    pub fn new(url: &str, token: Option<&str>) -> Result<Target, String> {
        let with_scheme = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let mut base = Url::parse(&with_scheme).map_err(|e| format!("URL {url:?}: {e}"))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(format!("URL {url:?}: use http://HOST:PORT or https://HOST"));
        }
        let path = base.path().trim_end_matches('/');
        let path = path.strip_suffix(STREAM_PATH).unwrap_or(path);
        let path = format!("{}/", path.trim_end_matches('/'));
        base.set_path(&path);
        base.set_query(None);
        base.set_fragment(None);
        let token = match token.map(str::trim) {
            None => None,
            Some("") => return Err("the token is empty".into()),
            Some(t) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {t}"))
                    .map_err(|_| "a token is one word of visible characters".to_owned())?;
                value.set_sensitive(true);
                Some(Bearer(value))
            }
        };
        Ok(Target { base, token })
    }

    /// The server as shown on screen: `host:port` and any path prefix, without credentials.
    pub fn server(&self) -> String {
        let host = self.base.host_str().unwrap_or("?");
        let port = self.base.port_or_known_default().unwrap_or(0);
        let prefix = self.base.path().trim_end_matches('/');
        let scheme = if self.base.scheme() == "https" {
            "https://"
        } else {
            ""
        };
        format!("{scheme}{host}:{port}{prefix}")
    }

    /// The stream's URL for `view`.
    pub fn stream_url(&self, view: &StreamView) -> Url {
        let mut url = self
            .base
            .join(STREAM_PATH)
            .unwrap_or_else(|_| self.base.clone());
        let mut query = Vec::new();
        if let Some(w) = view.window {
            query.push(("window", w.as_str().to_owned()));
        }
        if let Some(by) = &view.by {
            query.push(("by", by.to_string()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    fn is_loopback(&self) -> bool {
        let host = self.base.host_str().unwrap_or("");
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

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
