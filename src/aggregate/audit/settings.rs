//! What the audit is told: the routing ladder, the groups marked async, and how
//! opportunities are grouped (the `[audit]` config section and `costtop audit --by`).

use std::fmt;
use std::str::FromStr;

use crate::pricing::PriceTable;
use crate::snapshot::AuditGroup;

/// How the audit's settings are given (validated against the price table by
/// [`AuditSettings::check`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSettings {
    /// The routing ladder, most capable model first; `None`: the newest Fable, Opus, Sonnet
    /// and Haiku of the price table.
    pub ladder: Option<Vec<String>>,
    /// Groups that are not latency-sensitive (`feature=nightly-summaries`, `project=reports`):
    /// their standard-tier spend could go through the Batch API.
    pub async_groups: Vec<AsyncMark>,
    /// How opportunities are grouped.
    pub group: AuditGroup,
}

impl AuditSettings {
    /// Fails with a sentence naming the first ladder id the price table does not know.
    pub(crate) fn check(&self, prices: &PriceTable) -> Result<(), String> {
        for id in self.ladder.iter().flatten() {
            if prices.lookup(id).is_none() {
                return Err(format!(
                    "audit.ladder: {id:?} is not in the price table (add it under [prices] or pick a priced model)"
                ));
            }
        }
        if self.ladder.as_ref().is_some_and(Vec::is_empty) {
            return Err("audit.ladder: name at least one model".to_string());
        }
        Ok(())
    }
}

/// One `key=value` mark of `[audit] async`: records whose project (key `project`) or tag
/// `key` has this value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AsyncMark {
    /// `project` or a tag key (`feature`, `team`, …).
    pub(crate) key: String,
    /// The value that marks a record.
    pub(crate) value: String,
}

impl FromStr for AsyncMark {
    type Err = String;
    fn from_str(s: &str) -> Result<AsyncMark, String> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok(AsyncMark {
                key: k.trim().to_string(),
                value: v.trim().to_string(),
            }),
            _ => Err(format!(
                "{s:?} is not key=value (e.g. \"feature=nightly-summaries\" or \"project=reports\")"
            )),
        }
    }
}

impl fmt::Display for AsyncMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_groupings_parse_or_say_why_not() {
        let m: AsyncMark = "feature = nightly-summaries".parse().unwrap();
        assert_eq!(
            (m.key.as_str(), m.value.as_str()),
            ("feature", "nightly-summaries")
        );
        assert!("nightly".parse::<AsyncMark>().is_err());
        assert!("=x".parse::<AsyncMark>().is_err());
        assert_eq!(
            "tag:team".parse::<AuditGroup>(),
            Ok(AuditGroup::Tag("team".into()))
        );
        assert_eq!(AuditGroup::Tag("team".into()).to_string(), "tag:team");
        assert!("day".parse::<AuditGroup>().is_err());
    }

    #[test]
    fn a_ladder_naming_an_unknown_model_is_refused() {
        let table = PriceTable::embedded();
        let ok = AuditSettings {
            ladder: Some(vec!["claude-opus-4-8".into(), "claude-haiku-4-5".into()]),
            ..AuditSettings::default()
        };
        assert!(ok.check(&table).is_ok());
        let bad = AuditSettings {
            ladder: Some(vec!["claude-opus-4-8".into(), "claude-opus-9".into()]),
            ..AuditSettings::default()
        };
        let msg = bad.check(&table).unwrap_err();
        assert!(msg.contains("claude-opus-9"), "{msg}");
    }
}
