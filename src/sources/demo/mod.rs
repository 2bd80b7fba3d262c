//! `costtop demo`: a built-in simulated organisation, written to a temporary application
//! usage log that the real tail source follows, on a clock that runs `--speed` times fast.
//!
//! The organisation runs today's models, every request tagged `{feature, team, project}`
//! (and a session for conversations): `chat` (Sonnet 5.5, prompt-cached conversations,
//! 5-minute writes), `classify` (Haiku 5.5, many small requests), `triage` (Opus 5.5 for
//! short answers to short prompts), `agent` (Opus 5.5 and some Opus 5, long outputs, a few cut
//! off at `max_tokens`, 1-hour cache writes although its turns come a minute apart), `inbox`
//! (Sonnet 5.5 with the current time in its system prompt, so nothing is cached), `research`
//! (Fable 5.2 without `max_tokens`: a long tail of long answers), `nightly-summaries` (Sonnet 5
//! through the Batch API) and `nightly-reports` (Sonnet 5.5 at the standard tier at night,
//! marked async in the demo's settings, [`DEMO_ASYNC`]). So the savings pane has one
//! opportunity of each lever from the first screen: routing (triage), caching (inbox, the
//! agent's 1-hour writes, and chat's unread writes once its cache breaks), batch (the nightly
//! reports) and output length (the agent's cut-offs, research's tail).
//! Traffic follows a daily shape; one record in 150 is written twice (a retried log write)
//! and counted once.
//!
//! The story, in simulated time from the start `S` (13:00 local) and in real time at the
//! default speed of 150 (a simulated day in 9.6 real minutes; seed 7):
//!
//! | simulated | real | what happens |
//! |---|---|---|
//! | 00:00 – S | 0 s | the day so far is written at once (incl. the nightly batch run at 02:00): charts are full immediately |
//! | S | 0 s | live: tens of requests per simulated minute; the day's forecast is already over budget (`forecast`) |
//! | S+20 min | 8 s | cache break: a timestamp got into chat's system prompt; chat's hit ratio falls below 20% |
//! | S+50 min | 20 s | the nightly summaries batch job re-runs and delivers for 10 min |
//! | ~S+53 min | ~21 s | the demo day budget passes 80%: `budget_warn` |
//! | S+60 min | 24 s | the cache is fixed |
//! | S+70 min | 28 s | a runaway agent loop burns Opus at ~5× the normal rate for 15 min |
//! | ~S+78 min | ~31 s | `spend_spike` (cleared ~S+95 min, ~38 s) |
//! | ~S+104 min | ~42 s | the budget is exceeded: `budget_exceeded` |
//! | S+11 h | 4.4 min | simulated midnight: a new day, the budget starts over |
//!
//! The budget's limit is computed from the scenario's own priced spend for the chosen
//! speed (see [`budget::plan_budget`]), so the warning and the alarm land in the first
//! minute at any `--speed`.

pub(crate) mod budget;
pub(crate) mod feed;
mod rng;
pub mod scenario;
pub mod services;

use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::time::MissedTickBehavior;

pub use budget::{BudgetPlan, plan_budget};
pub use feed::DemoFeed;
pub(crate) use scenario::START_HOUR;
pub use scenario::{Record, Scenario};

use crate::time::{Clock, ScaledClock};

/// The group the demo marks async (`[audit] async`): its nightly reports can wait.
pub const DEMO_ASYNC: &str = "feature=nightly-reports";

/// Default real time between two writes to the demo log.
pub(crate) const WRITE_TICK: Duration = Duration::from_millis(75);

/// Appends to `path` whatever `feed` has due at `clock`'s time, every `tick`, until aborted
/// or a write fails.
pub(crate) async fn follow_clock(
    mut feed: DemoFeed,
    path: &Path,
    clock: ScaledClock,
    tick: Duration,
) -> std::io::Result<()> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await?;
    let mut ticks = tokio::time::interval(tick);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        ticks.tick().await;
        let text = feed.due_text(clock.now());
        if !text.is_empty() {
            file.write_all(text.as_bytes()).await?;
            file.flush().await?;
        }
    }
}
