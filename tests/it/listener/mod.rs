//! The HTTP listener (`costtop serve`, `watch --listen`): OTLP, scrapes, and bad senders.

mod abuse;
mod guard;
mod partial;
mod serve;
