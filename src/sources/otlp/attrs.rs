//! Reading OTLP attributes: typed look-ups, token counts and times checked the way every
//! other input is checked (a negative, fractional, non-numeric or absurd value is refused
//! with a reason that names the attribute), and the resource attributes kept as tags.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::resource::v1::Resource;

/// Largest token count accepted for one attribute: the parsers' bound for one field of one
/// request (real requests stay below a few million; sums stay far from overflow).
const MAX_TOKENS: u64 = 1_000_000_000_000;

/// Records dated before this are refused: no Claude API usage is that old.
const EARLIEST: i64 = 1_672_531_200; // 2023-01-01T00:00:00Z
/// Records dated more than this far ahead of the receiver's clock are refused.
const MAX_AHEAD_SECONDS: i64 = 24 * 3600;

/// Cache writes split into (5-minute, 1-hour) by the TTL counts a client gave, `None` when it
/// gave neither (the caller then prices every write as a 5-minute one, marked estimated). With
/// only the 1-hour count, the rest of the writes are 5-minute ones.
pub(super) fn ttl_split(writes: u64, five: Option<u64>, hour: Option<u64>) -> Option<(u64, u64)> {
    if five.is_none() && hour.is_none() {
        return None;
    }
    let hour = hour.unwrap_or(0);
    Some((five.unwrap_or_else(|| writes.saturating_sub(hour)), hour))
}

/// A resource's attributes (none when the payload has no resource).
pub(super) fn resource(resource: Option<&Resource>) -> Attrs<'_> {
    Attrs(resource.map_or(&[][..], |r| &r.attributes[..]))
}

/// A list of attributes, searched by key (lists are short: a linear scan is fastest).
#[derive(Clone, Copy)]
pub(super) struct Attrs<'a>(pub &'a [KeyValue]);

impl<'a> Attrs<'a> {
    /// The value of `key`, if present and set.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.0
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref())
            .and_then(|v| v.value.as_ref())
    }

    /// The non-empty string value of `key`.
    pub(crate) fn text(&self, key: &str) -> Option<&'a str> {
        match self.get(key) {
            Some(Value::StringValue(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// `key` as a token count: absent is `Ok(None)`; anything but a plausible non-negative
    /// integer is an error naming the attribute.
    pub(crate) fn count(&self, key: &str) -> Result<Option<u64>, String> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let problem = match value {
            Value::IntValue(n) if *n < 0 => "negative",
            Value::IntValue(n) => return checked(n.unsigned_abs(), key).map(Some),
            Value::DoubleValue(f) if !f.is_finite() => "not a number",
            Value::DoubleValue(f) if *f < 0.0 => "negative",
            Value::DoubleValue(f) if f.fract() != 0.0 => "not an integer",
            Value::DoubleValue(f) if *f > MAX_TOKENS as f64 => "implausibly large",
            Value::DoubleValue(f) => return Ok(Some(*f as u64)),
            Value::StringValue(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                return match s.parse::<u64>() {
                    Ok(n) => checked(n, key).map(Some),
                    Err(_) => Err(format!("{key}: implausibly large")),
                };
            }
            _ => "not a number",
        };
        Err(format!("{key}: {problem}"))
    }

    /// `key` as a required token count.
    pub(crate) fn required_count(&self, key: &str) -> Result<u64, String> {
        self.count(key)?.ok_or_else(|| format!("{key}: missing"))
    }

    /// `key` as an amount of dollars (a non-negative finite number).
    pub(crate) fn dollars(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Value::DoubleValue(f)) if f.is_finite() && *f >= 0.0 => Some(*f),
            Some(Value::IntValue(n)) if *n >= 0 => Some(*n as f64),
            _ => None,
        }
    }
}

fn checked(n: u64, key: &str) -> Result<u64, String> {
    if n <= MAX_TOKENS {
        Ok(n)
    } else {
        Err(format!("{key}: implausibly large"))
    }
}

/// The first of `candidates` (OTLP nanosecond times, 0 = unset) as a record time, refused
/// when none is set or it lies before 2023 or more than a day ahead of `now`.
pub(super) fn time(candidates: &[u64], now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let Some(&nanos) = candidates.iter().find(|&&n| n > 0) else {
        return Err("no timestamp".into());
    };
    let t = DateTime::from_timestamp_nanos(i64::try_from(nanos).unwrap_or(i64::MAX));
    check_time(t, now)
}

/// Refuses a time before 2023 or more than a day ahead of `now`.
pub(super) fn check_time(t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if t.timestamp() < EARLIEST || t.timestamp() > now.timestamp() + MAX_AHEAD_SECONDS {
        return Err(format!("implausible timestamp {}", t.to_rfc3339()));
    }
    Ok(t)
}

