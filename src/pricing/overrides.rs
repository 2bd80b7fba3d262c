//! Config `[prices."id"]` overrides: their file form (one table, or an array of dated ones)
//! and how they win over the table for exactly the dates they cover.

use std::ops::Range;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::file::{PriceEntry, TableError, check_overlaps, line_of, period};
use super::normalize_model;
use super::table::{ModelPrice, Origin, PricePeriod, PriceTable, Spelling};

/// A config override of one model id (`[prices."id"]`, or `[[prices."id"]]` for several
/// dated entries): wins over the built-in and maintained tables for the dates it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PriceOverride {
    /// The entries, in file order.
    pub(crate) entries: Vec<PriceEntry>,
    /// Byte range in the config text, for line numbers.
    #[serde(skip)]
    span: Range<usize>,
    /// Line in the config file (set by [`PriceOverride::locate`]).
    #[serde(skip)]
    line: usize,
}

impl PriceOverride {
    /// Records the override's line in `text`, the file it was read from.
    pub(crate) fn locate(&mut self, text: &str) {
        self.line = line_of(text, self.span.start);
    }
}

impl<'de> Deserialize<'de> for PriceOverride {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<OneOrMany>::deserialize(d)?;
        let span = spanned.span();
        Ok(PriceOverride {
            entries: spanned.into_inner().0,
            span,
            line: 0,
        })
    }
}

/// A table (one entry) or an array of tables (several).
struct OneOrMany(Vec<PriceEntry>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a price entry or an array of price entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany, A::Error> {
                let one = PriceEntry::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany, A::Error> {
                let many = Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(OneOrMany(many))
            }
        }
        d.deserialize_any(V)
    }
}

impl PriceTable {
    /// Applies config overrides (`file` names the config in errors): for the dates an
    /// override covers (all dates when it gives none) its prices replace the table's.
    pub(crate) fn apply_overrides<'a>(
        &mut self,
        overrides: impl IntoIterator<Item = (&'a String, &'a PriceOverride)>,
        file: &str,
    ) -> Result<(), TableError> {
        let mut models = self.plain_models();
        for (raw_id, o) in overrides {
            let at = |field: String, reason: String| TableError::Invalid {
                file: file.to_string(),
                line: o.line,
                field: format!("prices.\"{raw_id}\".{field}"),
                reason,
            };
            if o.entries.is_empty() {
                return Err(at("input".into(), "missing".into()));
            }
            let origin = Origin::Config(file.to_string());
            let mut added = Vec::new();
            for (i, entry) in o.entries.iter().enumerate() {
                let field = |f: String| {
                    if o.entries.len() > 1 {
                        format!("[{i}].{f}")
                    } else {
                        f
                    }
                };
                if entry.ids.is_some() {
                    return Err(at(
                        field("ids".into()),
                        "not allowed in an override: the key names the id".into(),
                    ));
                }
                let p = period(entry, &origin, false).map_err(|(f, r)| at(field(f), r))?;
                added.push((p, String::new(), o.line));
            }
            added.sort_by_key(|(p, _, _)| p.start);
            check_overlaps(raw_id, &added).map_err(|(_, r)| at("from".into(), r))?;
            let id = normalize_model(raw_id);
            let family = o.entries.iter().rev().find_map(|e| e.family.clone());
            let old = models.remove(&id);
            let family = family
                .or_else(|| old.as_ref().map(|m| m.family.clone()))
                .unwrap_or_else(|| raw_id.clone());
            let mut periods: Vec<PricePeriod> = Vec::new();
            for p in old.map(|m| m.periods).unwrap_or_default() {
                periods.extend(uncovered(&p, &added));
            }
            periods.extend(added.into_iter().map(|(p, _, _)| p));
            periods.sort_by_key(|p| p.start);
            models.insert(
                id,
                ModelPrice {
                    family,
                    periods,
                    spelling: Spelling::default(),
                },
            );
        }
        self.set_models(models);
        Ok(())
    }
}

/// The parts of `p` that no override period covers.
fn uncovered(p: &PricePeriod, overrides: &[(PricePeriod, String, usize)]) -> Vec<PricePeriod> {
    let mut pieces = vec![(p.start, p.end)];
    for (o, _, _) in overrides {
        pieces = pieces
            .into_iter()
            .flat_map(|(s, e)| {
                let left = (s, e.min(o.start));
                let right = (s.max(o.end), e);
                [left, right].into_iter().filter(|(a, b)| a < b)
            })
            .collect();
    }
    pieces
        .into_iter()
        .map(|(s, e)| p.with_range(s, e))
        .collect()
}
