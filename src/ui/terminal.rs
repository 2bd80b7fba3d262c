//! The real terminal: raw mode, alternate screen, mouse; restored on every way out.
//!
//! Restoration happens on normal return, on error (a drop guard), on panic (a hook that restores
//! first, then calls the previous hook) and on Ctrl-C, SIGTERM and SIGHUP (signals end the loop,
//! then the guard restores).

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::thread;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot, watch};

use super::{ReplayCommand, UiOptions, app::run_app};
use crate::aggregate::{Control, Snapshot};

/// Set while the terminal is in dashboard mode, so the panic hook knows to restore it.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Runs the dashboard on the process's terminal until the user quits or a signal arrives.
pub async fn run_terminal(
    snapshots: watch::Receiver<Arc<Snapshot>>,
    controls: mpsc::UnboundedSender<Control>,
    replay: Option<mpsc::UnboundedSender<ReplayCommand>>,
    opts: UiOptions,
) -> anyhow::Result<()> {
    run_terminal_with_clock(snapshots, controls, replay, opts, Utc::now).await
}

/// [`run_terminal`] with another "now" for the live clock and source lag (the demo's
/// simulated time).
pub async fn run_terminal_with_clock(
    snapshots: watch::Receiver<Arc<Snapshot>>,
    controls: mpsc::UnboundedSender<Control>,
    replay: Option<mpsc::UnboundedSender<ReplayCommand>>,
    mut opts: UiOptions,
    clock: impl Fn() -> DateTime<Utc>,
) -> anyhow::Result<()> {
    install_panic_hook();
    let (signal_tx, signal_rx) = oneshot::channel();
    let outer_shutdown = opts.shutdown.replace(signal_rx);
    let signals = tokio::spawn(wait_for_signals(outer_shutdown, signal_tx));
    let guard = TerminalGuard::enter()?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    let (events, stop_reader) = spawn_event_reader();
    let result = run_app(&mut term, events, snapshots, controls, replay, clock, opts).await;
    stop_reader.store(true, Ordering::Relaxed);
    signals.abort();
    drop(term);
    drop(guard);
    result
}

/// Enters dashboard mode; leaves it when dropped.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        terminal::enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as the shell had it; safe to call twice.
fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out: Stdout = io::stdout();
        // Best effort: there is nobody left to report a failure to.
        let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Ends the dashboard on SIGINT, SIGTERM, SIGHUP or the caller's own shutdown.
async fn wait_for_signals(outer: Option<oneshot::Receiver<()>>, done: oneshot::Sender<()>) {
    let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("could not install signal handlers");
        return std::future::pending().await;
    };
    let outer = async {
        match outer {
            Some(rx) => {
                let _ = rx.await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM"),
        _ = hup.recv() => tracing::info!("SIGHUP"),
        _ = int.recv() => tracing::info!("SIGINT"),
        () = outer => {}
    }
    let _ = done.send(());
}

/// Reads terminal events on a dedicated thread (crossterm's reader blocks) into a channel.
/// Set the returned flag to stop it; it notices within a quarter second.
fn spawn_event_reader() -> (mpsc::Receiver<Event>, Arc<AtomicBool>) {
    let (tx, rx) = mpsc::channel(256);
    let stop = Arc::new(AtomicBool::new(false));
    let stop_flag = Arc::clone(&stop);
    let spawned = thread::Builder::new()
        .name("costtop-input".into())
        .spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                match crossterm::event::poll(Duration::from_millis(250)) {
                    Ok(false) => {}
                    Ok(true) => match crossterm::event::read() {
                        Ok(event) => {
                            if tx.blocking_send(event).is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "terminal read failed");
                            break;
                        }
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "terminal poll failed");
                        break;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the input thread");
    }
    (rx, stop)
}
