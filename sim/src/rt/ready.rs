//! The ready queue: tasks that can be polled, in canonical order.

use std::collections::VecDeque;

use crate::model::TaskId;

/// A live task's address in the task table plus its id, which guards against a reused slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey {
    pub(crate) slot: u32,
    pub(crate) id: TaskId,
}

/// Runnable tasks in the order they became runnable. Taking the front is asyncio's FIFO; taking
/// any other index swaps the back element into its place, O(1), so a random pick among a million
/// runnable tasks stays cheap. The resulting order is a deterministic function of the choices.
#[derive(Default)]
pub(crate) struct ReadyQueue {
    queue: VecDeque<TaskKey>,
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

    pub(crate) fn push(&mut self, key: TaskKey) {
        self.queue.push_back(key);
    }

    /// Removes and returns entry `i`.
    pub(crate) fn take(&mut self, i: usize) -> TaskKey {
        if i == 0 {
            self.queue
                .pop_front()
                .expect("take(0) on an empty ready queue")
        } else {
            self.queue
                .swap_remove_back(i)
                .expect("ready index out of range")
        }
    }

    /// Removes `key` wherever it is (rare: a task that finished while scheduled).
    pub(crate) fn remove(&mut self, key: TaskKey) -> bool {
        match self.queue.iter().position(|k| *k == key) {
            Some(i) => {
                self.queue.remove(i);
                true
            }
            None => false,
        }
    }

    pub(crate) fn position(&self, id: TaskId) -> Option<usize> {
        self.queue.iter().position(|k| k.id == id)
    }
}
