//! What the Admin API says about the organisation beyond usage: readable names of keys and
//! workspaces, spend limits, rate limits, and Claude Code's per-developer days.

pub(crate) mod claude_code;
mod names;
pub(crate) mod rate;
pub(crate) mod spend;

pub(crate) use names::Names;
