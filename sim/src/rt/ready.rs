//! The ready queue: tasks that can be polled, in canonical order.

use crate::model::TaskId;

/// A live task's address in the task table plus its id, which guards against a reused slot.
/// Eight bytes: a run spawns fewer than 2^32 tasks (each costs a few hundred bytes; spawning
/// more panics, naming the limit), so every waker, ready-queue entry and handle stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) slot: u32,
    id: u32,
}

impl TaskKey {
    /// The key of task `id` in slot `slot`.
    ///
    /// # Panics
    /// When `id` does not fit in 32 bits (the run's 2^32nd task).
    #[inline]
    pub(crate) fn new(slot: u32, id: TaskId) -> TaskKey {
        let Ok(id) = u32::try_from(id.as_u64()) else {
            panic!(
                "sim::spawn: a run spawns at most {} tasks, and this one spawned more: spawn \
                 fewer tasks in one run (end finished ones' work, or split the run)",
                u32::MAX
            )
        };
        TaskKey { slot, id }
    }

    /// The task's id.
    #[inline]
    pub(crate) fn id(self) -> TaskId {
        TaskId::from_u64(u64::from(self.id))
    }

    /// The task's id as the task table stores it.
    #[inline]
    pub(crate) fn raw_id(self) -> u32 {
        self.id
    }
}

/// Runnable tasks in the order they became runnable. Taking the front is asyncio's FIFO; taking
/// any other index swaps the back element into its place, O(1), so a random pick among a million
/// runnable tasks stays cheap. The resulting order is a deterministic function of the choices.
///
/// Finding a task is O(1) too: each queued task's place is kept by its slot in the task table
/// (slots are reused, so the record grows with the tasks alive at once, not with every task
/// ever spawned), as an absolute index (entries popped from the front so far plus its index,
/// modulo 2^32: the queue never holds 2^32 entries, so the wrapped difference is exact), so
/// popping the front moves no other entry's record. A preemption switch, a replayed `Run`
/// decision and a task ending while queued all find their task without scanning the queue.
///
/// A record is a hint, checked against the entry it points at: taking a task leaves its record
/// as it was (a stale record points at another entry, or past the end, and finds nothing). Among
/// a million runnable tasks picked at random, clearing it was a write to a random place of a
/// table larger than the cache at every step.
///
/// The entries live in a ring of its own (a power-of-two buffer indexed by a mask) rather than a
/// `VecDeque`: a step takes one entry and usually puts one back, and the ring does each with a
/// mask and one bounds check.
#[derive(Default)]
pub(crate) struct ReadyQueue {
    /// The ring: empty, or a power of two long. Entry `i` is at `(head + i) & (ring.len() - 1)`.
    ring: Vec<TaskKey>,
    /// Where entry 0 is in the ring.
    head: usize,
    /// Entries queued.
    len: usize,
    /// By slot: the absolute index (wrapping) of the last entry the slot's task was given.
    at: Vec<u32>,
    /// Entries popped from the front so far (wrapping: the absolute index of index 0).
    popped: u32,
}

/// Room for entries a queue's first push makes.
const FIRST_RING: usize = 8;

impl ReadyQueue {
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where entry `i` is in the ring (`i` within the ring's length).
    #[inline]
    fn index(&self, i: usize) -> usize {
        self.head.wrapping_add(i) & self.ring.len().wrapping_sub(1)
    }

    /// Entry `i`.
    ///
    /// # Panics
    /// When there is no entry `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> TaskKey {
        assert!(i < self.len, "ready index {i} out of range of {}", self.len);
        self.ring[self.index(i)]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = TaskKey> + '_ {
        (0..self.len).map(|i| self.ring[self.index(i)])
    }

    /// Records that `key`'s entry is at index `i`.
    #[inline]
    fn place(&mut self, key: TaskKey, i: usize) {
        let slot = key.slot as usize;
        if slot >= self.at.len() {
            self.at.resize(slot + 1, 0);
        }
        // Wrapping: only the difference from `popped` is ever read.
        self.at[slot] = self.popped.wrapping_add(i as u32);
    }

    #[inline]
    pub(crate) fn push(&mut self, key: TaskKey) {
        if self.len == self.ring.len() {
            self.grow();
        }
        let i = self.len;
        let at = self.index(i);
        self.ring[at] = key;
        self.len = i + 1;
        self.place(key, i);
    }

