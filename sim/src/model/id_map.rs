//! A map keyed by ids handed out in increasing order (task ids), whose memory follows the
//! entries it holds, not the ids ever handed out.
//!
//! A run gives its tasks ids 0, 1, 2, ... and never reuses one; most tasks are short-lived, a
//! few live long. A table indexed by id grows with every task ever spawned. Here recent ids sit
//! in a window (`VecDeque`, constant-time access) that starts at the oldest id still held; when
//! the window grows sparse (a long-lived task pins its start while thousands after it come and
//! go), its oldest entries move to an ordered map, each at most once. So the window stays within
//! twice the entries it holds plus a constant, and every operation is amortized constant time
//! but for the ordered map's logarithm on the few long-lived entries.
//!
//! No hashing and no addresses: iteration is in id order, the same on every run.

use std::collections::{BTreeMap, VecDeque};

/// Free entries the window may hold beyond twice its filled ones before it is compacted.
const SLACK: usize = 32;

/// A map from ids (inserted in increasing order) to `T`; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct IdMap<T> {
    /// Entries of ids `base..base + window.len()`; `None` for an id without one. Its first
    /// entry, when it has any, is `Some`.
    window: VecDeque<Option<T>>,
    /// The id of `window[0]`.
    base: u64,
    /// The `Some` entries of `window`.
    filled: usize,
    /// Entries of ids below `base`: long-lived ones moved out of a sparse window.
    old: BTreeMap<u64, T>,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        IdMap {
            window: VecDeque::new(),
            base: 0,
            filled: 0,
            old: BTreeMap::new(),
        }
    }
}

impl<T> IdMap<T> {
    /// Adds the entry of `id`, which is above every id inserted before.
    pub(crate) fn insert(&mut self, id: u64, value: T) {
        if self.window.is_empty() {
            debug_assert!(self.old.last_key_value().is_none_or(|(k, _)| *k < id));
            self.base = id;
        }
        debug_assert!(id >= self.base + self.window.len() as u64, "ids only grow");
        let at = (id - self.base) as usize;
        while self.window.len() < at {
            self.window.push_back(None);
        }
        self.window.push_back(Some(value));
        self.filled += 1;
    }

    /// The entry of `id`.
    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<&T> {
        match id.checked_sub(self.base) {
            Some(at) => self.window.get(usize::try_from(at).ok()?)?.as_ref(),
            None => self.old.get(&id),
        }
    }

    /// Removes and returns the entry of `id`.
    pub(crate) fn remove(&mut self, id: u64) -> Option<T> {
        let Some(at) = id.checked_sub(self.base) else {
            return self.old.remove(&id);
        };
        let value = self.window.get_mut(usize::try_from(at).ok()?)?.take()?;
        self.filled -= 1;
        self.compact();
        Some(value)
    }

    /// Drops the window's leading free entries, and moves its oldest entries to `old` while
    /// it is sparse.
    fn compact(&mut self) {
        loop {
            while let Some(None) = self.window.front() {
                self.window.pop_front();
                self.base += 1;
            }
            if self.window.len() <= 2 * self.filled + SLACK {
                return;
            }
            if let Some(Some(value)) = self.window.pop_front() {
                self.old.insert(self.base, value);
                self.filled -= 1;
            }
            self.base += 1;
        }
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.filled + self.old.len()
    }

    /// Room the map holds, in entries (its memory, for tests).
    #[cfg(test)]
    pub(crate) fn retained(&self) -> usize {
        self.window.capacity() + self.old.len()
    }

    /// The entries in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &T)> + '_ {
        let base = self.base;
        self.old.iter().map(|(id, v)| (*id, v)).chain(
            self.window
                .iter()
                .enumerate()
                .filter_map(move |(i, v)| Some((base + i as u64, v.as_ref()?))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(m: &IdMap<u64>) -> Vec<u64> {
        m.iter()
            .map(|(id, v)| {
                assert_eq!(*v, id * 10);
                id
            })
            .collect()
    }

    #[test]
    fn entries_are_found_removed_and_listed_in_id_order() {
        let mut m = IdMap::default();
        for id in [0, 1, 2, 5, 6] {
            m.insert(id, id * 10);
        }
        assert_eq!(ids(&m), [0, 1, 2, 5, 6]);
        assert_eq!((m.get(5), m.get(3), m.get(7)), (Some(&50), None, None));
        assert_eq!(m.remove(1), Some(10));
        assert_eq!(m.remove(1), None);
        assert_eq!(m.remove(0), Some(0));
        assert_eq!((ids(&m), m.len()), (vec![2, 5, 6], 3));
        assert_eq!((m.get(0), m.get(2)), (None, Some(&20)));
        for id in [2, 5, 6] {
            m.remove(id);
        }
        assert_eq!(m.len(), 0);
        m.insert(9, 90);
        assert_eq!((ids(&m), m.get(9)), (vec![9], Some(&90)));
    }

    /// Two long-lived entries and a million short-lived ones after them: the map holds room
    /// for a few dozen, and still finds the long-lived ones.
    #[test]
    fn memory_follows_the_entries_held_not_the_ids_given() {
        let mut m = IdMap::default();
        m.insert(0, 0);
        m.insert(1, 10);
        for id in 2..1_000_000u64 {
            m.insert(id, id * 10);
            if id > 3 {
                assert_eq!(m.remove(id - 2), Some((id - 2) * 10));
            }
        }
        assert!(m.retained() <= 4 * SLACK, "{}", m.retained());
        assert_eq!(ids(&m), [0, 1, 999_998, 999_999]);
        assert_eq!((m.get(0), m.get(1), m.get(2)), (Some(&0), Some(&10), None));
        assert_eq!(m.remove(0), Some(0));
        assert_eq!(ids(&m), [1, 999_998, 999_999]);
    }
}
