//! The loop end to end: keys and snapshots in through channels, frames and controls out.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::{mpsc, watch};

use crate::snapshot::{Control, Snapshot};
use crate::time::Window;
use crate::ui::event_loop::run_app;
use crate::ui::{Bell, UiOptions, fixture};

/// A `TestBackend` that records the screen text at every flush (one flush per drawn frame).
struct Recording {
    inner: TestBackend,
    frames: Arc<Mutex<Vec<String>>>,
}

impl Backend for Recording {
    type Error = std::convert::Infallible;
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(
        &mut self,
        content: I,
    ) -> Result<(), Self::Error> {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.frames.lock().unwrap().push(self.inner.to_string());
        self.inner.flush()
    }
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

struct Harness {
    events: mpsc::Sender<Event>,
    snapshots: watch::Sender<Arc<Snapshot>>,
    controls: mpsc::UnboundedReceiver<Control>,
    frames: Arc<Mutex<Vec<String>>>,
    bells: Arc<Mutex<u32>>,
}

impl Harness {
    fn frame_count(&self) -> usize {
        self.frames.lock().unwrap().len()
    }

    /// Lets the loop run until it is idle again (time is paused: sleeping advances it).
    async fn settle() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts `run_app` on a 80×24 recording backend; returns its join handle and the harness.
fn start(first: Snapshot) -> (tokio::task::JoinHandle<anyhow::Result<()>>, Harness) {
    let frames = Arc::new(Mutex::new(Vec::new()));
    let bells = Arc::new(Mutex::new(0));
    let (ev_tx, ev_rx) = mpsc::channel(16);
    let (snap_tx, snap_rx) = watch::channel(Arc::new(first));
    let (ctl_tx, ctl_rx) = mpsc::unbounded_channel();
    let backend = Recording {
        inner: TestBackend::new(80, 24),
        frames: Arc::clone(&frames),
    };
    let bell_count = Arc::clone(&bells);
    let opts = UiOptions {
        theme: "dark".into(),
        no_color: false,
        bell: Bell::Custom(Box::new(move || *bell_count.lock().unwrap() += 1)),
        flash: Duration::from_secs(2),
        shutdown: None,
        suspend: None,
        link: None,
    };
    let handle = tokio::spawn(async move {
        let mut terminal = Terminal::new(backend)?;
        run_app(
            &mut terminal,
            ev_rx,
            snap_rx,
            ctl_tx,
            None,
            fixture::now,
            opts,
        )
        .await
    });
    (
        handle,
        Harness {
            events: ev_tx,
            snapshots: snap_tx,
            controls: ctl_rx,
            frames,
            bells,
        },
    )
}

#[tokio::test(start_paused = true)]
async fn keys_drive_focus_zoom_window_help_and_quit() {
    let (handle, mut h) = start(fixture::snapshot());
    Harness::settle().await;
    assert_eq!(h.frame_count(), 1, "one first frame");
    for c in ['\t', 'z', 'w', '?', 'q'] {
        let event = if c == '\t' {
            Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE))
        } else {
            key(c)
        };
        h.events.send(event).await.unwrap();
        Harness::settle().await;
    }
    handle.await.unwrap().unwrap();
    assert_eq!(
        h.controls.try_recv().unwrap(),
        Control::SetWindow(Window::Last7d)
    );
    let frames = h.frames.lock().unwrap().clone();
    // First frame, then Tab, z, w, ? (q quits without drawing).
    assert_eq!(frames.len(), 5);
    insta::assert_snapshot!("loop_1_start", frames[0]);
    insta::assert_snapshot!("loop_2_tab_focuses_spend_chart", frames[1]);
    insta::assert_snapshot!("loop_3_zoom", frames[2]);
    insta::assert_snapshot!("loop_5_help", frames[4]);
}

