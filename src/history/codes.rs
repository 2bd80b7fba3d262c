//! The small codes a block stores for a record's enums: tier, stop reason, kind, iteration
//! kind. A code no writer uses reads as an error, never as a guess.

use crate::usage::{EventKind, IterationKind, StopReason, Tier};

pub(super) fn tier_code(t: Tier) -> u32 {
    match t {
        Tier::Standard => 0,
        Tier::Batch => 1,
        Tier::Priority => 2,
    }
}

pub(super) fn tier(code: u32) -> Option<Tier> {
    [Tier::Standard, Tier::Batch, Tier::Priority]
        .get(code as usize)
        .copied()
}

pub(super) fn stop_code(s: Option<StopReason>) -> u32 {
    match s {
        None => 0,
        Some(StopReason::MaxTokens) => 1,
        Some(StopReason::Other) => 2,
    }
}

/// The stop reason of a code (`Err` for a code no writer uses).
pub(super) fn stop(code: u32) -> Result<Option<StopReason>, ()> {
    match code {
        0 => Ok(None),
        1 => Ok(Some(StopReason::MaxTokens)),
        2 => Ok(Some(StopReason::Other)),
        _ => Err(()),
    }
}

pub(super) fn kind_code(k: EventKind) -> u32 {
    match k {
        EventKind::Request => 0,
        EventKind::FailedRequest => 1,
        EventKind::Bucket => 2,
        EventKind::Iteration => 3,
    }
}

pub(super) fn kind(code: u32) -> EventKind {
    match code {
        0 => EventKind::Request,
        1 => EventKind::FailedRequest,
        2 => EventKind::Bucket,
        _ => EventKind::Iteration,
    }
}

pub(super) fn iteration_code(k: IterationKind) -> u32 {
    match k {
        IterationKind::Compaction => 0,
        IterationKind::Advisor => 1,
        IterationKind::Other => 2,
    }
}

pub(super) fn iteration_kind(code: u32) -> Option<IterationKind> {
    [
        IterationKind::Compaction,
        IterationKind::Advisor,
        IterationKind::Other,
    ]
    .get(code as usize)
    .copied()
}
