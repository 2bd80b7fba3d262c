//! costtop against a real, pinned Claude Code (`scripts/install-claude-code.sh`) talking to the
//! tests' mock Messages API ([`crate::support::claude_code`]).

mod fork;
mod hook;
mod live;
mod otlp;
mod real;
