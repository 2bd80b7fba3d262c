//! What the outputs ask of the aggregator: the rows of a snapshot ([`GroupBy`]), how the
//! audit groups its opportunities ([`AuditGroup`](super::AuditGroup)), and the dashboard's
//! controls ([`Control`] to the aggregator, [`ReplayCommand`] to the replay source).

use std::fmt;
use std::str::FromStr;

use crate::time::Window;

/// A dimension for `report --by` rows and the top pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// Per model.
    Model,
    /// Per service tier.
    Tier,
    /// Per project.
    Project,
    /// Per session.
    Session,
    /// Per value of one tag key.
    Tag(String),
    /// Per local calendar day.
    Day,
    /// Per local hour.
    Hour,
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<GroupBy, String> {
        Ok(match s {
            "model" => GroupBy::Model,
            "tier" => GroupBy::Tier,
            "project" => GroupBy::Project,
            "session" => GroupBy::Session,
            "day" => GroupBy::Day,
            "hour" => GroupBy::Hour,
            _ => match s.strip_prefix("tag:") {
                Some(key) if !key.is_empty() => GroupBy::Tag(key.to_string()),
                _ => {
                    return Err(format!(
                        "unknown grouping {s:?} (use model, tier, project, session, tag:KEY, day, hour)"
                    ));
                }
            },
        })
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupBy::Model => f.write_str("model"),
            GroupBy::Tier => f.write_str("tier"),
            GroupBy::Project => f.write_str("project"),
            GroupBy::Session => f.write_str("session"),
            GroupBy::Tag(k) => write!(f, "tag:{k}"),
            GroupBy::Day => f.write_str("day"),
            GroupBy::Hour => f.write_str("hour"),
        }
    }
}

/// What the user can ask of the aggregator from the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Show this window in totals and panes.
    SetWindow(Window),
    /// Acknowledge every active alarm (stops the flashing; the alarm stays listed).
    AcknowledgeAlarms,
}

/// A replay control the dashboard sends to the replay source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCommand {
    /// Pause a playing replay, or resume a paused one.
    TogglePause,
    /// Play faster.
    Faster,
    /// Play slower.
    Slower,
    /// Jump by this many seconds of event time (negative: back).
    Seek(i64),
    /// Jump to the next alarm.
    NextAlarm,
    /// Jump to the previous alarm.
    PrevAlarm,
    /// Jump to the first record.
    ToStart,
    /// Jump to the last record.
    ToEnd,
}
