//! The aggregator: its state (dedupe, pricing, windows, retention, Claude Code's figures), the
//! live actor under bursts, clock faults and alarms.

mod alarms;
mod burst;
mod claude_code;
mod clock;
mod linear;
mod retention;
mod state;
