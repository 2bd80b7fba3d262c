//! A real Claude Code in the test suite: the pinned install ([`install`]), a mock Messages API
//! that records what it served ([`mock`], answers in [`script`]), an isolated home and runner
//! for `claude -p` ([`home`]), and what costtop should report for what was served.
//!
//! Install the pinned Claude Code with `bash scripts/install-claude-code.sh` (`.ci/run` does);
//! without it these tests skip with a notice, unless `COSTTOP_REQUIRE_TOOLS=1`.
//!
//! ```ignore
//! let Some(claude) = install::claude_or_skip() else { return };
//! let mock = MockApi::start(MockOptions::default());
//! let home = ClaudeHome::new();
//! home.print(&claude, &mock, "Say hello", &[]);
//! let held = home.held(&mock.served());
//! assert_eq!(report_totals(&home.projects()), expected_totals(&held));
//! ```

pub mod batches;
pub mod faults;
pub mod home;
pub mod install;
pub mod mock;
pub mod script;

use std::path::Path;

use costtop::pricing::{Money, PriceTable, price};
use costtop::usage::{Tokens, UsageEvent};
use serde_json::{Value, json};

pub use home::{ClaudeHome, MODEL};
pub use mock::{MockApi, MockOptions, Served};
pub use script::{Purpose, START_SUBAGENT};

use super::costtop;

/// `costtop report DIR --format json` (extra `args` appended), parsed.
pub fn report_json(dir: &Path, args: &[&str]) -> Value {
    let out = costtop()
        .arg("report")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("run costtop report");
    assert!(
        out.status.success(),
        "costtop report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// The `totals` of `costtop report DIR --format json`.
pub fn report_totals(dir: &Path) -> Value {
    report_json(dir, &[])["totals"].clone()
}

/// `costtop statusline --url off` for a session of `home` (its `HOME`, `CLAUDE_CONFIG_DIR`
/// and a cache dir of its own), with `status` on stdin; returns the line.
pub fn statusline(home: &ClaudeHome, status: &str, args: &[&str]) -> String {
    use std::io::Write;
    let mut child = costtop()
        .arg("statusline")
        .args(["--url", "off"])
        .args(args)
        .env("HOME", &home.home)
        .env("CLAUDE_CONFIG_DIR", &home.config_dir)
        .env("XDG_CACHE_HOME", home.home.join(".cache"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run costtop statusline");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(status.as_bytes())
        .expect("write the status JSON");
    drop(stdin);
    let out = child.wait_with_output().expect("statusline output");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

/// What costtop's price table says `served` costs: each request priced by
/// `costtop::pricing` on the usage the mock served, at the time it was served (an errored
/// Batch result, which names no model, costs nothing).
pub fn expected_cost(served: &[Served]) -> Money {
    let table = PriceTable::embedded();
    served
        .iter()
        .filter(|s| !s.model.is_empty())
        .map(|s| {
            price(&table, &event(s))
                .unwrap_or_else(|| panic!("{} is not in the price table", s.model))
                .total
        })
        .sum()
}

/// The snapshot `totals` (DESIGN.md §6) that counting each of `served` once gives.
pub fn expected_totals(served: &[Served]) -> Value {
    let t = served
        .iter()
        .fold(Tokens::default(), |acc, s| acc + s.usage);
    json!({
        "cost_usd": expected_cost(served),
        "requests": served.len(),
        "input_tokens": t.input,
        "output_tokens": t.output,
        "cache_write_5m_tokens": t.cache_write_5m,
        "cache_write_1h_tokens": t.cache_write_1h,
        "cache_read_tokens": t.cache_read,
        "web_search_requests": t.web_search_requests,
        // The mock serves priced models only: nothing is left out of the cost.
        "unpriced_requests": 0,
        "cost_is_lower_bound": false,
    })
}

/// The request ids of `served`, for messages.
pub fn ids(served: &[Served]) -> Vec<String> {
    served
        .iter()
        .map(|s| format!("#{} {} ({:?})", s.seq, s.request_id, s.purpose))
        .collect()
}

/// A served request as the usage record it should become (a Batch result at the batch tier).
fn event(s: &Served) -> UsageEvent {
    let mut e = UsageEvent::request(s.at, &s.model, s.usage);
    if s.custom_id.is_some() {
        e.tier = costtop::usage::Tier::Batch;
    }
    e
}
