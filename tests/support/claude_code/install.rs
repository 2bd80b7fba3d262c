//! The pinned Claude Code the tests drive: where `scripts/install-claude-code.sh` put it, and
//! what a test does when it is not there ([`crate::support::tools::missing`]: skip with a
//! notice, or fail under `COSTTOP_REQUIRE_TOOLS=1`, as `.ci/run` sets).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::tools::missing;

/// The version every test is written against (`scripts/install-claude-code.sh` pins it).
pub const VERSION: &str = "2.1.328";

/// The binary `scripts/install-claude-code.sh` installs: `<target>/claude-code/node_modules/
/// .bin/claude`, where `<target>` is the folder holding the costtop binary under test's
/// profile folder. `COSTTOP_CLAUDE_BIN` names another one.
pub fn expected_path() -> PathBuf {
    if let Some(bin) = std::env::var_os("COSTTOP_CLAUDE_BIN") {
        return PathBuf::from(bin);
    }
    let costtop = Path::new(env!("CARGO_BIN_EXE_costtop"));
    let target = costtop
        .parent()
        .and_then(Path::parent)
        .expect("the costtop binary lies in <target>/<profile>/");
    target.join("claude-code/node_modules/.bin/claude")
}

/// The pinned Claude Code, or `None` after printing why the calling test is skipped.
/// Panics instead when `COSTTOP_REQUIRE_TOOLS=1`: CI must run these tests, not skip them.
pub fn claude_or_skip() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find) {
        Ok(bin) => Some(bin.clone()),
        Err(why) => {
            missing(&format!(
                "{why} (`bash scripts/install-claude-code.sh` installs it)"
            ));
            None
        }
    }
}

fn find() -> Result<PathBuf, String> {
    let bin = expected_path();
    if !bin.exists() {
        return Err(format!(
            "Claude Code {VERSION} is not installed at {}",
            bin.display()
        ));
    }
    let out = Command::new(&bin)
        .arg("--version")
        .env("DISABLE_AUTOUPDATER", "1")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let version = String::from_utf8_lossy(&out.stdout);
    let version = version.trim();
    if version != format!("{VERSION} (Claude Code)") {
        return Err(format!(
            "{} is {version:?}, not Claude Code {VERSION}",
            bin.display()
        ));
    }
    Ok(bin)
}
