//! What differs on a screen attached to another costtop (`costtop attach`): keys that would
//! change that costtop, and the link's changes the loop waits on.

use tokio::sync::watch;

use super::keymap::Action;
use crate::attach::Link;

/// Why a key that would change the costtop behind the screen does nothing when attached.
pub(super) fn unavailable_when_attached(action: Action) -> Option<&'static str> {
    match action {
        Action::Acknowledge => {
            Some("unavailable when attached: acknowledge alarms on the server's own screen")
        }
        Action::Replay(_) => Some("unavailable when attached: replay controls are the server's"),
        _ => None,
    }
}

/// The link's next state; `None` once its sender is gone. Never resolves when not attached.
pub(super) async fn link_changed(rx: &mut Option<watch::Receiver<Link>>) -> Option<Link> {
    match rx {
        Some(rx) => {
            rx.changed().await.ok()?;
            Some(rx.borrow_and_update().clone())
        }
        None => std::future::pending().await,
    }
}
