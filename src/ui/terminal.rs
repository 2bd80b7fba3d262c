//! The real terminal: raw mode, alternate screen, mouse; restored on every way out.
//!
//! Restoration happens on normal return, on error (a drop guard), on panic (a hook that restores
//! first, then calls the previous hook) and on Ctrl-C, SIGTERM and SIGHUP (signals end the loop,
//! then the guard restores; a hung-up terminal makes the writes fail, which is ignored).
//!
//! Ctrl-Z (a key in raw mode) and SIGTSTP give the terminal back before the process stops and
//! take it again on `fg`, then the screen is drawn whole; after a stop costtop did not see
//! coming (SIGSTOP) the terminal is set up again on SIGCONT. A resize is drawn whole too.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::thread;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyModifiers,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot, watch};

use super::event_loop::run_app;
use super::options::{Suspend, UiOptions};
use crate::snapshot::{Control, ReplayCommand, Snapshot};

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
pub(crate) async fn run_terminal_with_clock(
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
    let (tx, events) = mpsc::channel(256);
    let stop_reader = spawn_event_reader(tx.clone());
    let job_control = tokio::spawn(forward_job_control(tx.downgrade()));
    drop(tx);
    opts.suspend = Some(Suspend(Box::new(suspend)));
    let result = run_app(&mut term, events, snapshots, controls, replay, clock, opts).await;
    stop_reader.store(true, Ordering::Relaxed);
    signals.abort();
    job_control.abort();
    drop(term);
    drop(guard);
    result
}

/// Enters dashboard mode; leaves it when dropped.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        let guard = TerminalGuard;
        take_terminal()?;
        Ok(guard)
    }
}

/// Raw mode, the alternate screen, mouse reports, no cursor.
fn take_terminal() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )
}

/// Ctrl-Z: gives the terminal back as the shell had it, stops the whole process (SIGSTOP: a
/// SIGTSTP would only reach costtop's own handler), and takes the terminal again once `fg`
/// (SIGCONT) lets it run.
fn suspend() {
    restore();
    if let Err(e) = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSTOP) {
        tracing::warn!("cannot stop: {e}");
    }
    if let Err(e) = take_terminal() {
        tracing::warn!("cannot take the terminal back: {e}");
    }
}

/// Job control by signal: SIGTSTP (`kill -TSTP`, a shell's suspend) is handled as Ctrl-Z;
/// SIGCONT after a stop costtop did not see coming (SIGSTOP) sets raw mode and the alternate
/// screen up again (the shell may have reset them) and redraws.
/// Holds the event channel only weakly: when the reader thread ends (the terminal is gone),
/// the dashboard sees the channel close.
async fn forward_job_control(events: mpsc::WeakSender<Event>) {
    let (Ok(mut tstp), Ok(mut cont)) = (
        signal(SignalKind::from_raw(nix::libc::SIGTSTP)),
        signal(SignalKind::from_raw(nix::libc::SIGCONT)),
    ) else {
        tracing::warn!("could not install job-control signal handlers");
        return;
    };
    loop {
        let event = tokio::select! {
            _ = tstp.recv() => Event::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)),
            _ = cont.recv() => {
                if ACTIVE.load(Ordering::SeqCst) {
                    let _ = terminal::disable_raw_mode();
                    let _ = take_terminal();
                }
                let (w, h) = terminal::size().unwrap_or((80, 24));
                Event::Resize(w, h)
            }
        };
        match events.upgrade() {
            Some(tx) if tx.send(event).await.is_ok() => {}
            _ => return,
        }
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

/// Reads terminal events on a dedicated thread (crossterm's reader blocks) into `tx`.
/// Set the returned flag to stop it; it notices within a quarter second.
fn spawn_event_reader(tx: mpsc::Sender<Event>) -> Arc<AtomicBool> {
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
    stop
}
