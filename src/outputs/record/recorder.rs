//! The `--record` writer: a tee that passes every message on at once and hands the records'
//! lines to a writer thread, so a full, read-only, missing or hanging disk never holds up
//! monitoring. The writer reports its health (`record PATH`) to the aggregator, keeps lines
//! that could not be written (up to [`PENDING_LIMIT`] bytes; past that they are dropped and
//! counted) and retries every [`RETRY`], reopening the path, so recording resumes by itself
//! once the disk has room again.
//!
//! A failed write is cut back to the last complete line (when the file allows it) and written
//! again whole, so the file never holds half a record; if it cannot be cut back, the next write
//! starts on a new line.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::usage::{SOURCE_CHANNEL_CAPACITY, SourceHealth, SourceMsg, SourceState};

/// Bytes of lines kept while the file cannot be written.
pub(crate) const PENDING_LIMIT: usize = 64 << 20;
/// How often a failing file is tried again.
pub(crate) const RETRY: Duration = Duration::from_secs(5);
/// Batches of lines the tee may hand over before the writer catches up (then they wait as
/// pending lines of the tee's own, never blocking the tee).
const HANDOVER: usize = 64;

/// Starts the tee in front of `downstream` and the writer thread behind it, with `lines`
/// turning each message's records into lines; returns the sender sources should use.
pub(crate) fn spawn(
    path: &Path,
    downstream: mpsc::Sender<SourceMsg>,
    retry: Duration,
    lines: fn(&SourceMsg) -> Vec<String>,
) -> mpsc::Sender<SourceMsg> {
    let (tx, mut rx) = mpsc::channel::<SourceMsg>(SOURCE_CHANNEL_CAPACITY);
    let (batches, handed) = std_mpsc::sync_channel::<Vec<String>>(HANDOVER);
    let dropped = Arc::new(AtomicU64::new(0));
    let mut writer = Writer::new(path.to_path_buf(), downstream.clone(), Arc::clone(&dropped));
    let spawned = std::thread::Builder::new()
        .name("costtop-record".into())
        .spawn(move || writer.run(&handed, retry));
    if let Err(e) = spawned {
        tracing::error!("--record: cannot start the writer: {e}");
    }
    tokio::spawn(async move {
        let mut overflow: Vec<String> = Vec::new();
        let mut overflow_bytes = 0;
        while let Some(msg) = rx.recv().await {
            for line in lines(&msg) {
                // The writer is stuck in a write (a hanging disk): keep a bounded backlog.
                if overflow_bytes + line.len() > PENDING_LIMIT {
                    dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                overflow_bytes += line.len();
                overflow.push(line);
            }
            if !overflow.is_empty() {
                match batches.try_send(std::mem::take(&mut overflow)) {
                    Ok(()) => overflow_bytes = 0,
                    Err(std_mpsc::TrySendError::Full(back)) => overflow = back,
                    Err(std_mpsc::TrySendError::Disconnected(_)) => {}
                }
            }
            if downstream.send(msg).await.is_err() {
                break;
            }
        }
        // Sources are done: hand over what is left, waiting for the writer if need be.
        if !overflow.is_empty() {
            let _ = tokio::task::spawn_blocking(move || batches.send(overflow)).await;
        }
    });
    tx
}

/// The writer thread's state.
struct Writer {
    path: PathBuf,
    name: String,
    file: Option<File>,
    /// Lines not yet written, oldest first, and their bytes.
    pending: Vec<String>,
    pending_bytes: usize,
    written: u64,
    dropped: u64,
    /// Lines the tee dropped while this thread was stuck.
    dropped_before: Arc<AtomicU64>,
    error: Option<String>,
    first_error: Option<String>,
    retry_at: Option<Instant>,
    health: mpsc::Sender<SourceMsg>,
    sent: Option<SourceHealth>,
}

impl Writer {
    fn new(
        path: PathBuf,
        health: mpsc::Sender<SourceMsg>,
        dropped_before: Arc<AtomicU64>,
    ) -> Writer {
        Writer {
            name: format!("record {}", path.display()),
            path,
            file: None,
            pending: Vec::new(),
            pending_bytes: 0,
            written: 0,
            dropped: 0,
            dropped_before,
            error: None,
            first_error: None,
            retry_at: None,
            health,
            sent: None,
        }
    }

    fn run(&mut self, batches: &std_mpsc::Receiver<Vec<String>>, retry: Duration) {
        self.write_pending(retry);
        if !self.report() {
            return;
        }
        loop {
            let wait = self.retry_at.map_or(Duration::from_secs(3600), |t| {
                t.saturating_duration_since(Instant::now())
            });
            match batches.recv_timeout(wait) {
                Ok(batch) => {
                    self.take(batch);
                    while let Ok(more) = batches.try_recv() {
                        self.take(more);
                    }
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    self.write_pending(retry);
                    return;
                }
            }
            if self.retry_at.is_none_or(|t| Instant::now() >= t) {
                self.write_pending(retry);
            }
            if !self.report() {
                return;
            }
        }
    }

    /// Queues lines, dropping (and counting) what goes past [`PENDING_LIMIT`].
    fn take(&mut self, batch: Vec<String>) {
        for line in batch {
            if self.pending_bytes + line.len() + 1 > PENDING_LIMIT {
                self.dropped += 1;
                continue;
            }
            self.pending_bytes += line.len() + 1;
            self.pending.push(line);
        }
    }

    /// Writes every pending line, or notes why not and when to try again.
    fn write_pending(&mut self, retry: Duration) {
        if self.pending.is_empty() && self.file.is_some() {
            return;
        }
        match self.try_write() {
            Ok(()) => {
                self.written += self.pending.len() as u64;
                self.pending.clear();
                self.pending_bytes = 0;
                self.error = None;
                self.retry_at = None;
            }
            Err(e) => {
                let why = format!("cannot write {}: {e}", self.path.display());
                if self.error.as_ref() != Some(&why) {
                    tracing::warn!("--record: {why}");
                }
                self.first_error.get_or_insert_with(|| why.clone());
                self.error = Some(why);
                // Reopened next time: the path may point somewhere else by then.
                self.file = None;
                self.retry_at = Some(Instant::now() + retry);
            }
        }
    }

    fn try_write(&mut self) -> std::io::Result<()> {
        if self.file.is_none() {
            self.file = Some(open_on_new_line(&self.path)?);
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        if self.pending.is_empty() {
            return Ok(());
        }
        let good_len = file.metadata().map(|m| m.len()).ok();
        let mut buf = Vec::with_capacity(self.pending_bytes);
        for line in &self.pending {
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
        }
        let written = file.write_all(&buf).and_then(|()| file.flush());
        if written.is_err()
            && let Some(len) = good_len
        {
            // Cut a partly written batch back off; it is written again whole.
            let _ = file.set_len(len);
        }
        written
    }

    /// Sends the health when it changed; false when the aggregator is gone.
    fn report(&mut self) -> bool {
        let dropped = self.dropped + self.dropped_before.load(Ordering::Relaxed);
        let state = match &self.error {
            Some(why) => SourceState::Error(format!(
                "{why}; {} records waiting{}",
                self.pending.len(),
                match dropped {
                    0 => String::new(),
                    n => format!(", {n} dropped"),
                }
            )),
            None => SourceState::Ok,
        };
        let health = SourceHealth {
            naive_times: 0,
            compactions: 0,
            name: self.name.clone(),
            state,
            lines: self.written,
            parse_errors: dropped,
            first_error: self.first_error.clone(),
            last_event: None,
            files: 1,
            receiver: None,
            proxy: None,
            note: None,
        };
        if self.sent.as_ref() == Some(&health) {
            return true;
        }
        self.sent = Some(health.clone());
        self.health.blocking_send(SourceMsg::Health(health)).is_ok()
    }
}

/// Opens `path` for appending; if the file does not end with a newline (a write cut short
/// that could not be cut back), starts a new line so the next record is whole.
fn open_on_new_line(path: &Path) -> std::io::Result<File> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let len = file.metadata().map_or(0, |m| m.len());
    if len > 0 && file.metadata().is_ok_and(|m| m.is_file()) {
        let mut last = [0u8; 1];
        let mut reader = OpenOptions::new().read(true).open(path)?;
        reader.seek(SeekFrom::Start(len - 1))?;
        reader.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}