#[tokio::test(start_paused = true)]
async fn unchanged_snapshot_causes_no_redraw() {
    // Acknowledged alarms: no flash whose end would (rightly) redraw.
    let quiet = || {
        let mut s = fixture::snapshot();
        s.alarms.iter_mut().for_each(|a| a.acknowledged = true);
        s
    };
    let (handle, h) = start(quiet());
    Harness::settle().await;
    assert_eq!(h.frame_count(), 1);
    // The same content again, as a new Arc, and the same Arc: nothing to draw.
    h.snapshots.send(Arc::new(quiet())).unwrap();
    Harness::settle().await;
    assert_eq!(h.frame_count(), 1, "equal snapshot redrew");
    h.snapshots.send_modify(|_| {});
    Harness::settle().await;
    assert_eq!(h.frame_count(), 1, "same Arc redrew");
    // Ten seconds of ticks with a fixed clock: the clock label never changes.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(h.frame_count(), 1, "no redraw without change");
    // A real change draws exactly once.
    let mut changed = quiet();
    changed.burn_rate_usd_per_hour = 99.0;
    h.snapshots.send(Arc::new(changed)).unwrap();
    Harness::settle().await;
    assert_eq!(h.frame_count(), 2);
    h.events.send(key('q')).await.unwrap();
    handle.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn new_alarm_rings_once_and_flashes_budgets() {
    let (handle, h) = start(fixture::snapshot());
    Harness::settle().await;
    // The fixture's one unacknowledged alarm rang on arrival.
    assert_eq!(*h.bells.lock().unwrap(), 1);
    let mut next = fixture::snapshot();
    next.burn_rate_usd_per_hour = 120.0;
    next.alarms.push(crate::snapshot::AlarmStatus {
        id: "spend_spike".into(),
        kind: "spend_spike".into(),
        severity: "critical".into(),
        since: fixture::now(),
        message: "burn $120/h is 3× the baseline".into(),
        acknowledged: false,
    });
    h.snapshots.send(Arc::new(next.clone())).unwrap();
    Harness::settle().await;
    assert_eq!(*h.bells.lock().unwrap(), 2);
    assert!(
        h.frames
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .contains("NEW ALARM")
    );
    // Same alarms again with other numbers: no second ring; the flash ends after ~2 s.
    next.burn_rate_usd_per_hour = 121.0;
    h.snapshots.send(Arc::new(next)).unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(*h.bells.lock().unwrap(), 2);
    assert!(
        !h.frames
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .contains("NEW ALARM")
    );
    h.events.send(key('q')).await.unwrap();
    handle.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn freeze_holds_the_picture_until_unfrozen() {
    let (handle, h) = start(fixture::snapshot());
    Harness::settle().await;
    h.events.send(key('p')).await.unwrap();
    Harness::settle().await;
    assert!(h.frames.lock().unwrap().last().unwrap().contains("FROZEN"));
    let mut changed = fixture::snapshot();
    changed.spend.month = crate::pricing::Money::from_usd(9_999.0);
    h.snapshots.send(Arc::new(changed)).unwrap();
    Harness::settle().await;
    let frames = h.frame_count();
    assert!(
        !h.frames
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .contains("$9,999.00")
    );
    h.events.send(key('p')).await.unwrap();
    Harness::settle().await;
    assert_eq!(h.frame_count(), frames + 1);
    assert!(
        h.frames
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .contains("$9,999.00")
    );
    drop(h.events);
    handle.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn mouse_click_focuses_the_pane_under_it() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (handle, h) = start(fixture::snapshot());
    Harness::settle().await;
    // At 80×24 the cache pane starts at row 11, column 0.
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 13,
        modifiers: KeyModifiers::NONE,
    };
    h.events.send(Event::Mouse(click)).await.unwrap();
    Harness::settle().await;
    let last = h.frames.lock().unwrap().last().unwrap().clone();
    assert!(last.contains("┏ cache ━"), "{last}");
    h.events.send(key('q')).await.unwrap();
    handle.await.unwrap().unwrap();
}

#[tokio::test(start_paused = true)]
async fn replay_keys_reach_the_replay_source_only_when_replaying() {
    use crate::snapshot::ReplayCommand;
    for (snap, expected) in [
        (fixture::replay_snapshot(), true),
        (fixture::snapshot(), false),
    ] {
        let (ev_tx, ev_rx) = mpsc::channel(16);
        let (_snap_tx, snap_rx) = watch::channel(Arc::new(snap));
        let (ctl_tx, _ctl_rx) = mpsc::unbounded_channel();
        let (rp_tx, mut rp_rx) = mpsc::unbounded_channel();
        for e in [
            key(' '),
            Event::Key(KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT)),
            key('N'),
            key('q'),
        ] {
            ev_tx.send(e).await.unwrap();
        }
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let opts = UiOptions {
            no_color: true,
            bell: Bell::Off,
            ..UiOptions::default()
        };
        run_app(
            &mut terminal,
            ev_rx,
            snap_rx,
            ctl_tx,
            Some(rp_tx),
            fixture::now,
            opts,
        )
        .await
        .unwrap();
        let got: Vec<ReplayCommand> = std::iter::from_fn(|| rp_rx.try_recv().ok()).collect();
        let want = [
            ReplayCommand::TogglePause,
            ReplayCommand::Seek(-3600),
            ReplayCommand::PrevAlarm,
        ];
        assert_eq!(got, if expected { want.to_vec() } else { Vec::new() });
    }
}
