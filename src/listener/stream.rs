//! `GET /api/v1/stream[?window=…&by=…]`: the snapshot stream a screen attached to this costtop
//! reads (`costtop attach`), as server-sent events: one `snapshot` event per published
//! snapshot, the JSON of `/api/v1/snapshot`, and a comment every 15 s while nothing changes.
//!
//! A reader is a `watch` receiver: the stream is polled only as fast as the client reads, and
//! a slow client skips to the newest snapshot instead of growing a buffer. `window` and `by`
//! change only what this reader sees ([`StreamView`]); the aggregator builds each view asked
//! for once per publish, whatever the number of readers.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;

use crate::aggregate::AggregatorHandle;
use crate::outputs::watch::json_line;
use crate::snapshot::{GroupBy, Snapshot, StreamView};
use crate::time::Window;

/// The route's path.
pub(crate) const PATH: &str = "/api/v1/stream";
/// A comment line this often while no snapshot is sent, so clients and proxies see a live
/// connection.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// Time the aggregator gets to set a new view up before a 503.
const SUBSCRIBE_WAIT: Duration = Duration::from_secs(30);

/// The query: what this reader wants to see.
#[derive(serde::Deserialize)]
pub(super) struct StreamQuery {
    window: Option<String>,
    by: Option<String>,
}

impl StreamQuery {
    fn view(&self) -> Result<StreamView, String> {
        let window = self
            .window
            .as_deref()
            .map(str::parse::<Window>)
            .transpose()
            .map_err(|e| format!("window: {e}"))?;
        let by = self
            .by
            .as_deref()
            .map(str::parse::<GroupBy>)
            .transpose()
            .map_err(|e| format!("by: {e}"))?;
        Ok(StreamView { window, by })
    }
}

/// What the stream route reads.
#[derive(Clone)]
pub(super) struct Readers {
    /// The aggregator, asked for views.
    pub(super) handle: AggregatorHandle,
    /// True once the listener stops: every stream ends then, so shutdown need not wait.
    pub(super) closing: watch::Receiver<bool>,
}

/// Streams snapshots of the view the query asks for.
pub(super) async fn stream(
    State(Readers { handle, closing }): State<Readers>,
    Query(q): Query<StreamQuery>,
) -> Response {
    let view = match q.view() {
        Ok(view) => view,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    // The aggregator's own view is its published channel; another view is set up by it.
    let snapshots = tokio::time::timeout(SUBSCRIBE_WAIT, handle.subscribe(view))
        .await
        .ok()
        .flatten();
    let Some(snapshots) = snapshots else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the aggregator is busy or stopped\n",
        )
            .into_response();
    };
    let events = newest(snapshots)
        .take_until(closed(closing))
        .map(|snap| Ok::<_, Infallible>(Event::default().event("snapshot").data(json_line(&snap))));
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response()
}

/// The current snapshot at once, then the newest one each time the client is ready for
/// another (those published meanwhile are skipped); ends when the aggregator stops.
fn newest(mut snapshots: watch::Receiver<Arc<Snapshot>>) -> impl Stream<Item = Arc<Snapshot>> {
    snapshots.mark_changed();
    futures_util::stream::unfold(snapshots, |mut snapshots| async move {
        snapshots.changed().await.ok()?;
        // Clone the Arc out so the borrow is released before serialising.
        let snap = Arc::clone(&snapshots.borrow_and_update());
        Some((snap, snapshots))
    })
}

/// Resolves when the listener closes (or is gone).
async fn closed(mut closing: watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    fn numbered(n: u64) -> Arc<Snapshot> {
        let mut snap = Snapshot::default();
        snap.totals.requests = n;
        Arc::new(snap)
    }

    #[tokio::test]
    async fn a_slow_reader_skips_to_the_newest_snapshot_and_holds_no_backlog() {
        let (tx, rx) = watch::channel(numbered(0));
        let mut stream = Box::pin(newest(rx));
        assert_eq!(stream.next().await.map(|s| s.totals.requests), Some(0));
        assert!(stream.next().now_or_never().is_none(), "nothing new yet");
        // A thousand snapshots published while the reader does not read.
        for n in 1..=1000 {
            tx.send_replace(numbered(n));
        }
        assert_eq!(stream.next().await.map(|s| s.totals.requests), Some(1000));
        assert!(
            stream.next().now_or_never().is_none(),
            "no backlog behind it"
        );
        drop(tx);
        assert!(stream.next().await.is_none(), "ends with the aggregator");
    }
}
