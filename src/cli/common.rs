//! The options every command shares: the config file, budgets and the time zone.

use std::path::PathBuf;

use clap::Args;

use super::parse::parse_budget;
use crate::time::{Period, Zone};

/// Options every command shares.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// Config file [default: <config dir>/costtop/config.toml].
    #[arg(long, env = "COSTTOP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A budget over all usage, e.g. `day=200` (repeatable; periods hour, day, week, month).
    #[arg(long, value_name = "PERIOD=USD", value_parser = parse_budget)]
    pub budget: Vec<(Period, f64)>,
    /// Time zone for days, hours and budget periods (IANA name or `local`).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<Zone>,
}
