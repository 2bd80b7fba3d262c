//! Other tools' own cost figures (Claude Code's running totals, its OTLP cost metric, the
//! per-request `costUSD`), kept beside costtop's spend as a check and never added to it, and
//! the snapshot's `claude_code_estimates` built from them.

mod compare;
mod costs;
mod figures;

pub(crate) use figures::Estimates;