    /// Doubles the ring, its entries moved to its start in order.
    #[cold]
    fn grow(&mut self) {
        let room = (self.ring.len() * 2).max(FIRST_RING);
        let mut ring = Vec::with_capacity(room);
        ring.extend(self.iter());
        ring.resize(room, TaskKey { slot: 0, id: 0 });
        self.ring = ring;
        self.head = 0;
    }

    /// Removes and returns entry `i`: the front keeps the others' order, any other index takes
    /// the back entry in its place.
    ///
    /// # Panics
    /// When there is no entry `i`.
    #[inline]
    pub(crate) fn take(&mut self, i: usize) -> TaskKey {
        assert!(i < self.len, "ready index {i} out of range of {}", self.len);
        let at = self.index(i);
        let key = self.ring[at];
        self.len -= 1;
        if i == 0 {
            self.head = self.index(1);
            self.popped = self.popped.wrapping_add(1);
        } else if i < self.len {
            let moved = self.ring[self.index(self.len)];
            self.ring[at] = moved;
            // The moved entry was placed when it was pushed: its slot has a record.
            if let Some(a) = self.at.get_mut(moved.slot as usize) {
                *a = self.popped.wrapping_add(i as u32);
            }
        }
        key
    }

    /// Removes `key` wherever it is, keeping the others' order (rare: a task that finished
    /// while scheduled).
    pub(crate) fn remove(&mut self, key: TaskKey) -> bool {
        let Some(i) = self.position(key) else {
            return false;
        };
        for j in i..self.len - 1 {
            let moved = self.ring[self.index(j + 1)];
            let at = self.index(j);
            self.ring[at] = moved;
            self.place(moved, j);
        }
        self.len -= 1;
        true
    }

    /// Empties the queue, keeping its buffers unless they grew past `keep` entries.
    pub(crate) fn clear_keeping(&mut self, keep: usize) {
        if self.ring.len() > keep || self.at.capacity() > keep {
            *self = ReadyQueue::default();
        } else {
            self.head = 0;
            self.len = 0;
            self.at.clear();
            self.popped = 0;
        }
    }

    /// Entries the queue's tables hold room for (its memory, in entries).
    #[cfg(test)]
    fn retained(&self) -> usize {
        self.ring.capacity() + self.at.capacity()
    }

