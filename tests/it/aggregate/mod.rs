//! The aggregator: its state (dedupe, pricing, windows, retention, Claude Code's figures), the
//! live actor under bursts, clock faults and alarms, and the views stream readers ask for.

mod alarms;
mod burst;
mod claude_code;
mod clock;
mod identity;
mod linear;
mod retention;
mod state;
mod views;
