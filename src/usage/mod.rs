//! `UsageEvent` and token counts: the vocabulary every source, the pricer and the aggregator
//! share (`event.rs`), what sources send to the aggregator (`feed.rs`), and what an
//! organisation's Admin API adds (`org.rs`).

mod event;
mod feed;
mod org;
mod proxy_counts;

pub use event::{
    Attribution, BilledIteration, EventKind, IterationKind, Modifiers, StopReason, Tier, Tokens,
    UsageEvent, dedupe_key, id_keys, message_key, request_key, request_keys,
};
pub use feed::{BilledCost, EstimateOrigin, SourceHealth, SourceMsg, SourceState, ToolEstimate};
pub(crate) use feed::{ReceiverCounts, SOURCE_CHANNEL_CAPACITY};
pub use org::{ClaudeCodeDay, OrgDimension, OrgUpdate, RateLimitGroup, SpendLimitReading};
pub use proxy_counts::{LatencyHistogram, ProxyCounts, StatusCount};
