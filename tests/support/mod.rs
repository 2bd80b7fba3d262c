//! Helpers for both test binaries (`tests/it`, the suite; `tests/tools`, the tests that drive
//! installed programs), one module per concern. Each binary uses a part of them.

pub mod admin;
pub mod alarms;
pub mod claude_code;
pub mod faults;
pub mod files;
pub mod lines;
pub mod live;
pub mod org_api;
pub mod proxy;
pub mod serve;
pub mod source;
pub mod tools;

use std::path::Path;
use std::process::Command;

/// The costtop binary under test with an empty config (every default, the embedded prices) and
/// no admin key or listener address from the environment.
pub fn costtop() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_costtop"));
    cmd.env("COSTTOP_CONFIG", fixture("config/empty.toml"))
        // Never the user's own history; tests of the history name a file of their own.
        .env("COSTTOP_HISTORY", "off")
        .env_remove("ANTHROPIC_ADMIN_KEY")
        .env_remove("COSTTOP_URL");
    cmd
}

/// A path under `tests/fixtures` (see its `README.md`).
pub fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}
