//! Which bucket width to ask for over which time range.
//!
//! Assumption (not documented by Anthropic in a form we could check): the usage report serves
//! `1m` buckets only for the last 24 hours and `1h` buckets only for the last 31 days; older
//! ranges need `1d` buckets. A range is therefore split into at most three segments, each
//! aligned to its bucket width so no bucket of one width overlaps a bucket of another.

use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};

/// The `bucket_width` of a usage report request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BucketWidth {
    /// One-minute buckets (`1m`).
    Minute,
    /// One-hour buckets (`1h`).
    Hour,
    /// One-day buckets (`1d`).
    Day,
}

impl BucketWidth {
    /// The API's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BucketWidth::Minute => "1m",
            BucketWidth::Hour => "1h",
            BucketWidth::Day => "1d",
        }
    }

    /// The largest `limit` (buckets per page) the API accepts for this width.
    pub(crate) fn page_limit(self) -> u32 {
        match self {
            BucketWidth::Minute => 1440,
            BucketWidth::Hour => 168,
            BucketWidth::Day => 31,
        }
    }

    fn span(self) -> TimeDelta {
        match self {
            BucketWidth::Minute => Duration::minutes(1),
            BucketWidth::Hour => Duration::hours(1),
            BucketWidth::Day => Duration::days(1),
        }
    }

    /// `t` rounded down to a bucket boundary.
    pub(crate) fn floor(self, t: DateTime<Utc>) -> DateTime<Utc> {
        t.duration_trunc(self.span()).unwrap_or(t)
    }

    /// `t` rounded up to a bucket boundary.
    pub(crate) fn ceil(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let floor = self.floor(t);
        if floor == t { t } else { floor + self.span() }
    }
}

/// One usage report request: `[start, end)` in buckets of `width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// First bucket start (aligned to `width`).
    pub(crate) start: DateTime<Utc>,
    /// End of the range (exclusive).
    pub(crate) end: DateTime<Utc>,
    /// Bucket width.
    pub(crate) width: BucketWidth,
}

impl Segment {
    /// The segment in pieces of at most `days` days (the Analytics API's longest range),
    /// each still aligned to the width.
    pub(crate) fn chunks(self, days: i64) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut start = self.start;
        while start < self.end {
            let end = (start + Duration::days(days.max(1))).min(self.end);
            out.push(Segment { start, end, ..self });
            start = end;
        }
        out
    }
}

/// Splits `[from, now)` into segments of the finest width the API allows for each part.
pub fn plan(from: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Segment> {
    let hourly_from = BucketWidth::Day.ceil(now - Duration::days(31));
    let minutely_from = BucketWidth::Hour.ceil(now - Duration::hours(24));
    let mut segments = Vec::with_capacity(3);
    let mut start = from;
    if start < hourly_from {
        segments.push(Segment {
            start: BucketWidth::Day.floor(start),
            end: hourly_from,
            width: BucketWidth::Day,
        });
        start = hourly_from;
    }
    if start < minutely_from {
        segments.push(Segment {
            start: BucketWidth::Hour.floor(start),
            end: minutely_from,
            width: BucketWidth::Hour,
        });
        start = minutely_from;
    }
    if start < now {
        segments.push(Segment {
            start: BucketWidth::Minute.floor(start),
            end: now,
            width: BucketWidth::Minute,
        });
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn recent_range_uses_minutes_only() {
        let now = at("2026-11-20T14:05:30Z");
        let segments = plan(at("2026-11-20T13:55:10Z"), now);
        assert_eq!(
            segments,
            vec![Segment {
                start: at("2026-11-20T13:55:00Z"),
                end: now,
                width: BucketWidth::Minute
            }]
        );
    }

    #[test]
    fn month_range_splits_into_contiguous_aligned_segments() {
        let now = at("2026-11-20T14:05:30Z");
        let segments = plan(at("2026-10-01T00:00:00Z"), now);
        let widths: Vec<_> = segments.iter().map(|s| s.width).collect();
        assert_eq!(
            widths,
            [BucketWidth::Day, BucketWidth::Hour, BucketWidth::Minute]
        );
        assert_eq!(segments[0].start, at("2026-10-01T00:00:00Z"));
        assert_eq!(segments[0].end, at("2026-10-21T00:00:00Z"));
        assert_eq!(segments[1].start, segments[0].end);
        assert_eq!(segments[1].end, at("2026-11-19T15:00:00Z"));
        assert_eq!(segments[2].start, segments[1].end);
        assert_eq!(segments[2].end, now);
        assert!(plan(now, now).is_empty());
    }

    #[test]
    fn long_day_segments_come_in_chunks_of_at_most_31_days() {
        let now = at("2026-12-07T14:05:30Z");
        let day = plan(at("2026-10-01T00:00:00Z"), now)[0];
        assert_eq!(day.end, at("2026-11-07T00:00:00Z"));
        let chunks = day.chunks(31);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].end, at("2026-11-01T00:00:00Z"));
        assert_eq!(chunks[1].start, chunks[0].end);
        assert_eq!(chunks[1].end, day.end);
        assert!(chunks.iter().all(|c| c.width == BucketWidth::Day));
    }
}
