//! `costtop prices`: the price table in force (`table.rs`), and how one id as logged is priced
//! ([`explain`]).

pub mod explain;
mod table;

pub use table::{
    BandView, ModelView, PeriodView, TableView, per_million, provenance, render_json, render_table,
    view,
};
