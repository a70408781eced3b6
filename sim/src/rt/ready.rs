//! The ready queue: tasks that can be polled, in canonical order.

use std::collections::VecDeque;

use super::table::Body;
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
/// A queued task that is suspended has its block here, beside its key, not in its slot (see
/// [`super::table`]): taking it gives the block's address without reading the slot first, so
/// over a million tasks picked at random, the slot and the block are fetched from memory at
/// the same time instead of one after the other (the step reads the block just before the slot).
/// The block taken last waits in `taken` for the step that polls it
/// ([`ReadyQueue::take_block`]).
#[derive(Default)]
pub(crate) struct ReadyQueue {
    queue: VecDeque<TaskKey>,
    /// Beside each entry of `queue`: the task's block, when it is suspended (not main, and not
    /// the task being polled, which is on the run's stack).
    blocks: VecDeque<Option<Body>>,
    /// By slot: the absolute index (wrapping) of the last entry the slot's task was given.
    at: Vec<u32>,
    /// Entries popped from the front so far (wrapping: the absolute index of index 0).
    popped: u32,
    /// The block of the task taken last.
    taken: Option<(TaskKey, Body)>,
}

impl ReadyQueue {
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub(crate) fn get(&self, i: usize) -> TaskKey {
        self.queue[i]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = TaskKey> + '_ {
        self.queue.iter().copied()
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

    /// Queues `key`, with its block when it is suspended.
    pub(crate) fn push(&mut self, key: TaskKey, block: Option<Body>) {
        self.place(key, self.queue.len());
        self.queue.push_back(key);
        self.blocks.push_back(block);
    }

    /// Removes and returns entry `i`; its block, if it has one, waits for
    /// [`ReadyQueue::take_block`].
    pub(crate) fn take(&mut self, i: usize) -> TaskKey {
        let (key, block) = if i == 0 {
            let key = self
                .queue
                .pop_front()
                .expect("take(0) on an empty ready queue");
            let block = self.blocks.pop_front().flatten();
            self.popped = self.popped.wrapping_add(1);
            (key, block)
        } else {
            let key = self
                .queue
                .swap_remove_back(i)
                .expect("ready index out of range");
            let block = self.blocks.swap_remove_back(i).flatten();
            if let Some(moved) = self.queue.get(i).copied() {
                self.place(moved, i);
            }
            (key, block)
        };
        if let Some(block) = block {
            debug_assert!(
                self.taken.is_none(),
                "a taken block is polled before the next"
            );
            self.taken = Some((key, block));
        }
        key
    }

    /// The block of `key` if it was the task taken last.
    #[inline]
    pub(crate) fn take_block(&mut self, key: TaskKey) -> Option<Body> {
        match self.taken.take() {
            Some((k, block)) if k == key => Some(block),
            other => {
                self.taken = other;
                None
            }
        }
    }

    /// Files `block` beside `key`'s entry (a task queued while it was polled); gives it back
    /// when `key` is not queued.
    pub(crate) fn put_block(&mut self, key: TaskKey, block: Body) -> Result<(), Body> {
        // Nearly always the last entry (it woke itself, a yield), whose line is in the cache:
        // its slot's record need not be read.
        let last = self.queue.len().wrapping_sub(1);
        let at = if self.queue.back() == Some(&key) {
            Some(last)
        } else {
            self.position(key)
        };
        match at {
            Some(i) => {
                debug_assert!(self.blocks[i].is_none(), "one block per task");
                self.blocks[i] = Some(block);
                Ok(())
            }
            None => Err(block),
        }
    }

    /// Takes `key`'s block out of its entry (the entry stays).
    pub(crate) fn block_of(&mut self, key: TaskKey) -> Option<Body> {
        if self.taken.as_ref().is_some_and(|(k, ..)| *k == key) {
            return self.take_block(key);
        }
        let i = self.position(key)?;
        self.blocks[i].take()
    }

    /// Removes `key` wherever it is, keeping the others' order (rare: a task that finished
    /// while scheduled, so without a block here).
    pub(crate) fn remove(&mut self, key: TaskKey) -> bool {
        let Some(i) = self.position(key) else {
            return false;
        };
        self.queue.remove(i);
        let block = self.blocks.remove(i).flatten();
        debug_assert!(block.is_none(), "a finished task has no block in the queue");
        for j in i..self.queue.len() {
            let moved = self.queue[j];
            self.place(moved, j);
        }
        true
    }

    /// Takes every block out of the queue (the entries stay), the one taken last included.
    pub(crate) fn take_blocks(&mut self) -> Vec<(TaskKey, Body)> {
        let mut all: Vec<(TaskKey, Body)> = self.taken.take().into_iter().collect();
        for (key, block) in self.queue.iter().zip(self.blocks.iter_mut()) {
            if let Some(block) = block.take() {
                all.push((*key, block));
            }
        }
        all
    }

    /// Empties the queue, keeping its buffers unless they grew past `keep` entries.
    pub(crate) fn clear_keeping(&mut self, keep: usize) {
        if self.queue.capacity() > keep || self.at.capacity() > keep {
            *self = ReadyQueue::default();
        } else {
            self.queue.clear();
            self.blocks.clear();
            self.at.clear();
            self.popped = 0;
            self.taken = None;
        }
    }

    /// Entries the queue's tables hold room for (its memory, in entries).
    #[cfg(test)]
    fn retained(&self) -> usize {
        self.queue.capacity() + self.blocks.capacity() + self.at.capacity()
    }

    /// Index of `key` in the queue, if it is queued.
    #[inline]
    pub(crate) fn position(&self, key: TaskKey) -> Option<usize> {
        let abs = *self.at.get(key.slot as usize)?;
        let i = abs.wrapping_sub(self.popped) as usize;
        (self.queue.get(i) == Some(&key)).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ReadyQueue {
        fn push_key(&mut self, key: TaskKey) {
            self.push(key, None);
        }
    }

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
            q.push_key(key(id));
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
        q.push_key(key(0));
        q.push_key(key(11));
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
            q.push_key(key(id));
        }
        assert_eq!(q.take(3), key(3)); // its record says index 3: past the end now
        assert_eq!(position(&q, 3), None);
        assert_eq!(q.take(1), key(1)); // 2 moves into index 1, where 1's record points
        assert_eq!(ids(&q), [0, 2]);
        assert_eq!(position(&q, 1), None);
        q.push_key(key(5)); // index 2: where 1's... and 3's records point nowhere near
        assert_eq!(q.take(0), key(0)); // every index shifts: 0's record points at 2's entry
        assert_eq!(position(&q, 0), None);
        check(&q);
        q.push_key(key(1));
        assert_eq!(ids(&q), [2, 5, 1]);
        check(&q);
    }

