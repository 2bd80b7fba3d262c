//! The audit's cells over time, kept like the rollups (`history.rs`): per minute after the
//! rollups' detail frontier, per local hour before it, so memory grows with hours and
//! dimensions, not with records. Readers start where the rollups say the window's data is
//! covered from, so the audit and every other figure count the same records.

use std::collections::BTreeMap;

use super::cells::AuditMinute;
use crate::aggregate::store::hour_start;
use crate::time::Zone;

/// Audit cells by minute, then by local hour (keyed by the minute the hour starts at).
#[derive(Debug, Clone)]
pub(in crate::aggregate) struct AuditMinutes {
    zone: Zone,
    slots: BTreeMap<i64, AuditMinute>,
    /// Slots before this minute are whole local hours.
    detail_from: i64,
}

impl AuditMinutes {
    /// Nothing counted yet; hours follow `zone`.
    pub(crate) fn new(zone: Zone) -> AuditMinutes {
        AuditMinutes {
            zone,
            slots: BTreeMap::new(),
            detail_from: i64::MIN,
        }
    }

    /// The slot a record of `minute` counts in: its minute, or its local hour once that is
    /// older than the detail frontier.
    pub(crate) fn at(&mut self, minute: i64) -> &mut AuditMinute {
        let key = if minute >= self.detail_from {
            minute
        } else {
            hour_start(self.zone, minute)
        };
        self.slots.entry(key).or_default()
    }

    /// Every slot from minute `from` on, oldest first.
    pub(crate) fn from(&self, from: i64) -> impl Iterator<Item = &AuditMinute> {
        self.slots.range(from..).map(|(_, m)| m)
    }

    /// Folds the minutes before `frontier` (a local hour's start, never moving back) into
    /// their hours.
    pub(crate) fn compact(&mut self, frontier: i64) {
        if frontier <= self.detail_from {
            return;
        }
        let newer = self.slots.split_off(&frontier);
        let mut older = std::mem::replace(&mut self.slots, newer);
        let minutes = older.split_off(&self.detail_from);
        for (minute, slot) in minutes {
            let hour = hour_start(self.zone, minute);
            older.entry(hour).or_default().merge(&slot);
        }
        older.append(&mut self.slots);
        self.slots = older;
        self.detail_from = frontier;
    }

    /// Slots held (tests: memory stays bounded).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}
