//! Sources: tasks that turn input (files, the Admin API, recordings, the demo) into
//! [`UsageEvent`](crate::usage::UsageEvent)s and health reports, sent to the aggregator over a bounded channel.

pub mod admin_api;
pub mod demo;
pub mod discover;
mod ingest;
pub(crate) mod ledger;
pub(crate) mod lines;
pub mod otlp;
pub(crate) mod proxy;
pub mod read_all;
pub mod replay;
pub(crate) mod tail;

pub(crate) use discover::default_locations;
pub use discover::{DiscoverError, Discovery, Source, SourceKind, discover};
pub use read_all::{ReadOptions, ReadSummary, read_all};
pub use tail::{TailOptions, spawn_tail};