    fn block() -> Body {
        Box::pin(crate::rt::raw::TaskCell::new(async {}))
    }

    /// A suspended task's block travels with its entry: taken with it (for the step that polls
    /// it), filed beside it when it was queued while polled, and handed back when the queue is
    /// emptied.
    #[test]
    fn blocks_travel_with_their_entries() {
        let mut q = ReadyQueue::default();
        q.push(key(0), None); // main
        q.push(key(1), Some(block()));
        q.push(key(2), Some(block()));
        q.push(key(3), None); // being polled
        assert_eq!(q.take(1), key(1)); // 3 fills index 1
        assert!(
            q.take_block(key(2)).is_none(),
            "the block taken last is 1's"
        );
        assert!(q.take_block(key(1)).is_some());
        assert!(q.take_block(key(1)).is_none());
        assert!(q.put_block(key(3), block()).is_ok());
        assert!(q.put_block(key(7), block()).is_err(), "7 is not queued");
        assert_eq!(q.take(0), key(0));
        assert!(q.take_block(key(0)).is_none(), "main has no block here");
        assert_eq!(q.take(0), key(3));
        let back: Vec<u64> = q
            .take_blocks()
            .iter()
            .map(|(k, _)| k.id().as_u64())
            .collect();
        assert_eq!(back, [3, 2], "the block taken last first, then the queue's");
        assert!(q.take_blocks().is_empty());
        assert_eq!(ids(&q), [2]);
    }

    /// Absolute indices wrap around 2^32 without losing a task.
    #[test]
    fn positions_survive_the_wrap_of_the_popped_count() {
        let mut q = ReadyQueue {
            popped: u32::MAX - 2,
            ..ReadyQueue::default()
        };
        for id in 0..8 {
            q.push_key(key(id));
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

    /// The queue's memory follows the slots in use, not the ids ever given: a million tasks
    /// queued one after another in the same two slots keep its tables at a few entries.
    #[test]
    fn its_tables_are_bounded_by_slots_not_by_ids() {
        let mut q = ReadyQueue::default();
        for id in 1..1_000_000u64 {
            q.push_key(TaskKey::new((id % 2) as u32, TaskId::from_u64(id)));
            if id % 2 == 0 {
                q.take(1);
                q.take(0);
            }
        }
        assert!(q.retained() <= 64, "{} entries", q.retained());
    }
}
