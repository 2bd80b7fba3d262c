//! The commands as a user runs them (the `costtop` binary), and the live pipeline `watch` runs.

mod admin_key;
mod attach;
mod audit;
mod compare;
mod demo;
mod generate;
mod guard;
mod live;
mod org;
mod per_unit;
mod prices;
mod report;
mod report_html;
mod restart;
mod statusline;
mod watch;
