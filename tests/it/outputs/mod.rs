//! Outputs that must survive failing destinations: alarm actions and the recorder.

mod hooks;
mod record;
