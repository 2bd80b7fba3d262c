//! The open connections of one listener, at most a cap of them: a connection past the cap
//! closes the one idle the longest (a connection without a request in flight: a silent or
//! slow-to-speak client first of all); when none is idle, the listener waits for one to end.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use foldhash::HashMap;
use tokio::sync::Notify;

use super::watched::ConnState;

/// Every open connection.
#[derive(Debug)]
pub(super) struct Registry {
    cap: usize,
    open: Mutex<Open>,
    /// A connection ended.
    ended: Notify,
}

#[derive(Debug, Default)]
struct Open {
    next: u64,
    conns: HashMap<u64, Arc<ConnState>>,
}

/// A connection's place in the registry; it leaves when this drops.
#[derive(Debug)]
pub(super) struct Slot {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.lock().conns.remove(&self.id);
        self.registry.ended.notify_waiters();
    }
}

impl Registry {
    pub(super) fn new(cap: usize) -> Arc<Registry> {
        Arc::new(Registry {
            cap: cap.max(1),
            open: Mutex::new(Open::default()),
            ended: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connections open (those asked to close included, until they have).
    pub(super) fn len(&self) -> usize {
        self.lock().conns.len()
    }

    /// Makes room for one more connection: at the cap, asks the connection idle the longest to
    /// close and returns at once; with none idle, waits until one ends.
    pub(super) async fn room(&self) {
        loop {
            let ended = self.ended.notified();
            {
                let open = self.lock();
                let staying = open.conns.values().filter(|c| !c.is_evicted()).count();
                if staying < self.cap {
                    return;
                }
                let oldest_idle = open
                    .conns
                    .values()
                    .filter(|c| !c.is_evicted())
                    .filter_map(|c| c.idle_since().map(|since| (since, c)))
                    .min_by_key(|(since, _)| *since);
                if let Some((_, conn)) = oldest_idle {
                    conn.evict();
                    return;
                }
            }
            ended.await;
        }
    }

    /// Registers a connection.
    pub(super) fn join(self: &Arc<Self>, state: Arc<ConnState>) -> Slot {
        let mut open = self.lock();
        let id = open.next;
        open.next += 1;
        open.conns.insert(id, state);
        Slot {
            registry: Arc::clone(self),
            id,
        }
    }

    /// Asks every connection to close (the listener stops).
    pub(super) fn evict_all(&self) {
        for c in self.lock().conns.values() {
            c.evict();
        }
    }

    /// Waits until no connection is open.
    pub(super) async fn drained(&self) {
        loop {
            let ended = self.ended.notified();
            if self.len() == 0 {
                return;
            }
            ended.await;
        }
    }
}
