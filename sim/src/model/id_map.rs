//! A map keyed by ids handed out in increasing order (task ids), whose memory follows the
//! entries it holds, not the ids ever handed out.
//!
//! A run gives its tasks ids 0, 1, 2, ... and never reuses one; most tasks are short-lived, a
//! few live long, and they end in whatever order the schedule gives. A table indexed by id grows
//! with every task ever spawned. Here a window of places covers the ids from the oldest one
//! held, each place holding its id's entry in line: a lookup, an insert and a removal are
//! constant time, with no search, and touch one place (tasks end in random order over a
//! million of them: a removal is one cache miss, not two). When the window grows sparse (a
//! long-lived task pins its start while thousands after it come and go), its oldest entries
//! move to an ordered map, each at most once, so the window stays within [`SPARSENESS`] places
//! per entry it holds plus a constant.
//!
//! No hashing and no addresses: iteration is in id order, the same on every run.

use std::collections::{BTreeMap, VecDeque};

/// Window places per entry held past which the window is compacted (plus [`SLACK`]).
const SPARSENESS: usize = 16;

/// Window places the window may have beyond `SPARSENESS` per entry.
const SLACK: usize = 64;

/// A map from ids (inserted in increasing order) to `T`; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct IdMap<T> {
    /// For ids `base..base + window.len()`: the id's entry, if it has one. Its first place,
    /// when it has any, holds an entry.
    window: VecDeque<Option<T>>,
    /// The id of `window[0]`.
    base: u64,
    /// Entries in the window.
    held: usize,
    /// Entries of ids below `base`: long-lived ones moved out of a sparse window.
    old: BTreeMap<u64, T>,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        IdMap {
            window: VecDeque::new(),
            base: 0,
            held: 0,
            old: BTreeMap::new(),
        }
    }
}

impl<T> IdMap<T> {
    /// Adds the entry of `id`, which is above every id inserted before.
    #[inline]
    pub(crate) fn insert(&mut self, id: u64, value: T) {
        if self.window.is_empty() {
            debug_assert!(self.old.last_key_value().is_none_or(|(k, _)| *k < id));
            self.base = id;
        }
        debug_assert!(id >= self.base + self.window.len() as u64, "ids only grow");
        self.held += 1;
        let at = (id - self.base) as usize;
        while self.window.len() < at {
            self.window.push_back(None);
        }
        self.window.push_back(Some(value));
    }

    /// The window place of `id`, if `id` is in the window.
    #[inline]
    fn place(&self, id: u64) -> Option<usize> {
        let at = usize::try_from(id.checked_sub(self.base)?).ok()?;
        (at < self.window.len()).then_some(at)
    }

    /// The entry of `id`.
    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<&T> {
        match self.place(id) {
            Some(at) => self.window[at].as_ref(),
            None if id < self.base => self.old.get(&id),
            None => None,
        }
    }

    /// Removes and returns the entry of `id`.
    #[inline]
    pub(crate) fn remove(&mut self, id: u64) -> Option<T> {
        let Some(at) = self.place(id) else {
            return if id < self.base {
                self.old.remove(&id)
            } else {
                None
            };
        };
        let value = self.window[at].take()?;
        self.held -= 1;
        if at == 0 || self.window.len() > SPARSENESS * self.held + SLACK {
            self.compact();
        }
        Some(value)
    }

    /// Drops the window's leading free places, and moves its oldest entries to `old` while
    /// it is sparse.
    #[inline(never)]
    fn compact(&mut self) {
        loop {
            while self.window.front().is_some_and(Option::is_none) {
                self.window.pop_front();
                self.base += 1;
            }
            if self.window.len() <= SPARSENESS * self.held + SLACK {
                break;
            }
            if let Some(Some(value)) = self.window.pop_front() {
                self.held -= 1;
                self.old.insert(self.base, value);
            }
            self.base += 1;
        }
    }

    /// Removes every entry, keeping the buffers unless they hold room for more than `keep`
    /// entries.
    pub(crate) fn clear_keeping(&mut self, keep: usize) {
        if self.window.capacity() > keep {
            *self = IdMap::default();
            return;
        }
        self.window.clear();
        self.base = 0;
        self.held = 0;
        self.old.clear();
    }

    /// Room the map's buffers hold, in entries (0: it allocated nothing).
    pub(crate) fn capacity(&self) -> usize {
        self.window.capacity()
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.held + self.old.len()
    }

    /// Room the map holds, in window places and entries (its memory, for tests).
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
                .filter_map(move |(at, v)| Some((base + at as u64, v.as_ref()?))),
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
    /// for a few hundred, and still finds the long-lived ones.
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
        // A window of at most `SPARSENESS * 4 + SLACK` places (its buffer a power of two),
        // not a million.
        assert!(m.retained() <= 8 * SLACK, "{}", m.retained());
        assert_eq!(ids(&m), [0, 1, 999_998, 999_999]);
        assert_eq!((m.get(0), m.get(1), m.get(2)), (Some(&0), Some(&10), None));
        assert_eq!(m.remove(0), Some(0));
        assert_eq!(ids(&m), [1, 999_998, 999_999]);
    }

    /// Removals in any order: a map emptied down to a few entries holds a window of a few
    /// places per entry, not one per id it held.
    #[test]
    fn the_window_follows_the_entries_whatever_the_order_of_removal() {
        let mut m = IdMap::default();
        for id in 0..10_000u64 {
            m.insert(id, id * 10);
        }
        for id in (0..10_000u64).step_by(3) {
            assert_eq!(m.remove(id), Some(id * 10));
        }
        assert_eq!(m.len(), 6_666);
        for id in (101..10_000u64).rev().filter(|id| id % 3 != 0) {
            assert_eq!(m.remove(id), Some(id * 10));
        }
        assert_eq!(m.len(), 67);
        assert!(
            m.window.len() <= SPARSENESS * 67 + SLACK,
            "{}",
            m.window.len()
        );
        let expected: Vec<u64> = (0..=100).filter(|id| id % 3 != 0).collect();
        assert_eq!(ids(&m), expected);
        assert_eq!((m.get(100), m.get(99)), (Some(&1000), None));
    }
}
