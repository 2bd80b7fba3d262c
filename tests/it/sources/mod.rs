//! Sources against real files and servers: the tail, one-shot reading, the Admin API, replay,
//! the proxy.

mod admin_api;
mod proxy;
mod read_all;
mod replay;
mod tail;
