//! Which group a cell's dimensions belong to, as `[audit] by` / `--by` chooses: the tag
//! `feature` (else the project), the project, the session, the model, one tag's value, or an
//! organisation dimension (actor, API key, workspace, product: tags of Admin API buckets).

use crate::aggregate::store::{Dims, Store};
use crate::snapshot::AuditGroup;

/// How cells are grouped, with the group of each tag set remembered (the fold meets the
/// same few tag sets over and over).
pub(super) struct Grouping<'s> {
    group: &'s AuditGroup,
    store: &'s Store,
    key: Option<u32>,
    by_tags: Vec<u32>,
}

/// Not looked up yet.
const UNKNOWN: u32 = u32::MAX;

impl<'s> Grouping<'s> {
    /// The grouping the settings choose, over the names of `store`.
    pub(crate) fn new(group: &'s AuditGroup, store: &'s Store) -> Grouping<'s> {
        let key = match group {
            AuditGroup::Feature => store.strings.get("feature"),
            AuditGroup::Tag(k) => store.strings.get(k),
            AuditGroup::Org(d) => store.strings.get(d.tag_key()),
            _ => None,
        };
        Grouping {
            group,
            store,
            key,
            by_tags: Vec::new(),
        }
    }

    /// The group (an interned string; 0: none) of a cell's dimensions.
    pub(crate) fn of(&mut self, dims: &Dims) -> u32 {
        let tagged = match self.group {
            AuditGroup::Project => return dims.project,
            AuditGroup::Session => return dims.session,
            AuditGroup::Model => return dims.model,
            AuditGroup::Feature | AuditGroup::Tag(_) | AuditGroup::Org(_) => self.tag(dims.tags),
        };
        match (self.group, tagged) {
            (AuditGroup::Feature, 0) => dims.project,
            _ => tagged,
        }
    }

    fn tag(&mut self, tags: u32) -> u32 {
        let i = tags as usize;
        if let Some(&known) = self.by_tags.get(i)
            && known != UNKNOWN
        {
            return known;
        }
        let value = self.key.map_or(0, |key| {
            self.store
                .tag_sets
                .pairs(tags)
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0, |(_, v)| *v)
        });
        if self.by_tags.len() <= i {
            self.by_tags.resize(i + 1, UNKNOWN);
        }
        self.by_tags[i] = value;
        value
    }
}
