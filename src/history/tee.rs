//! The history in a run: read back as one more source, and kept up to date from what the
//! live sources deliver.
//!
//! At start the history is read and its records (in the run's time range) are sent on, as a
//! source would. Then a tee stands between the live sources and the aggregator: a record the
//! history already delivered (same key at the same or a higher rank; or, without a key, a
//! copy the history holds as many times) is not passed on — the aggregator counted it from
//! the history — and every other record is passed on at once and handed to a writer thread,
//! which appends what the file does not hold yet (see `append.rs`) in blocks: every
//! [`BLOCK_RECORDS`] records, [`FLUSH_AFTER`] after the first one waiting, and when the run
//! ends. A failing disk never holds monitoring up: the writer keeps what it could not write
//! (up to [`PENDING_LIMIT`] records, then drops and counts) and retries every [`RETRY`].

use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::append::{Appender, BLOCK_RECORDS, Candidate};
use super::file::{self, OpenError, Summary};
use super::index::{Identity, Known, Occurrences, identity};
use crate::usage::{EventKind, SOURCE_CHANNEL_CAPACITY, SourceHealth, SourceMsg, SourceState};

/// Longest a record waits in memory before it is written.
pub(crate) const FLUSH_AFTER: Duration = Duration::from_secs(5);
/// How often a failing write is tried again.
const RETRY: Duration = Duration::from_secs(5);
/// Longest the writer waits for another costtop's lock (appends take milliseconds).
const LOCK_PATIENCE: Duration = Duration::from_secs(5);
/// Records kept while the file cannot be written.
const PENDING_LIMIT: usize = 1 << 20;
/// Records sent to the aggregator per message while the history is read.
const BATCH: usize = 1024;

/// What the writer thread is asked.
enum ToWriter {
    Records(Vec<Candidate>),
    Flush(oneshot::Sender<()>),
}

/// The history of a running command: flush it before the process ends.
pub(crate) struct Keeper {
    tee: tokio::task::JoinHandle<()>,
    writer: Option<std::thread::JoinHandle<()>>,
    flush: std_mpsc::SyncSender<ToWriter>,
}

impl Keeper {
    /// Waits until everything handed to the writer so far is written (or failed).
    pub(crate) async fn flush(&self) {
        let (reply, done) = oneshot::channel();
        let flush = self.flush.clone();
        let sent = tokio::task::spawn_blocking(move || flush.send(ToWriter::Flush(reply))).await;
        if matches!(sent, Ok(Ok(()))) {
            let _ = done.await;
        }
    }

