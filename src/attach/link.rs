//! How the link to the attached costtop stands: what the screen shows in its title bar.

use chrono::{DateTime, Utc};

/// The state of the link to a running costtop's snapshot stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// The first connection is being made.
    Connecting,
    /// Snapshots arrive.
    Live,
    /// No stream: the screen shows the last snapshot, stale; another try is scheduled.
    Lost {
        /// When the stream was lost (or the first try failed).
        since: DateTime<Utc>,
        /// Why, in a few words (never the token).
        reason: String,
        /// When the next try starts.
        retry_at: DateTime<Utc>,
    },
}

/// The link to the attached costtop, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The server, as `host:port` (no credentials, no query).
    pub server: String,
    /// Where the link stands.
    pub state: LinkState,
    /// When the newest snapshot on screen arrived.
    pub last_snapshot: Option<DateTime<Utc>>,
}

impl Link {
    /// A link to `server` about to connect.
    pub fn connecting(server: impl Into<String>) -> Link {
        Link {
            server: server.into(),
            state: LinkState::Connecting,
            last_snapshot: None,
        }
    }

    /// Whether the snapshot on screen may be out of date (no live stream).
    pub fn is_stale(&self) -> bool {
        self.state != LinkState::Live
    }
}
