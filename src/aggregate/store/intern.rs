//! Interned strings and tag sets: each distinct model, project, session or tag string (and
//! each distinct set of tags) is stored once and referred to by a `u32` id.

use foldhash::HashMap;
use std::sync::Arc;

/// Interned strings: each distinct model, project, session or tag string is stored once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    /// The strings interned last, by allocation: events read from one file share their
    /// model, project and session `Arc`s, so most lookups end here without hashing.
    recent: [Option<(Arc<str>, u32)>; RECENT],
    next_recent: usize,
}

/// Entries in [`Interner::intern_shared`]'s cache of recent strings.
const RECENT: usize = 8;

impl Interner {
    /// A new interner where id 0 is the empty string ("none").
    pub(crate) fn new() -> Interner {
        let mut i = Interner::default();
        i.intern("");
        i
    }

    /// The id of `s`, adding it when new.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        let arc: Arc<str> = Arc::from(s);
        self.names.push(arc.clone());
        self.ids.insert(arc, id);
        id
    }

    /// The id of a shared string: [`intern`](Self::intern), answered from a few recent
    /// allocations first.
    pub(crate) fn intern_shared(&mut self, s: &Arc<str>) -> u32 {
        for (arc, id) in self.recent.iter().flatten() {
            if Arc::ptr_eq(arc, s) {
                return *id;
            }
        }
        let id = self.intern(s);
        self.recent[self.next_recent] = Some((Arc::clone(s), id));
        self.next_recent = (self.next_recent + 1) % RECENT;
        id
    }

    /// The id of `s` if it was ever interned.
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The shared string of an id.
    pub(crate) fn arc(&self, id: u32) -> Arc<str> {
        self.names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }

    /// The string of an id.
    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}

/// Interned tag sets: a sorted list of (key id, value id) pairs per id; id 0 is "no tags".
#[derive(Debug, Clone)]
pub(crate) struct TagSets {
    ids: HashMap<Vec<(u32, u32)>, u32>,
    sets: Vec<Vec<(u32, u32)>>,
}

impl Default for TagSets {
    fn default() -> Self {
        let mut t = TagSets {
            ids: HashMap::default(),
            sets: Vec::new(),
        };
        t.intern(&[]);
        t
    }
}

impl TagSets {
    /// The id of a tag set, adding it when new.
    pub(crate) fn intern(&mut self, set: &[(u32, u32)]) -> u32 {
        if let Some(&id) = self.ids.get(set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.to_vec());
        self.ids.insert(set.to_vec(), id);
        id
    }

    /// The pairs of a tag set.
    pub(crate) fn pairs(&self, id: u32) -> &[(u32, u32)] {
        self.sets.get(id as usize).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_intern_by_text_not_by_address() {
        let mut strings = Interner::new();
        let a: Arc<str> = Arc::from("opus");
        let b: Arc<str> = Arc::from("opus");
        let id = strings.intern_shared(&a);
        assert_eq!(strings.intern_shared(&b), id);
        assert_eq!(strings.intern_shared(&a), id);
        assert_eq!(strings.intern("opus"), id);
        assert_ne!(strings.intern_shared(&Arc::from("haiku")), id);
        // Past the cache of recent strings, lookups still find the same ids.
        let many: Vec<Arc<str>> = (0..3 * RECENT).map(|n| Arc::from(n.to_string())).collect();
        let ids: Vec<u32> = many.iter().map(|s| strings.intern_shared(s)).collect();
        let again: Vec<u32> = many.iter().map(|s| strings.intern_shared(s)).collect();
        assert_eq!(ids, again);
        assert_eq!(strings.intern_shared(&a), id);
    }
}
