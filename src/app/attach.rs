//! `costtop attach URL`: the dashboard over another costtop's snapshot stream instead of a
//! local aggregator. `w` asks the server for another view of its records; the keys that
//! would change the server (acknowledge, replay) say they are unavailable.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use tokio::sync::{mpsc, watch};

use super::setup::{list_themes_if_asked, ui_options};
use crate::attach::{self, Link, Target};
use crate::cli::AttachArgs;
use crate::config::Config;
use crate::snapshot::{Control, Snapshot, StreamView};

/// Where the token may come from besides `--token-file`.
const TOKEN_ENV: &str = "COSTTOP_TOKEN";

pub(super) async fn run_attach(args: AttachArgs) -> Result<ExitCode> {
    if list_themes_if_asked(&args.ui) {
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load(args.config.as_deref())?;
    let mut opts = ui_options(&args.ui, &config)?;
    let token = read_token(&args)?;
    let target = Target::new(&args.url, token.as_deref()).map_err(anyhow::Error::msg)?;
    let view = StreamView {
        window: args.window,
        by: None,
    };
    // A refusal (a bad token, no stream there) stops here, before the screen is taken; an
    // unreachable server is waited for on the screen.
    let first = attach::open(&target, &view).await;
    if let Some(refusal) = first.refusal() {
        bail!("{}: {refusal}", target.server());
    }
    let (snap_tx, snap_rx) = watch::channel(Arc::new(Snapshot::default()));
    let (link_tx, link_rx) = watch::channel(Link::connecting(target.server()));
    let (view_tx, view_rx) = watch::channel(view);
    let (control_tx, controls) = mpsc::unbounded_channel();
    let stream = tokio::spawn(attach::run(target, first, view_rx, snap_tx, link_tx));
    let views = tokio::spawn(forward_views(controls, view_tx));
    opts.link = Some(link_rx);
    let shown = crate::ui::run_terminal(snap_rx, control_tx, None, opts).await;
    stream.abort();
    views.abort();
    shown?;
    Ok(ExitCode::SUCCESS)
}

/// The token from `--token-file`, else `COSTTOP_TOKEN`; errors never show it.
fn read_token(args: &AttachArgs) -> Result<Option<String>> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--token-file {}", path.display()))?;
        if text.trim().is_empty() {
            bail!("--token-file {}: the file is empty", path.display());
        }
        return Ok(Some(text.trim().to_owned()));
    }
    Ok(std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty()))
}

/// The screen's window changes become the view the stream asks for.
async fn forward_views(
    mut controls: mpsc::UnboundedReceiver<Control>,
    views: watch::Sender<StreamView>,
) {
    while let Some(control) = controls.recv().await {
        match control {
            Control::SetWindow(window) => {
                views.send_if_modified(|v| {
                    let changed = v.window != Some(window);
                    v.window = Some(window);
                    changed
                });
            }
            // The screen does not send it when attached.
            Control::AcknowledgeAlarms => {}
        }
    }
}
