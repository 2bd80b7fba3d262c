//! `costtop prices`: the price table in force (`table.rs`), and how one id as logged is priced
//! ([`explain`]).

pub(crate) mod explain;
mod table;

pub(crate) use table::{render_json, render_table, view};
