//! The bodies crossing the proxy, streamed frame by frame: the request's on its way upstream
//! ([`Outbound`]: under a size limit, read for its caller's user), and the response's on its
//! way back ([`Inbound`]: each frame passed on as it arrives, a copy to the accounting tap).
//!
//! Nothing is buffered: a frame is handed on when the other side takes it, so a slow client
//! slows the upstream read instead of growing memory. A response silent for longer than the
//! idle timeout is ended as cut; one the client drops cancels the upstream request (the
//! upstream body is dropped with it) and is counted as cancelled.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::sync::oneshot;
use tokio::time::{Instant, Sleep};

use super::account::RequestFacts;
use super::tap::{End, Tap};
use crate::parse::api::{BatchRequestReader, RequestReader};

/// The error type of both bodies.
pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body over the proxy's limit (the client gets a 413).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the request body is over {} MiB", .0 >> 20)]
pub(super) struct TooLarge(pub(super) u64);

/// A response the upstream stopped sending for longer than the idle timeout.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the upstream sent nothing for {} s", .0.as_secs())]
pub(super) struct Silent(pub(super) Duration);

/// What reads a request body on its way.
#[derive(Debug)]
pub(super) enum RequestTap {
    /// Nothing to read.
    None,
    /// A Messages request: its `metadata.user_id`.
    Message(RequestReader),
    /// A batch's create request: each request's user.
    Batch(BatchRequestReader),
}

/// A request body on its way upstream.
#[derive(Debug)]
pub(super) struct Outbound {
    inner: axum::body::Body,
    tap: RequestTap,
    sent: u64,
    limit: u64,
    facts: Option<oneshot::Sender<RequestFacts>>,
}

impl Outbound {
    /// `inner` under `limit` bytes, read by `tap`; its facts go to `facts` once it ends.
    pub(super) fn new(
        inner: axum::body::Body,
        tap: RequestTap,
        limit: u64,
        facts: oneshot::Sender<RequestFacts>,
    ) -> Outbound {
        Outbound {
            inner,
            tap,
            sent: 0,
            limit,
            facts: Some(facts),
        }
    }

    fn done(&mut self) {
        let Some(tx) = self.facts.take() else { return };
        let facts = match std::mem::replace(&mut self.tap, RequestTap::None) {
            RequestTap::None => RequestFacts::default(),
            RequestTap::Message(r) => RequestFacts {
                user: r.user(),
                ..RequestFacts::default()
            },
            RequestTap::Batch(r) => RequestFacts {
                batch_users: r.into_users().0,
                ..RequestFacts::default()
            },
        };
        let _ = tx.send(facts);
    }
}

impl Body for Outbound {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    this.sent += data.len() as u64;
                    if this.sent > this.limit {
                        return Poll::Ready(Some(Err(Box::new(TooLarge(this.limit)))));
                    }
                    match &mut this.tap {
                        RequestTap::None => {}
                        RequestTap::Message(r) => r.feed(data),
                        RequestTap::Batch(r) => r.feed(data),
                    }
                }
                if this.inner.is_end_stream() {
                    this.done();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(Box::new(e)))),
            None => {
                this.done();
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Outbound {
    fn drop(&mut self) {
        if self.inner.is_end_stream() {
            self.done();
        }
    }
}

/// A response body on its way to the client.
#[derive(Debug)]
pub(super) struct Inbound {
    inner: Incoming,
    tap: Option<Tap>,
    idle: Duration,
    silence: Pin<Box<Sleep>>,
}

impl Inbound {
    /// `inner` passed on as it arrives, a copy to `tap`; cut after `idle` without a frame.
    pub(super) fn new(inner: Incoming, tap: Option<Tap>, idle: Duration) -> Inbound {
        Inbound {
            inner,
            tap,
            idle,
            silence: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn end(&mut self, end: End) {
        if let Some(tap) = self.tap.take() {
            tap.finish(end);
        }
    }
}

impl Body for Inbound {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.silence.as_mut().reset(Instant::now() + this.idle);
                if let (Some(data), Some(tap)) = (frame.data_ref(), &mut this.tap) {
                    tap.feed(data);
                }
                if this.inner.is_end_stream() {
                    this.end(End::Whole);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.end(End::Cut("the upstream connection failed mid-body"));
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(None) => {
                this.end(End::Whole);
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.silence.as_mut().poll(cx).is_ready() {
                    this.end(End::Cut("the upstream went silent mid-body"));
                    return Poll::Ready(Some(Err(Box::new(Silent(this.idle)))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Inbound {
    fn drop(&mut self) {
        let end = if self.inner.is_end_stream() {
            End::Whole
        } else {
            End::Cancelled
        };
        self.end(end);
    }
}
