//! Sources against real files and servers: the tail, one-shot reading, the Admin API, replay.

mod admin_api;
mod read_all;
mod replay;
mod tail;
