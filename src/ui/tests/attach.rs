//! The dashboard attached to another costtop: the server while live, STALE with why and the
//! next try when the stream is lost, and the keys that would change the server refused.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};

use crate::attach::{Link, LinkState};
use crate::snapshot::Control;
use crate::ui::draw::{View, render_screen};
use crate::ui::event_loop::run_app;
use crate::ui::theme::Theme;
use crate::ui::{Bell, UiOptions, fixture};

fn live() -> Link {
    Link {
        server: "ops-costtop.internal:9871".into(),
        state: LinkState::Live,
        last_snapshot: Some(fixture::now()),
    }
}

fn lost() -> Link {
    let now = fixture::now();
    Link {
        server: "ops-costtop.internal:9871".into(),
        state: LinkState::Lost {
            since: now - TimeDelta::seconds(12),
            reason: "cannot connect: Connection refused (os error 111)".into(),
            retry_at: now + TimeDelta::seconds(4),
        },
        last_snapshot: Some(now - TimeDelta::seconds(13)),
    }
}

fn screen(w: u16, h: u16, link: Link) -> String {
    let view = View {
        link: Some(link),
        ..View::default()
    };
    let theme = Theme::load("dark").unwrap();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        render_screen(f, &fixture::snapshot(), &view, &theme, fixture::now());
    })
    .unwrap();
    t.backend().to_string()
}

#[test]
fn attached_and_live_names_the_server_in_place_of_live() {
    let text = screen(120, 40, live());
    assert!(text.contains("⇄ ops-costtop.internal:9871"), "{text}");
    assert!(!text.contains("LIVE") && !text.contains("STALE"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn disconnected_at_80x24_is_stale_with_why_and_the_next_try() {
    let text = screen(80, 24, lost());
    assert!(text.contains("STALE"), "{text}");
    assert!(text.contains("Connection refused"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn disconnected_at_200x50() {
    insta::assert_snapshot!(screen(200, 50, lost()));
}

#[test]
fn stale_stays_in_a_narrow_title_bar() {
    let text = screen(60, 20, lost());
    let title = text.lines().next().unwrap();
    assert!(title.contains("STALE"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn keys_that_would_change_the_server_say_so_and_send_nothing() {
    let (ev_tx, ev_rx) = mpsc::channel(16);
    let (_snap_tx, snap_rx) = watch::channel(Arc::new(fixture::snapshot()));
    let (ctl_tx, mut ctl_rx) = mpsc::unbounded_channel();
    let (_link_tx, link_rx) = watch::channel(live());
    let opts = UiOptions {
        no_color: true,
        bell: Bell::Off,
        link: Some(link_rx),
        ..UiOptions::default()
    };
    let backend = TestBackend::new(100, 30);
    let loop_task = tokio::spawn(async move {
        let mut terminal = Terminal::new(backend).unwrap();
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
        .unwrap();
        terminal.backend().to_string()
    });
    let press = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    ev_tx.send(press('a')).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    ev_tx.send(press('w')).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    ev_tx.send(press('a')).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    ev_tx.send(press('q')).await.unwrap();
    let last = loop_task.await.unwrap();
    // `a` asked nothing of the server; `w` asked for the next window (a view of its own).
    assert_eq!(
        ctl_rx.recv().await,
        Some(Control::SetWindow(crate::time::Window::Today.next()))
    );
    assert_eq!(ctl_rx.try_recv().ok(), None);
    assert!(last.contains("unavailable when attached"), "{last}");
}
