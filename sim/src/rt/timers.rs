//! Pending timers ordered by (deadline, registration sequence).
//!
//! A binary heap with lazy deletion: cancelling a timer frees its slot, and the heap entry is
//! skipped when it reaches the top. Entries carry the slot's sequence number, so a reused slot
//! never fires for a cancelled registration.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::Waker;

/// Identifies one registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    slot: u32,
    seq: u64,
}

struct Entry {
    /// Sequence of the registration occupying the slot; 0 when free.
    seq: u64,
    waker: Option<Waker>,
}

pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    slots: Vec<Entry>,
    free: Vec<u32>,
    next_seq: u64,
}

impl Default for TimerQueue {
    fn default() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 1,
        }
    }
}

impl TimerQueue {
    pub(crate) fn register(&mut self, deadline: u64, waker: Waker) -> TimerKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Entry {
                    seq,
                    waker: Some(waker),
                };
                s
            }
            None => {
                self.slots.push(Entry {
                    seq,
                    waker: Some(waker),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((deadline, seq, slot)));
        TimerKey { slot, seq }
    }

    pub(crate) fn is_pending(&self, key: TimerKey) -> bool {
        self.slots
            .get(key.slot as usize)
            .is_some_and(|e| e.seq == key.seq)
    }

    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: &Waker) {
        if let Some(e) = self
            .slots
            .get_mut(key.slot as usize)
            .filter(|e| e.seq == key.seq)
        {
            match &e.waker {
                Some(w) if w.will_wake(waker) => {}
                _ => e.waker = Some(waker.clone()),
            }
        }
    }

    /// Forgets a registration; returns its waker so the caller drops it outside any borrow.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Waker> {
        let e = self
            .slots
            .get_mut(key.slot as usize)
            .filter(|e| e.seq == key.seq)?;
        e.seq = 0;
        self.free.push(key.slot);
        e.waker.take()
    }

    fn top_is_live(&self) -> Option<(u64, u64, u32)> {
        let Reverse(top) = *self.heap.peek()?;
        Some(top)
    }

    /// The earliest live deadline, discarding cancelled entries on the way.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some((deadline, seq, slot)) = self.top_is_live() {
            if self.slots[slot as usize].seq == seq {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns the earliest timer due at `now`.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<(u64, Option<Waker>)> {
        let deadline = self.next_deadline()?;
        if deadline > now {
            return None;
        }
        let Reverse((_, _, slot)) = self.heap.pop()?;
        let e = &mut self.slots[slot as usize];
        e.seq = 0;
        self.free.push(slot);
        Some((deadline, e.waker.take()))
    }

    /// Forgets every timer, keeping the buffers unless they grew past `keep` entries.
    pub(crate) fn clear_keeping(&mut self, keep: usize) {
        if self.heap.capacity() > keep || self.slots.capacity() > keep {
            *self = TimerQueue::default();
        } else {
            self.heap.clear();
            self.slots.clear();
            self.free.clear();
            self.next_seq = 1;
        }
    }

    /// Number of live timers.
    pub(crate) fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}
