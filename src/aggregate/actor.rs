//! The aggregator actor: one task owns the [`State`]; a cloneable [`AggregatorHandle`] talks to
//! it. Sources feed it over a bounded channel; it publishes `Arc<Snapshot>` through a
//! `tokio::sync::watch`, at most every 100 ms and only when something changed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::settings::Settings;
use super::state::State;
use crate::snapshot::{Control, GroupBy, Snapshot, StreamView};
use crate::time::Clock;
use crate::usage::{SOURCE_CHANNEL_CAPACITY, SourceMsg};

/// Shortest time between two published snapshots.
const PUBLISH_INTERVAL: Duration = Duration::from_millis(100);
/// How often time-dependent figures (windows, burn rates, alarms) are looked at when idle.
const TICK: Duration = Duration::from_secs(1);

enum Command {
    Snapshot {
        group_by: Option<GroupBy>,
        reply: oneshot::Sender<Arc<Snapshot>>,
    },
    WhenCaughtUp {
        sources: usize,
        reply: oneshot::Sender<()>,
    },
    Subscribe {
        view: StreamView,
        reply: oneshot::Sender<watch::Receiver<Arc<Snapshot>>>,
    },
}

/// A cloneable way to reach the aggregator; the actor stops when the last handle is dropped.
#[derive(Clone)]
pub struct AggregatorHandle {
    commands: mpsc::Sender<Command>,
    sources: mpsc::Sender<SourceMsg>,
    controls: mpsc::UnboundedSender<Control>,
    snapshots: watch::Receiver<Arc<Snapshot>>,
}

impl AggregatorHandle {
    /// Starts the actor on the current tokio runtime.
    pub fn spawn(settings: Settings, clock: Arc<dyn Clock>) -> AggregatorHandle {
        Self::start(settings, clock, true)
    }

    /// Starts an actor that publishes nothing by itself and answers only `snapshot_now`:
    /// for one-shot commands, where a snapshot every 100 ms of loading is wasted work.
    pub(crate) fn spawn_quiet(settings: Settings, clock: Arc<dyn Clock>) -> AggregatorHandle {
        Self::start(settings, clock, false)
    }

    fn start(settings: Settings, clock: Arc<dyn Clock>, live: bool) -> AggregatorHandle {
        let (commands, command_rx) = mpsc::channel(16);
        let (sources, source_rx) = mpsc::channel(SOURCE_CHANNEL_CAPACITY);
        let (controls, control_rx) = mpsc::unbounded_channel();
        let mut state = State::new(settings);
        // From the first record on, history older than the detail horizon is counted per hour.
        state.compact(clock.now());
        let first = Arc::new(state.snapshot(clock.now(), None));
        let (snap_tx, snapshots) = watch::channel(first);
        let actor = Actor {
            state,
            clock,
            snap_tx,
            published_version: 0,
            published_minute: 0,
            last_publish: Instant::now(),
            waiters: Vec::new(),
            views: Vec::new(),
            live,
        };
        tokio::spawn(actor.run(command_rx, source_rx, control_rx));
        AggregatorHandle {
            commands,
            sources,
            controls,
            snapshots,
        }
    }

    /// A sender for a source task (bounded: a fast source waits, nothing is dropped).
    pub fn source_sender(&self) -> mpsc::Sender<SourceMsg> {
        self.sources.clone()
    }

    /// A sender for dashboard controls (window, acknowledge).
    pub fn control_sender(&self) -> mpsc::UnboundedSender<Control> {
        self.controls.clone()
    }

