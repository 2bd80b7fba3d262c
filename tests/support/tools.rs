//! Installed programs the tests drive (Prometheus, tmux, Claude Code, the OpenTelemetry SDK):
//! without one a test skips with a notice, unless `COSTTOP_REQUIRE_TOOLS=1` (`.ci/run` sets it
//! and installs them all) makes it fail.

use std::process::{Command, Stdio};

/// Whether a test that needs an installed program must fail rather than skip without it.
pub fn required() -> bool {
    std::env::var("COSTTOP_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Reports a missing program: a failure under `COSTTOP_REQUIRE_TOOLS=1`, else a skip notice
/// naming the test (the harness names each test's thread after it).
pub fn missing(what: &str) {
    let current = std::thread::current();
    let test = current.name().unwrap_or("this test");
    assert!(
        !required(),
        "{test}: {what}; COSTTOP_REQUIRE_TOOLS=1 forbids skipping (bash .ci/run installs it)"
    );
    eprintln!("SKIPPED {test}: {what} (bash .ci/run installs it)");
}

/// Whether `name` is on PATH; without it, [`missing`] says so.
pub fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        missing(&format!("{name} is not installed"));
    }
    found
}
