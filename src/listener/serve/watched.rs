//! What the listener knows about one connection, shared between its socket, its requests and
//! its watchdog: requests in flight, since when it has been idle, when the first byte of the
//! next request came, since when a write has been waiting for the client to read.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Milliseconds since the listener started (never 0: 0 means "not yet").
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock(Instant);

impl Clock {
    pub(super) fn new() -> Clock {
        Clock(Instant::now())
    }

    pub(super) fn ms(self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX) + 1
    }
}

/// The state of one connection.
#[derive(Debug)]
pub(super) struct ConnState {
    clock: Clock,
    /// Requests whose response has not ended.
    in_flight: AtomicUsize,
    /// When the connection last became idle (accepted, or its last response ended).
    idle_since: AtomicU64,
    /// When the first byte arrived since it became idle (0: none yet).
    first_byte: AtomicU64,
    /// Since when a write has been waiting for the client to read (0: none waits).
    write_blocked: AtomicU64,
    /// The listener asked it to close (to make room, or to stop).
    evicted: AtomicBool,
    /// Wakes the watchdog: a request ended, or the connection was evicted.
    pub(super) wake: Notify,
}

impl ConnState {
    pub(super) fn new(clock: Clock) -> ConnState {
        ConnState {
            clock,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(clock.ms()),
            first_byte: AtomicU64::new(0),
            write_blocked: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }

    pub(super) fn now(&self) -> u64 {
        self.clock.ms()
    }

    /// Idle since this time, or `None` while a request is in flight.
    pub(super) fn idle_since(&self) -> Option<u64> {
        (self.in_flight.load(Ordering::Acquire) == 0)
            .then(|| self.idle_since.load(Ordering::Acquire))
    }

    /// When the first byte of the next request came, if it did.
    pub(super) fn first_byte(&self) -> Option<u64> {
        Some(self.first_byte.load(Ordering::Acquire)).filter(|&t| t != 0)
    }

    /// Since when a write has waited for the client, if one does.
    pub(super) fn write_blocked(&self) -> Option<u64> {
        Some(self.write_blocked.load(Ordering::Acquire)).filter(|&t| t != 0)
    }

    pub(super) fn is_evicted(&self) -> bool {
        self.evicted.load(Ordering::Acquire)
    }

    /// Asks the connection to close; false if it was asked already.
    pub(super) fn evict(&self) -> bool {
        let first = !self.evicted.swap(true, Ordering::AcqRel);
        self.wake.notify_one();
        first
    }

    /// A request's headers are complete: it is in flight until the guard drops.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.first_byte.store(0, Ordering::Release);
        InFlight(Arc::clone(self))
    }
}

/// A request in flight: it ends (and the connection may become idle) when this drops, which is
/// when its response body has been sent or abandoned.
#[derive(Debug)]
pub(super) struct InFlight(Arc<ConnState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let s = &self.0;
        s.idle_since.store(s.now(), Ordering::Release);
        s.first_byte.store(0, Ordering::Release);
        if s.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            s.wake.notify_one();
        }
    }
}

/// A socket that reports its reads and blocked writes to the connection's state.
#[derive(Debug)]
pub(super) struct Watched<T> {
    io: T,
    state: Arc<ConnState>,
}

impl<T> Watched<T> {
    pub(super) fn new(io: T, state: Arc<ConnState>) -> Watched<T> {
        Watched { io, state }
    }

    fn wrote<R>(&self, poll: Poll<R>) -> Poll<R> {
        let blocked = &self.state.write_blocked;
        if poll.is_pending() {
            if blocked.load(Ordering::Relaxed) == 0 {
                blocked.store(self.state.now(), Ordering::Release);
            }
        } else if blocked.load(Ordering::Relaxed) != 0 {
            blocked.store(0, Ordering::Release);
        }
        poll
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.io).poll_read(cx, buf);
        let s = &self.state;
        if buf.filled().len() > before
            && s.in_flight.load(Ordering::Acquire) == 0
            && s.first_byte.load(Ordering::Relaxed) == 0
        {
            s.first_byte.store(s.now(), Ordering::Release);
        }
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(cx, buf);
        self.wrote(poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.wrote(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_flush(cx);
        self.wrote(poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