    /// Index of `key` in the queue, if it is queued.
    #[inline]
    pub(crate) fn position(&self, key: TaskKey) -> Option<usize> {
        let abs = *self.at.get(key.slot as usize)?;
        let i = abs.wrapping_sub(self.popped) as usize;
        (i < self.len && self.ring[self.index(i)] == key).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    fn key(id: u64) -> TaskKey {
        TaskKey::new(id as u32, TaskId::from_u64(id))
    }

    fn position(q: &ReadyQueue, id: u64) -> Option<usize> {
        q.position(key(id))
    }

    fn ids(q: &ReadyQueue) -> Vec<u64> {
        q.iter().map(|k| k.id().as_u64()).collect()
    }

    /// Every queued task's position matches a scan, whatever mix of operations came before.
    fn check(q: &ReadyQueue) {
        for (i, k) in q.iter().enumerate() {
            assert_eq!(q.position(k), Some(i));
        }
        for id in 0..12 {
            if !ids(q).contains(&id) {
                assert_eq!(position(q, id), None);
            }
        }
    }

    #[test]
    fn positions_follow_pushes_takes_and_removes() {
        let mut q = ReadyQueue::default();
        for id in 0..6 {
            q.push(key(id));
        }
        check(&q);
        assert_eq!(q.take(0), key(0));
        check(&q);
        assert_eq!(q.take(1), key(2)); // the back (5) fills index 1
        assert_eq!(ids(&q), [1, 5, 3, 4]);
        check(&q);
        assert!(q.remove(key(5)));
        assert!(!q.remove(key(5)));
        assert_eq!(ids(&q), [1, 3, 4]);
        check(&q);
        q.push(key(0));
        q.push(key(11));
        assert_eq!(q.take(0), key(1));
        assert_eq!(q.take(3), key(11));
        assert_eq!(ids(&q), [3, 4, 0]);
        check(&q);
    }

    /// A taken task keeps its stale record: it must find nothing, whether its old index is
    /// past the end or now holds another task, and a task queued again is found at its new
    /// place.
    #[test]
    fn a_stale_record_finds_nothing() {
        let mut q = ReadyQueue::default();
        for id in 0..4 {
            q.push(key(id));
        }
        assert_eq!(q.take(3), key(3)); // its record says index 3: past the end now
        assert_eq!(position(&q, 3), None);
        assert_eq!(q.take(1), key(1)); // 2 moves into index 1, where 1's record points
        assert_eq!(ids(&q), [0, 2]);
        assert_eq!(position(&q, 1), None);
        q.push(key(5)); // index 2: where 1's... and 3's records point nowhere near
        assert_eq!(q.take(0), key(0)); // every index shifts: 0's record points at 2's entry
        assert_eq!(position(&q, 0), None);
        check(&q);
        q.push(key(1));
        assert_eq!(ids(&q), [2, 5, 1]);
        check(&q);
    }

    /// Absolute indices wrap around 2^32 without losing a task.
    #[test]
    fn positions_survive_the_wrap_of_the_popped_count() {
        let mut q = ReadyQueue {
            popped: u32::MAX - 2,
            ..ReadyQueue::default()
        };
        for id in 0..8 {
            q.push(key(id));
        }
        for _ in 0..5 {
            q.take(0);
            check(&q);
        }
        assert_eq!(q.take(1), key(6)); // 7 fills index 1
        check(&q);
        assert_eq!(ids(&q), [5, 7]);
        assert_eq!(position(&q, 7), Some(1));
    }

    /// A long mix of pushes, takes at any index and removals, with the queue's ring wrapping and
    /// growing while wrapped, gives the same order as a `VecDeque` doing the same (front pops,
    /// swap-with-back removals, order-keeping removals), and every position matches a scan.
    #[test]
    fn it_keeps_the_order_of_a_deque_through_wraps_and_growth() {
        let mut q = ReadyQueue::default();
        let mut model: VecDeque<TaskKey> = VecDeque::new();
        let mut next_id = 0u32;
        let mut free: Vec<u32> = Vec::new();
        let mut next_slot = 0u32;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Phases of growth and shrinkage, so the ring wraps at many sizes.
            let grow = (round / 500) % 2 == 0;
            let op = x % 10;
            if model.is_empty() || op < if grow { 6 } else { 3 } {
                let slot = free.pop().unwrap_or_else(|| {
                    next_slot += 1;
                    next_slot - 1
                });
                let k = TaskKey::new(slot, TaskId::from_u64(u64::from(next_id)));
                next_id += 1;
                q.push(k);
                model.push_back(k);
            } else if op == 9 {
                let i = (x >> 8) as usize % model.len();
                let k = model.remove(i).unwrap();
                assert!(q.remove(k));
                assert!(!q.remove(k));
                free.push(k.slot);
            } else {
                let i = if op < 6 {
                    0
                } else {
                    (x >> 8) as usize % model.len()
                };
                // Taking the front keeps the others' order; any other index swaps in the back.
                let k = if i == 0 {
                    model.pop_front()
                } else {
                    model.swap_remove_back(i)
                };
                let k = k.unwrap();
                assert_eq!(q.take(i), k);
                free.push(k.slot);
            }
            assert_eq!(q.len(), model.len());
            if round % 97 == 0 {
                assert!(q.iter().eq(model.iter().copied()));
                for (i, k) in model.iter().enumerate() {
                    assert_eq!(q.position(*k), Some(i));
                    assert_eq!(q.get(i), *k);
                }
            }
        }
        assert!(q.iter().eq(model.iter().copied()));
        q.clear_keeping(usize::MAX);
        assert!(q.is_empty());
        assert_eq!(q.iter().count(), 0);
    }

    /// The queue's memory follows the slots in use, not the ids ever given: a million tasks
    /// queued one after another in the same two slots keep its tables at a few entries.
    #[test]
    fn its_tables_are_bounded_by_slots_not_by_ids() {
        let mut q = ReadyQueue::default();
        for id in 1..1_000_000u64 {
            q.push(TaskKey::new((id % 2) as u32, TaskId::from_u64(id)));
            if id % 2 == 0 {
                q.take(1);
                q.take(0);
            }
        }
        assert!(q.retained() <= 64, "{} entries", q.retained());
    }
}
