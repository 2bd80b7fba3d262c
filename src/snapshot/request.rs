//! What the outputs ask of the aggregator: the rows of a snapshot ([`GroupBy`]), how the
//! audit groups its opportunities ([`AuditGroup`](super::AuditGroup)), and the dashboard's
//! controls ([`Control`] to the aggregator, [`ReplayCommand`] to the replay source).

use std::fmt;
use std::str::FromStr;

use crate::time::Window;
use crate::usage::OrgDimension;

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
    /// Per ISO week (Monday to Sunday, in the time zone): `2026-W49`.
    Week,
    /// Per calendar month (in the time zone): `2026-12`.
    Month,
    /// Per actor, API key, workspace or product (the Admin API's dimensions).
    Org(OrgDimension),
}

impl GroupBy {
    /// The tag key whose values are the rows, for groupings by a tag or an organisation
    /// dimension.
    pub(crate) fn tag_key(&self) -> Option<&str> {
        match self {
            GroupBy::Tag(key) => Some(key),
            GroupBy::Org(dimension) => Some(dimension.tag_key()),
            _ => None,
        }
    }
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
            "week" => GroupBy::Week,
            "month" => GroupBy::Month,
            _ => {
                if let Some(dimension) = OrgDimension::from_name(s) {
                    return Ok(GroupBy::Org(dimension));
                }
                match s.strip_prefix("tag:") {
                    Some(key) if !key.is_empty() => GroupBy::Tag(key.to_string()),
                    _ => {
                        return Err(format!(
                            "unknown grouping {s:?} (use model, tier, project, session, actor, \
                             api_key, workspace, product, tag:KEY, hour, day, week, month)"
                        ));
                    }
                }
            }
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
            GroupBy::Tag(key) => write!(f, "tag:{key}"),
            GroupBy::Day => f.write_str("day"),
            GroupBy::Hour => f.write_str("hour"),
            GroupBy::Week => f.write_str("week"),
            GroupBy::Month => f.write_str("month"),
            GroupBy::Org(dimension) => write!(f, "{dimension}"),
        }
    }
}

/// What one reader of the snapshot stream (`/api/v1/stream`, a screen attached to a running
/// costtop) asks to see. Only the view differs: every reader sees the same records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamView {
    /// A window of its own (`None`: the one the aggregator shows).
    pub window: Option<Window>,
    /// `--by` rows.
    pub by: Option<GroupBy>,
}

impl StreamView {
    /// The aggregator's own published snapshots are this view.
    pub fn is_published(&self) -> bool {
        self.window.is_none() && self.by.is_none()
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
