//! Sources against real files and servers: the tail, one-shot reading, the Admin API (the
//! legacy reports, and the organisation APIs against a mock organisation), replay, the proxy.

mod admin_api;
mod org_api;
mod proxy;
mod read_all;
mod replay;
mod tail;
