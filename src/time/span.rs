//! A stretch of time with a name, as `report --compare A B` takes its two periods.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A named stretch of time: records at or after `start` and before `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// What the user wrote (`2026-11`, `last-week`, `2026-11-01..2026-11-15`).
    pub label: String,
    /// First instant in the span.
    pub start: DateTime<Utc>,
    /// First instant after it.
    pub end: DateTime<Utc>,
}

impl Span {
    /// Whether `t` lies in the span.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether the two spans share an instant.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}