    /// Waits for the sources to end, then for the writer to write what it has.
    pub(crate) async fn finish(self) {
        let _ = self.tee.await;
        drop(self.flush);
        if let Some(writer) = self.writer {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }
}

/// Reads the history at `path`, sends its records timed in `[since, until)` to `downstream`,
/// and starts the tee and the writer; returns the sender live sources should use, the keeper,
/// and what reading found. Fails only when the file exists and is not a history, or cannot
/// be read.
pub(crate) async fn start(
    path: &Path,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    downstream: mpsc::Sender<SourceMsg>,
) -> Result<(mpsc::Sender<SourceMsg>, Keeper, Summary), OpenError> {
    let path = path.to_path_buf();
    let to_aggregator = downstream.clone();
    let read = tokio::task::spawn_blocking(move || {
        read_back(&path, since, until, &to_aggregator).map(|r| (path, r))
    })
    .await
    .unwrap_or_else(|e| {
        Err(OpenError::Io {
            path: std::path::PathBuf::default(),
            source: std::io::Error::other(e.to_string()),
        })
    })?;
    let (path, (held, delivered, summary)) = read;
    let name = format!("history {}", path.display());
    let health = SourceHealth {
        name: name.clone(),
        state: summary
            .problem()
            .map_or(SourceState::Ok, SourceState::Error),
        lines: summary.records,
        parse_errors: summary.damaged.len() as u64 + u64::from(summary.incomplete.is_some()),
        first_error: summary.problem(),
        last_event: summary.last,
        files: 1,
        naive_times: 0,
        compactions: 0,
        receiver: None,
        proxy: None,
        note: None,
    };
    let _ = downstream.send(SourceMsg::Health(health.clone())).await;
    let appender = Appender::new(&path, held, &summary);
    let (to_writer, from_tee) = std_mpsc::sync_channel::<ToWriter>(64);
    let writer = Writer {
        appender,
        health,
        to_aggregator: downstream.clone(),
        pending: Vec::new(),
        oldest: None,
        retry_at: None,
        dropped: 0,
    };
    let writer = std::thread::Builder::new()
        .name("costtop-history".into())
        .spawn(move || writer.run(&from_tee))
        .map_err(|e| tracing::error!("history: cannot start the writer: {e}"))
        .ok();
    let (tx, rx) = mpsc::channel(SOURCE_CHANNEL_CAPACITY);
    let tee = tokio::spawn(tee(rx, downstream, to_writer.clone(), delivered));
    Ok((
        tx,
        Keeper {
            tee,
            writer,
            flush: to_writer,
        },
        summary,
    ))
}

/// Reads the whole history: what it holds, what was sent on (in range), what was found.
fn read_back(
    path: &Path,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    downstream: &mpsc::Sender<SourceMsg>,
) -> Result<(Known, Known, Summary), OpenError> {
    let mut held = Known::default();
    let mut delivered = Known::default();
    let mut batch = Vec::with_capacity(BATCH);
    let summary = file::visit(path, 0, true, |_, records| {
        for r in records {
            let id = identity(&r);
            held.add(id, r.rank);
            if since.is_some_and(|s| r.timestamp < s) || until.is_some_and(|u| r.timestamp >= u) {
                continue;
            }
            delivered.add(id, r.rank);
            batch.push(r);
            if batch.len() >= BATCH {
                let _ = downstream.blocking_send(SourceMsg::Events(std::mem::take(&mut batch)));
            }
        }
    })?;
    if !batch.is_empty() {
        let _ = downstream.blocking_send(SourceMsg::Events(batch));
    }
    Ok((held, delivered, summary))
}

/// Passes every message on, leaving out records the history delivered, and hands the others
/// to the writer.
async fn tee(
    mut rx: mpsc::Receiver<SourceMsg>,
    downstream: mpsc::Sender<SourceMsg>,
    writer: std_mpsc::SyncSender<ToWriter>,
    delivered: Known,
) {
    let mut seen = Occurrences::default();
    let mut waiting: Vec<Candidate> = Vec::new();
    while let Some(msg) = rx.recv().await {
        let msg = match msg {
            SourceMsg::Events(events) => {
                let mut forward = Vec::with_capacity(events.len());
                for e in events {
                    let copy = match identity(&e) {
                        _ if e.kind == EventKind::Bucket => {
                            // The Admin API keeps its own history: buckets are not kept here.
                            forward.push(e);
                            continue;
                        }
                        Identity::Key(key) if delivered.covers_key(key, e.rank) => continue,
                        Identity::Key(_) => 0,
                        Identity::Content(hash) => {
                            let copy = seen.next(hash);
                            if copy < delivered.count(hash) {
                                continue;
                            }
                            copy
                        }
                    };
                    waiting.push(Candidate {
                        event: e.clone(),
                        copy,
                    });
                    forward.push(e);
                }
                if !waiting.is_empty() {
                    // The writer is stuck (a hanging disk): keep them for the next message.
                    if let Err(std_mpsc::TrySendError::Full(ToWriter::Records(back))) =
                        writer.try_send(ToWriter::Records(std::mem::take(&mut waiting)))
                    {
                        waiting = back;
                        waiting.truncate(PENDING_LIMIT);
                    }
                }
                if forward.is_empty() {
                    continue;
                }
                SourceMsg::Events(forward)
            }
            other => other,
        };
        if downstream.send(msg).await.is_err() {
            break;
        }
    }
    if !waiting.is_empty() {
        let _ = tokio::task::spawn_blocking(move || writer.send(ToWriter::Records(waiting))).await;
    }
}

/// The writer thread's state.
struct Writer {
    appender: Appender,
    health: SourceHealth,
    to_aggregator: mpsc::Sender<SourceMsg>,
    pending: Vec<Candidate>,
    oldest: Option<Instant>,
    retry_at: Option<Instant>,
    dropped: u64,
}

impl Writer {
    fn run(mut self, from_tee: &std_mpsc::Receiver<ToWriter>) {
        if self.appender.damaged() {
            // Put the damage aside now, not at the first new record.
            self.write_even_if_empty();
        }
        loop {
            let due = match (self.oldest, self.retry_at) {
                (_, Some(retry)) => retry,
                (Some(oldest), None) => oldest + FLUSH_AFTER,
                (None, None) => Instant::now() + Duration::from_secs(3600),
            };
            match from_tee.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(ToWriter::Records(records)) => self.take(records),
                Ok(ToWriter::Flush(reply)) => {
                    self.write();
                    let _ = reply.send(());
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    self.write();
                    return;
                }
            }
            let full = self.pending.len() >= BLOCK_RECORDS;
            let due = self.retry_at.map_or_else(
                || self.oldest.is_some_and(|t| t.elapsed() >= FLUSH_AFTER),
                |t| Instant::now() >= t,
            );
            if (full && self.retry_at.is_none()) || due {
                self.write();
            }
        }
    }

    fn take(&mut self, records: Vec<Candidate>) {
        let room = PENDING_LIMIT.saturating_sub(self.pending.len());
        self.dropped += records.len().saturating_sub(room) as u64;
        self.pending.extend(records.into_iter().take(room));
        self.oldest.get_or_insert_with(Instant::now);
    }

    /// Appends what is pending; on failure keeps it and says why.
    fn write(&mut self) {
        if !self.pending.is_empty() {
            self.write_even_if_empty();
        }
    }

    fn write_even_if_empty(&mut self) {
        let state = match self.appender.append(&self.pending, LOCK_PATIENCE, true) {
            Ok(done) if done.busy => {
                // Another costtop holds the lock (stopped, or very slow): try again later.
                self.retry_at = Some(Instant::now() + RETRY);
                SourceState::Error(format!(
                    "another costtop holds the history's lock; {} records waiting",
                    self.pending.len()
                ))
            }
            Ok(done) => {
                self.pending.clear();
                self.oldest = None;
                self.retry_at = None;
                self.health.lines += done.records as u64;
                if let Some(aside) = done.repaired {
                    self.health.first_error = Some(format!("damage put aside in {aside}"));
                }
                match self.dropped {
                    0 => SourceState::Ok,
                    n => SourceState::Error(format!("{n} records could not be kept")),
                }
            }
            Err(e) => {
                let why = format!("cannot write {}: {e}", self.appender.path().display());
                tracing::warn!("history: {why}");
                self.retry_at = Some(Instant::now() + RETRY);
                SourceState::Error(format!("{why}; {} records waiting", self.pending.len()))
            }
        };
        self.health.state = state;
        let _ = self
            .to_aggregator
            .blocking_send(SourceMsg::Health(self.health.clone()));
    }
}
