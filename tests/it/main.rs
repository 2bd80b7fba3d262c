//! The test suite in one binary: modules mirror `src/` (`parse`, `aggregate`, `sources`,
//! `listener`, `outputs`), `app/` holds the commands run as a user runs them, `architecture`
//! keeps the source tree free of import cycles and `docs` keeps the documentation true to the
//! code. Tests that drive installed programs are in `tests/tools`; helpers for both in
//! `tests/support`.

// Helpers outside `#[test]` functions may unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod aggregate;
mod app;
mod architecture;
mod docs;
mod generated;
mod listener;
mod outputs;
mod parse;
mod sources;
// `pub`: the helpers are shared with `tests/tools`, and each binary uses a part of them.
#[path = "../support/mod.rs"]
pub mod support;