    /// Published snapshots.
    pub fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }

    /// A fresh snapshot at the clock's now, after everything already queued by sources is
    /// applied; with `--by` rows when `group_by` is given.
    pub async fn snapshot_now(&self, group_by: Option<GroupBy>) -> Option<Arc<Snapshot>> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(Command::Snapshot { group_by, reply })
            .await
            .ok()?;
        rx.await.ok()
    }

    /// Snapshots of `view`, published with the aggregator's own (when something changed, at
    /// most every 100 ms); the view is built only while someone holds a receiver of it.
    /// `None` when the aggregator has stopped.
    pub async fn subscribe(&self, view: StreamView) -> Option<watch::Receiver<Arc<Snapshot>>> {
        if view.is_published() {
            return Some(self.snapshots());
        }
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(Command::Subscribe { view, reply })
            .await
            .ok()?;
        rx.await.ok()
    }

    /// Resolves once `sources` sources reported that they read their history.
    pub async fn caught_up(&self, sources: usize) {
        let (reply, rx) = oneshot::channel();
        if self
            .commands
            .send(Command::WhenCaughtUp { sources, reply })
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

struct Actor {
    state: State,
    clock: Arc<dyn Clock>,
    snap_tx: watch::Sender<Arc<Snapshot>>,
    published_version: u64,
    published_minute: i64,
    last_publish: Instant,
    waiters: Vec<(usize, oneshot::Sender<()>)>,
    /// Views stream readers asked for, each published beside the aggregator's own.
    views: Vec<(StreamView, watch::Sender<Arc<Snapshot>>)>,
    /// Publishes snapshots on its own (false: only on request).
    live: bool,
}

impl Actor {
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut sources: mpsc::Receiver<SourceMsg>,
        mut controls: mpsc::UnboundedReceiver<Control>,
    ) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut sources_open = true;
        loop {
            let publish_due = self.last_publish + PUBLISH_INTERVAL;
            let dirty = self.live && self.state.version() != self.published_version;
            // Order matters under a burst (a source always ready): controls, answers and publishing
            // come first, so the screen keeps drawing while a million records are counted.
            tokio::select! {
                biased;
                Some(control) = controls.recv() => match control {
                    Control::SetWindow(w) => {
                        self.state.set_window(w);
                        self.publish();
                    }
                    Control::AcknowledgeAlarms => {
                        self.state.acknowledge_alarms();
                        self.publish();
                    }
                },
                cmd = commands.recv() => match cmd {
                    None => break,
                    Some(Command::Snapshot { group_by, reply }) => {
                        // Everything queued before the request is counted first.
                        for _ in 0..sources.len() {
                            match sources.try_recv() {
                                Ok(msg) => self.state.apply(msg),
                                Err(_) => break,
                            }
                        }
                        self.answer_waiters();
                        let now = self.clock.now();
                        self.state.compact(now);
                        self.state.evaluate_alarms(now);
                        let _ = reply.send(Arc::new(self.state.snapshot(now, group_by.as_ref())));
                    }
                    Some(Command::WhenCaughtUp { sources, reply }) => {
                        self.waiters.push((sources, reply));
                        self.answer_waiters();
                    }
                    Some(Command::Subscribe { view, reply }) => {
                        let _ = reply.send(self.subscribe(view));
                    }
                },
                () = tokio::time::sleep_until(publish_due), if dirty => self.publish(),
                msg = sources.recv(), if sources_open => match msg {
                    Some(msg) => {
                        self.state.apply(msg);
                        // Take what else is queued (at most a channel's worth) before looking
                        // at anything else.
                        for _ in 0..SOURCE_CHANNEL_CAPACITY {
                            match sources.try_recv() {
                                Ok(msg) => self.state.apply(msg),
                                Err(_) => break,
                            }
                        }
                        self.answer_waiters();
                    }
                    None => sources_open = false,
                },
                _ = tick.tick(), if self.live => {
                    let minute = self.clock.now().timestamp().div_euclid(60);
                    if minute != self.published_minute {
                        self.publish();
                    }
                }
            }
        }
    }

    fn answer_waiters(&mut self) {
        let done = self.state.caught_up();
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiters)
            .into_iter()
            .partition(|(n, _)| *n <= done);
        for (_, reply) in ready {
            let _ = reply.send(());
        }
        self.waiters = waiting;
    }

    fn publish(&mut self) {
        let now = self.clock.now();
        self.state.compact(now);
        self.state.evaluate_alarms(now);
        let snap = Arc::new(self.state.snapshot(now, None));
        self.published_version = self.state.version();
        self.published_minute = now.timestamp().div_euclid(60);
        self.last_publish = Instant::now();
        self.publish_views(now, &snap);
        self.snap_tx.send_replace(snap);
    }

    /// A receiver of `view`'s snapshots: shared with the readers of the same view, and the
    /// first of them gets a snapshot at once.
    fn subscribe(&mut self, view: StreamView) -> watch::Receiver<Arc<Snapshot>> {
        self.views.retain(|(_, tx)| tx.receiver_count() > 0);
        if let Some((_, tx)) = self.views.iter().find(|(v, _)| *v == view) {
            return tx.subscribe();
        }
        let published = self.snap_tx.borrow().clone();
        let snap = self.view_of(&view, self.clock.now(), &published);
        let (tx, rx) = watch::channel(snap);
        self.views.push((view, tx));
        rx
    }

    /// Publishes every view someone still reads, and forgets the others.
    fn publish_views(&mut self, now: chrono::DateTime<chrono::Utc>, published: &Arc<Snapshot>) {
        self.views.retain(|(_, tx)| tx.receiver_count() > 0);
        for (view, tx) in &self.views {
            tx.send_replace(self.view_of(view, now, published));
        }
    }

    /// `view` at `now`: the published snapshot itself when the view adds nothing to it.
    fn view_of(
        &self,
        view: &StreamView,
        now: chrono::DateTime<chrono::Utc>,
        published: &Arc<Snapshot>,
    ) -> Arc<Snapshot> {
        let window = view.window.unwrap_or(self.state.settings().window);
        if view.by.is_none() && window == self.state.settings().window && published.as_of == now {
            return Arc::clone(published);
        }
        Arc::new(self.state.snapshot_in(now, window, view.by.as_ref()))
    }
}
