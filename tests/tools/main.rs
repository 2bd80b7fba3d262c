//! Tests that drive installed programs: a real, pinned Claude Code (`claude_code`), the
//! Anthropic SDKs and Claude Code through the proxy (`proxy`), Prometheus, promtool and the
//! OpenTelemetry Python SDK against the listener (`listener`), the Anthropic SDK and the OTel
//! instrumentation libraries against a mock API (`instrumentations`), the dashboard
//! in tmux (`terminal`), and the HTML report in Chromium and html5lib (`report_html`). Without a program its tests skip with a notice, unless
//! `COSTTOP_REQUIRE_TOOLS=1` (`.ci/run` sets it and installs them all) makes them fail.

// Helpers outside `#[test]` functions may unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod claude_code;
mod instrumentations;
mod listener;
mod proxy;
mod report_html;
mod terminal;
// `pub`: the helpers are shared with `tests/it`, and each binary uses a part of them.
#[path = "../support/mod.rs"]
pub mod support;
