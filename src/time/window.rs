//! The time windows the totals and panes can show (their boundaries follow a [`Zone`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

use super::zone::Zone;

/// A window of time ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Window {
    /// The last 15 minutes.
    Last15m,
    /// The last hour.
    Last1h,
    /// Since local midnight.
    #[default]
    Today,
    /// The last 7 days.
    Last7d,
    /// The last 30 days.
    Last30d,
    /// Since the first of the month.
    Month,
    /// Everything read.
    All,
}

impl Window {
    /// Every window, in the order `w` cycles through them.
    pub const ALL: [Window; 7] = [
        Window::Last15m,
        Window::Last1h,
        Window::Today,
        Window::Last7d,
        Window::Last30d,
        Window::Month,
        Window::All,
    ];

    /// The name used on the command line, in JSON and on screen.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Window::Last15m => "15m",
            Window::Last1h => "1h",
            Window::Today => "today",
            Window::Last7d => "7d",
            Window::Last30d => "30d",
            Window::Month => "month",
            Window::All => "all",
        }
    }

    /// The next window in the cycle.
    #[must_use]
    pub(crate) fn next(self) -> Window {
        let i = Window::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Window::ALL[(i + 1) % Window::ALL.len()]
    }

    /// Where the window starts at `now`; `None` for `all`.
    pub(crate) fn start(self, now: DateTime<Utc>, zone: Zone) -> Option<DateTime<Utc>> {
        match self {
            Window::Last15m => Some(now - Duration::minutes(15)),
            Window::Last1h => Some(now - Duration::hours(1)),
            Window::Today => Some(zone.start_of_day(now)),
            Window::Last7d => Some(now - Duration::days(7)),
            Window::Last30d => Some(now - Duration::days(30)),
            Window::Month => Some(zone.start_of_month(now)),
            Window::All => None,
        }
    }
}

/// How far past now a rolling window reaches, for records stamped slightly ahead of this
/// machine's clock.
const FUTURE_SLACK: Duration = Duration::minutes(5);

impl Window {
    /// Where the window ends at `now` (exclusive): a calendar window at its period's end, a
    /// rolling one a few minutes after now; `None` for `all`. Records stamped later (a clock
    /// stepped back) are not in the window until their time comes.
    pub(crate) fn end(self, now: DateTime<Utc>, zone: Zone) -> Option<DateTime<Utc>> {
        match self {
            Window::Today => Some(zone.end_of_day(now)),
            Window::Month => Some(zone.end_of_month(now)),
            Window::All => None,
            _ => Some(now + FUTURE_SLACK),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Window, String> {
        Window::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!("unknown window {s:?} (use 15m, 1h, today, 7d, 30d, month, all)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_cycle() {
        assert_eq!("7d".parse::<Window>(), Ok(Window::Last7d));
        assert!("8d".parse::<Window>().is_err());
        assert_eq!(Window::All.next(), Window::Last15m);
    }
}
