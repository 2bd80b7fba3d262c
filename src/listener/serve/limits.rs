//! What a listener holds its clients to, and the peer address every request carries.

use std::net::SocketAddr;
use std::time::Duration;

/// The peer address of a request (an extension every request carries).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) SocketAddr);

/// The limits a listener holds its clients to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Connections open at once; past it the one idle the longest is closed.
    pub(crate) max_connections: usize,
    /// Time from the accept to the first byte of a request.
    pub(crate) first_byte: Duration,
    /// Time from a request's first byte to its complete headers.
    pub(crate) headers: Duration,
    /// Time a connection may stay idle between two requests.
    pub(crate) keep_alive: Duration,
    /// Time a response may wait for a client that stopped reading.
    pub(crate) write_stall: Duration,
    /// Time requests in flight get to finish when their connection is asked to close.
    pub(crate) grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            first_byte: Duration::from_secs(10),
            headers: Duration::from_secs(10),
            keep_alive: Duration::from_secs(60),
            write_stall: Duration::from_secs(30),
            grace: Duration::from_secs(5),
        }
    }
}
