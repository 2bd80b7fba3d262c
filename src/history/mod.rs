//! The history: a compact, append-only ledger of every usage record costtop counted (usage
//! fields, ids and tags; never prompt or response content), kept in the data dir so that
//! spend outlives Claude Code's cleanup of old transcripts.
//!
//! - `block.rs`, `codec.rs`, `codes.rs`, `varint.rs`: the format — a file header, then blocks of
//!   column-encoded, deflate-compressed records, each with a checksum;
//! - `file.rs`, `scan.rs`: reading it back, up to and around damage;
//! - `index.rs`: which records it holds (the dedupe keys, or a content hash);
//! - `append.rs`, `rewrite.rs`: appending under a lock, putting damage aside, pruning;
//! - `tee.rs`: the history in a run — one more source, and the writer fed by the others.

mod append;
mod block;
mod codec;
mod codes;
mod file;
mod index;
mod rewrite;
mod scan;
mod tee;
mod varint;

pub(crate) use append::{Appender, Candidate};
pub(crate) use file::{Summary, default_path, visit};
pub(crate) use index::{Identity, Known, identity};
pub(crate) use rewrite::prune_before;
pub(crate) use tee::{Keeper, start};

#[cfg(test)]
mod tests;
