//! The task slab: live tasks by slot, free slots reused.
//!
//! A slot's lifecycle: `insert` (live, scheduled) → polled any number of times (`body` taken
//! out for the poll and put back on `Pending`) → `remove` when the future completed, panicked,
//! was aborted, or was dropped at shutdown. Slot 0 is main's; its future lives on `run`'s stack.

use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Waker;

use super::raw::RawTask;
use super::{TaskId, TaskKey};
use crate::time::Instant;

/// What a blocked task waits on, for deadlock reports.
#[derive(Clone, Debug)]
pub(crate) enum WaitKind {
    Sleep {
        until: Instant,
    },
    Join {
        task: TaskId,
    },
    Yield,
    Resource {
        op: &'static str,
        name: Option<Rc<str>>,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Waiting {
    pub(crate) kind: WaitKind,
    pub(crate) site: Option<&'static Location<'static>>,
}

/// What a task noted it waits on since its last poll. Nearly always zero or one entry, kept
/// inline so that noting a wait neither allocates nor touches memory outside the slot.
#[derive(Clone, Debug, Default)]
pub(crate) enum Waits {
    #[default]
    None,
    One(Waiting),
    Many(Vec<Waiting>),
}

impl Waits {
    pub(crate) fn push(&mut self, w: Waiting) {
        *self = match std::mem::take(self) {
            Waits::None => Waits::One(w),
            Waits::One(first) => Waits::Many(vec![first, w]),
            Waits::Many(mut all) => {
                all.push(w);
                Waits::Many(all)
            }
        };
    }

    pub(crate) fn clear(&mut self) {
        if !matches!(self, Waits::None) {
            *self = Waits::None;
        }
    }

    pub(crate) fn to_vec(&self) -> Vec<Waiting> {
        match self {
            Waits::None => Vec::new(),
            Waits::One(w) => vec![w.clone()],
            Waits::Many(all) => all.clone(),
        }
    }
}

pub(crate) struct Body {
    pub(crate) fut: Pin<Box<dyn RawTask>>,
    pub(crate) waker: Waker,
}

pub(crate) struct Slot {
    pub(crate) id: TaskId,
    pub(crate) live: bool,
    pub(crate) body: Option<Body>,
    pub(crate) scheduled: bool,
    pub(crate) abort: bool,
    pub(crate) waits: Waits,
}

#[derive(Default)]
pub(crate) struct TaskTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl TaskTable {
    /// Reserves a slot for a task; the spawner then stores its body in the slot.
    pub(crate) fn insert(&mut self, id: TaskId) -> TaskKey {
        let slot = Slot {
            id,
            live: true,
            body: None,
            scheduled: false,
            abort: false,
            waits: Waits::None,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        TaskKey { slot: index, id }
    }

    pub(crate) fn get_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|s| s.live && s.id == key.id)
    }

    #[allow(dead_code, reason = "used by task groups via Core::is_live")]
    pub(crate) fn get(&self, key: TaskKey) -> Option<&Slot> {
        self.slots
            .get(key.slot as usize)
            .filter(|s| s.live && s.id == key.id)
    }

    /// Marks the slot free; returns whether the task was still scheduled.
    pub(crate) fn remove(&mut self, key: TaskKey) -> bool {
        let Some(s) = self.get_mut(key) else {
            return false;
        };
        s.live = false;
        s.body = None;
        let was_scheduled = s.scheduled;
        s.scheduled = false;
        self.free.push(key.slot);
        was_scheduled
    }

    /// Live tasks other than main, in id (spawn) order.
    pub(crate) fn live_spawned(&self) -> Vec<TaskKey> {
        let mut keys: Vec<TaskKey> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.live && s.id != TaskId::MAIN)
            .map(|(i, s)| TaskKey {
                slot: i as u32,
                id: s.id,
            })
            .collect();
        keys.sort_by_key(|k| k.id);
        keys
    }

    /// Every live task with what it waits on, in id order.
    pub(crate) fn live_with_waits(&self) -> Vec<(TaskId, Vec<Waiting>)> {
        let mut v: Vec<_> = self
            .slots
            .iter()
            .filter(|s| s.live)
            .map(|s| (s.id, s.waits.to_vec()))
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v
    }

    pub(crate) fn live_count(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleep_until(nanos: u64) -> Waiting {
        Waiting {
            kind: WaitKind::Sleep {
                until: Instant::from_nanos(nanos),
            },
            site: None,
        }
    }

    fn untils(w: &Waits) -> Vec<u64> {
        w.to_vec()
            .iter()
            .map(|w| match w.kind {
                WaitKind::Sleep { until } => until.as_nanos(),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn waits_keep_every_entry_in_order_and_clear() {
        let mut w = Waits::default();
        assert!(untils(&w).is_empty());
        for n in 1..=3 {
            w.push(sleep_until(n));
            assert_eq!(untils(&w), (1..=n).collect::<Vec<_>>());
        }
        w.clear();
        assert!(untils(&w).is_empty());
        w.push(sleep_until(9));
        assert_eq!(untils(&w), [9]);
    }
}