/// Resource attribute namespaces that describe the machine or the SDK, not who to bill:
/// not kept as tags (`host.name` is the exception).
const MACHINE_NAMESPACES: [&str; 10] = [
    "os.",
    "process.",
    "telemetry.",
    "service.version",
    "service.instance.",
    "host.",
    "device.",
    "container.",
    "otel.",
    "cloud.",
];

/// Tags from a resource: `host.name`, `service.name` and the attributes a team adds of its
/// own (`OTEL_RESOURCE_ATTRIBUTES=team=platform,cost_center=eng-123`), string values only.
pub(super) fn resource_tags(resource: Attrs<'_>) -> Vec<(Arc<str>, Arc<str>)> {
    resource
        .0
        .iter()
        .filter(|kv| {
            kv.key == "host.name"
                || !MACHINE_NAMESPACES
                    .iter()
                    .any(|ns| kv.key.starts_with(ns) || kv.key == ns.trim_end_matches('.'))
        })
        .filter_map(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) if !s.is_empty() => {
                Some((Arc::from(kv.key.as_str()), Arc::from(s.as_str())))
            }
            _ => None,
        })
        .collect()
}

/// Adds `(key, value)` for each of `keys` the attributes carry as strings.
pub(super) fn copy_tags(attrs: Attrs<'_>, keys: &[&str], tags: &mut Vec<(Arc<str>, Arc<str>)>) {
    for key in keys {
        if let Some(v) = attrs.text(key) {
            tags.push((Arc::from(*key), Arc::from(v)));
        }
    }
}

/// Sorts tags by key and keeps the first value of a repeated key (record attributes are
/// added before resource ones, so the record's win).
pub(super) fn finish_tags(mut tags: Vec<(Arc<str>, Arc<str>)>) -> Vec<(Arc<str>, Arc<str>)> {
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    tags.dedup_by(|later, earlier| later.0 == earlier.0);
    tags
}

/// A sender's identity within a payload: the resource's service and instance or host.
pub(super) fn sender_identity(resource: Attrs<'_>) -> u64 {
    let part = |k: &str| resource.text(k).unwrap_or("").as_bytes();
    crate::usage::dedupe_key(&[
        part("service.name"),
        part("service.instance.id"),
        part("host.name"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::AnyValue;

    fn kv(key: &str, value: Value) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue { value: Some(value) }),
            ..KeyValue::default()
        }
    }

    #[test]
    fn counts_refuse_what_is_not_a_token_count() {
        let list = [
            kv("ok", Value::IntValue(12)),
            kv("float", Value::DoubleValue(12.0)),
            kv("digits", Value::StringValue("12".into())),
            kv("neg", Value::IntValue(-1)),
            kv("frac", Value::DoubleValue(1.5)),
            kv("word", Value::StringValue("many".into())),
            kv("huge", Value::IntValue(i64::MAX)),
            kv("flag", Value::BoolValue(true)),
        ];
        let a = Attrs(&list);
        assert_eq!(a.count("ok"), Ok(Some(12)));
        assert_eq!(a.count("float"), Ok(Some(12)));
        assert_eq!(a.count("digits"), Ok(Some(12)));
        assert_eq!(a.count("absent"), Ok(None));
        assert_eq!(a.count("neg"), Err("neg: negative".into()));
        assert_eq!(a.count("frac"), Err("frac: not an integer".into()));
        assert_eq!(a.count("word"), Err("word: not a number".into()));
        assert_eq!(a.count("huge"), Err("huge: implausibly large".into()));
        assert_eq!(a.count("flag"), Err("flag: not a number".into()));
        assert_eq!(a.required_count("absent"), Err("absent: missing".into()));
    }

    #[test]
    fn absurd_times_are_refused() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .to_utc();
        let nanos = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap() as u64
        };
        assert!(time(&[0, nanos("2026-12-01T11:00:00Z")], now).is_ok());
        assert!(time(&[1_000_000_000], now).is_err());
        assert!(time(&[nanos("2026-12-03T12:00:00Z")], now).is_err());
        assert!(time(&[u64::MAX], now).is_err());
        assert_eq!(time(&[0, 0], now), Err("no timestamp".into()));
    }

    #[test]
    fn resource_tags_keep_the_billing_ones() {
        let list = [
            kv("host.name", Value::StringValue("laptop-7".into())),
            kv("host.arch", Value::StringValue("amd64".into())),
            kv("os.type", Value::StringValue("linux".into())),
            kv("service.name", Value::StringValue("claude-code".into())),
            kv("service.version", Value::StringValue("2.1.197".into())),
            kv("team", Value::StringValue("platform".into())),
        ];
        let tags = resource_tags(Attrs(&list));
        let keys: Vec<&str> = tags.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["host.name", "service.name", "team"]);
    }
}
