//! The HTTP listener (`costtop serve`, `watch --listen`): OTLP, scrapes, and bad senders.

mod guard;
mod serve;
