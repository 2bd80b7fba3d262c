//! The routing ladder: which model one step down serves a request's work, derived from the
//! price table (the newest Fable, Opus, Sonnet and Haiku) or given in `[audit] ladder`.

use crate::pricing::{ModelPrice, PriceTable, normalize_model};

/// Tiers of the default ladder, most capable first.
const DEFAULT_TIERS: [&str; 4] = ["Fable", "Opus", "Sonnet", "Haiku"];

/// One step of the ladder.
#[derive(Debug, Clone)]
pub(super) struct Rung {
    /// The tier it stands for (`Opus`): models of this tier route from here.
    tier: String,
    /// The normalised id of its model.
    id: String,
    /// That model's prices (the counterfactual is priced with them).
    pub(crate) price: ModelPrice,
}

/// The ladder, most capable first.
#[derive(Debug, Clone, Default)]
pub(super) struct Ladder {
    rungs: Vec<Rung>,
}

/// Where a request's model stands on the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// The model has no price: nothing can be said.
    Unpriced,
    /// The model's tier is not on the ladder.
    OffLadder,
    /// The cheapest rung: no step down.
    Bottom,
    /// One step down is this rung.
    Down(usize),
}

/// The tier word of a family name: `Opus 5.5` → `Opus`. Mythos is priced as Fable and
/// stands on its rung.
fn tier_of(family: &str) -> &str {
    match family.split_whitespace().next().unwrap_or("") {
        "Mythos" => "Fable",
        t => t,
    }
}

/// The version of a family name as comparable numbers: `Sonnet 4.6` → `[4, 6]`.
fn version_of(family: &str) -> Vec<u32> {
    family
        .split_whitespace()
        .nth(1)
        .map(|v| v.split('.').map(|n| n.parse().unwrap_or(0)).collect())
        .unwrap_or_default()
}

impl Ladder {
    /// The ladder `ids` name (every id known to `table`: the config checks it), or by
    /// default the newest model of each tier the table has.
    pub(crate) fn resolve(table: &PriceTable, ids: Option<&[String]>) -> Ladder {
        let rungs = match ids {
            Some(ids) => ids
                .iter()
                .filter_map(|id| {
                    let price = table.lookup(id)?.clone();
                    Some(Rung {
                        tier: tier_of(&price.family).to_string(),
                        id: normalize_model(id),
                        price,
                    })
                })
                .collect(),
            None => DEFAULT_TIERS
                .iter()
                .filter_map(|tier| newest_of(table, tier))
                .collect(),
        };
        Ladder { rungs }
    }

    /// Where a model (as logged, with its prices when known) stands.
    pub(crate) fn route(&self, model: &str, price: Option<&ModelPrice>) -> Route {
        let Some(price) = price else {
            return Route::Unpriced;
        };
        let id = normalize_model(model);
        let rung = self.rungs.iter().position(|r| r.id == id).or_else(|| {
            let tier = tier_of(&price.family);
            self.rungs.iter().position(|r| r.tier == tier)
        });
        match rung {
            None => Route::OffLadder,
            Some(i) if i + 1 >= self.rungs.len() => Route::Bottom,
            Some(i) => Route::Down(i + 1),
        }
    }

    /// The rung at `i`.
    pub(crate) fn rung(&self, i: usize) -> Option<&Rung> {
        self.rungs.get(i)
    }

    /// Display names of the rungs, most capable first.
    pub(crate) fn families(&self) -> Vec<String> {
        self.rungs.iter().map(|r| r.price.family.clone()).collect()
    }
}

/// The newest model of `tier` in the table (highest version; the canonical dashed id of it).
fn newest_of(table: &PriceTable, tier: &str) -> Option<Rung> {
    table
        .entries()
        .into_iter()
        .filter(|(_, p)| p.family.split_whitespace().next() == Some(tier))
        .max_by(|(a_id, a), (b_id, b)| {
            version_of(&a.family)
                .cmp(&version_of(&b.family))
                // Among the ids of one model prefer the dashed, shorter spelling.
                .then_with(|| b_id.contains('.').cmp(&a_id.contains('.')))
                .then_with(|| b_id.len().cmp(&a_id.len()))
                .then_with(|| b_id.cmp(a_id))
        })
        .map(|(id, p)| Rung {
            tier: tier.to_string(),
            id: id.to_string(),
            price: p.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ladder_is_the_newest_of_each_tier() {
        let table = PriceTable::embedded();
        let ladder = Ladder::resolve(&table, None);
        assert_eq!(
            ladder.families(),
            ["Fable 5.2", "Opus 5.5", "Sonnet 5.5", "Haiku 5.5"]
        );
        let route = |id: &str| ladder.route(id, table.lookup(id));
        assert_eq!(route("claude-opus-4-1-20250805"), Route::Down(2));
        assert_eq!(route("claude-fable-5-1"), Route::Down(1));
        assert_eq!(route("claude-haiku-4-5"), Route::Bottom);
        assert_eq!(route("mystery-model-7"), Route::Unpriced);
    }

    #[test]
    fn a_configured_ladder_routes_by_id_then_by_tier() {
        let table = PriceTable::embedded();
        let ids = [
            "claude-opus-4-8".to_string(),
            "claude-sonnet-4-6".to_string(),
        ];
        let ladder = Ladder::resolve(&table, Some(&ids));
        let route = |id: &str| ladder.route(id, table.lookup(id));
        assert_eq!(route("claude-opus-5-5"), Route::Down(1));
        assert_eq!(route("claude-sonnet-5-5"), Route::Bottom);
        assert_eq!(route("claude-haiku-4-5"), Route::OffLadder);
        assert_eq!(
            ladder.rung(1).map(|r| r.price.family.as_str()),
            Some("Sonnet 4.6")
        );
    }
}
