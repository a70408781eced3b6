//! The task table: every task of the run by slot, free slots reused.
//!
//! A task's life is one [`TaskState`]; every transition is made by the run (`rt::tasks`):
//!
//! ```text
//!            spawn                  begin_step               poll: Pending
//!   Free ─────────────> Suspended ─────────────> Polling ─────────────────────> Suspended
//!                        │  (abort: cancelled       │
//!                        │   at its next step)      │ poll: Ready, panic; abort; shutdown
//!                        ▼                          ▼
//!                      Finished (output kept for the JoinHandle) ──taken, or handle dropped──> Free
//! ```
//!
//! A task that ends while nobody holds its `JoinHandle` goes straight back to `Free`. Slot 0 is
//! main's (`Main`): its future lives on the run's stack.

use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Waker;

use super::hosts::HostId;
use super::raw::RawTask;
use super::ready::TaskKey;
use crate::model::{Instant, TaskId};

/// What a blocked task waits on, for deadlock reports.
#[derive(Clone, Debug)]
pub(crate) enum WaitKind {
    Sleep {
        until: Instant,
    },
    Join {
        task: TaskId,
    },
    Resource {
        op: &'static str,
        name: Option<Arc<str>>,
    },
}

/// One thing a task noted it waits on, and the line that awaited it.
#[derive(Clone, Debug)]
pub(crate) struct WaitNote {
    pub(crate) kind: WaitKind,
    pub(crate) site: Option<&'static Location<'static>>,
}

impl WaitKind {
    /// The same wait, told cheaply: the operation's text and the resource's name compared by
    /// address. (Equal notes at different addresses count as different: the note is then
    /// replaced by its equal, which changes nothing.)
    fn same_as(&self, other: &WaitKind) -> bool {
        match (self, other) {
            (WaitKind::Sleep { until: a }, WaitKind::Sleep { until: b }) => a == b,
            (WaitKind::Join { task: a }, WaitKind::Join { task: b }) => a == b,
            (WaitKind::Resource { op: a, name: na }, WaitKind::Resource { op: b, name: nb }) => {
                std::ptr::eq(*a, *b)
                    && match (na, nb) {
                        (None, None) => true,
                        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
                        _ => false,
                    }
            }
            _ => false,
        }
    }
}

impl WaitNote {
    fn same_as(&self, other: &WaitNote) -> bool {
        self.kind.same_as(&other.kind)
            && match (self.site, other.site) {
                (None, None) => true,
                (Some(a), Some(b)) => std::ptr::eq(a, b),
                _ => false,
            }
    }
}

/// What a task noted it waits on: the notes of its last poll, and perhaps stale ones of earlier
/// polls after them. Nearly always zero or one entry, kept inline so that noting a wait neither
/// allocates nor touches memory outside the slot.
///
/// A poll does not clear the notes: the slot counts how many of them its current poll noted
/// ([`Slot::noted`]), and a note equal to the stale one in its place is kept as is. A task that
/// waits on the same thing poll after poll (a reader, a consumer, a blocked worker) so notes its
/// wait without cloning a name or dropping one.
#[derive(Clone, Debug, Default)]
pub(crate) enum WaitNotes {
    #[default]
    None,
    One(WaitNote),
    Many(Vec<WaitNote>),
}

impl WaitNotes {
    fn get(&self, i: usize) -> Option<&WaitNote> {
        match self {
            WaitNotes::None => None,
            WaitNotes::One(w) => (i == 0).then_some(w),
            WaitNotes::Many(all) => all.get(i),
        }
    }

    /// Makes `w` note number `i` (0-based) of the current poll. Stale notes after it stay
    /// (the slot's count says they are stale) unless `w` replaces a different note.
    pub(crate) fn note(&mut self, i: usize, w: WaitNote) {
        if self.get(i).is_some_and(|old| old.same_as(&w)) {
            return;
        }
        self.truncate(i);
        *self = match std::mem::take(self) {
            WaitNotes::None => WaitNotes::One(w),
            WaitNotes::One(first) => WaitNotes::Many(vec![first, w]),
            WaitNotes::Many(mut all) => {
                all.push(w);
                WaitNotes::Many(all)
            }
        };
    }

    /// Keeps the first `n` notes.
    fn truncate(&mut self, n: usize) {
        match self {
            _ if n == 0 => *self = WaitNotes::None,
            WaitNotes::Many(all) if n == 1 => {
                let first = all.swap_remove(0);
                *self = WaitNotes::One(first);
            }
            WaitNotes::Many(all) => all.truncate(n),
            _ => {}
        }
    }

    /// The first `n` notes.
    pub(crate) fn first(&self, n: usize) -> Vec<WaitNote> {
        match self {
            WaitNotes::None => Vec::new(),
            WaitNotes::One(w) => [w].into_iter().take(n).cloned().collect(),
            WaitNotes::Many(all) => all.iter().take(n).cloned().collect(),
        }
    }
}

/// A spawned task's block (its waker, its future, then its output).
pub(crate) type Body = Pin<Box<dyn RawTask>>;

/// Where a task is in its life (see the module docs for the transitions).
pub(crate) enum TaskState {
    /// No task: the slot is on the free list.
    Free,
    /// Main: its future lives on the run's stack, not here.
    Main,
    /// Spawned and not finished, between two polls (runnable or waiting).
    Suspended(Body),
    /// Being polled: its body is on the run's stack for the duration of the poll.
    Polling,
    /// Ended (returned, panicked, aborted, or dropped at the end of the run); the block holds
    /// its output until the `JoinHandle` takes it.
    Finished(Body),
}

/// Which [`TaskState`] a slot is in, without its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Free,
    Main,
    Suspended,
    Polling,
    Finished,
}

impl Stage {
    /// Spawned, not finished: what a crash aborts and the end of the run drops.
    pub(crate) fn is_unfinished(self) -> bool {
        matches!(self, Stage::Suspended | Stage::Polling)
    }
}

/// One task: what a step reads (its id, stage, flags and block), 32 bytes, two to a cache
/// line. What a step rarely needs (the joiner, the wait notes) is in the table's [`Aside`]
/// entry of the same index. Its [`TaskState`] is kept as a one-byte [`Stage`] beside the body
/// (when the stage has one), so that the state's tag shares a word with the flags.
pub(crate) struct Slot {
    /// The block of a suspended or finished task.
    body: Option<Body>,
    /// Its id (as its key holds it); with the slot index, the key that names it. A free slot
    /// holds the index of the next free slot here instead ([`NO_SLOT`] for none).
    pub(crate) id: u32,
    /// The host it runs on (its spawner's, unless spawned on another).
    pub(crate) host: HostId,
    stage: Stage,
    /// In the ready queue (at most once).
    pub(crate) scheduled: bool,
    /// An abort was requested: its future is dropped instead of polled at its next step.
    pub(crate) abort: bool,
    /// Its `JoinHandle` is alive (in this run): a finished task keeps its output for it.
    pub(crate) handle: bool,
    /// How many of its wait notes the current (or last) poll noted (saturating: a poll noting
    /// more than 255 waits keeps its first 255).
    pub(crate) noted: u8,
    /// Its [`Aside`] entry is this task's: false until the task first keeps a joiner or notes
    /// a wait. Until then the entry holds what an earlier task of the slot left (or nothing),
    /// and is emptied before its first use: freeing a slot need not touch it.
    aside: bool,
}

/// The rarely read part of a task: the task awaiting its `JoinHandle`, and what it noted it
/// waits on. Valid only while its slot's `aside` flag is set.
#[derive(Default)]
pub(crate) struct Aside {
    /// The task awaiting its `JoinHandle`, woken when it ends.
    joiner: Option<Waker>,
    /// What it noted it waits on: the first `noted` entries are its current poll's.
    waits: WaitNotes,
}

impl Slot {
    /// Where the task is in its life.
    #[inline]
    pub(crate) fn stage(&self) -> Stage {
        self.stage
    }

    /// Puts the slot in `state`, dropping the body it held, if any.
    #[inline]
    pub(crate) fn set_state(&mut self, state: TaskState) {
        let (stage, body) = split(state);
        self.stage = stage;
        self.body = body;
    }

    /// Puts the slot in `state` and returns the state it was in.
    #[inline]
    pub(crate) fn replace_state(&mut self, state: TaskState) -> TaskState {
        let (stage, body) = split(state);
        let old = join(self.stage, self.body.take());
        self.stage = stage;
        self.body = body;
        old
    }

    /// Takes a suspended task's block out to poll (or end) it: the slot is `Polling` until
    /// [`Slot::leave_polling`].
    #[inline]
    pub(crate) fn start_polling(&mut self) -> Body {
        debug_assert_eq!(self.stage, Stage::Suspended);
        self.stage = Stage::Polling;
        self.body
            .take()
            .expect("a suspended slot holds its task's block")
    }

    /// Replaces `Polling`, the state of a task while it is polled or ended, with `state`.
    #[inline]
    pub(crate) fn leave_polling(&mut self, state: TaskState) {
        debug_assert!(
            self.stage == Stage::Polling && self.body.is_none(),
            "only a polled task leaves Polling"
        );
        self.set_state(state);
    }

    fn free() -> Self {
        Slot {
            body: None,
            id: 0,
            host: HostId::MAIN,
            stage: Stage::Free,
            scheduled: false,
            abort: false,
            handle: false,
            noted: 0,
            aside: false,
        }
    }
}

fn split(state: TaskState) -> (Stage, Option<Body>) {
    match state {
        TaskState::Free => (Stage::Free, None),
        TaskState::Main => (Stage::Main, None),
        TaskState::Suspended(b) => (Stage::Suspended, Some(b)),
        TaskState::Polling => (Stage::Polling, None),
        TaskState::Finished(b) => (Stage::Finished, Some(b)),
    }
}

fn join(stage: Stage, body: Option<Body>) -> TaskState {
    match (stage, body) {
        (Stage::Free, _) => TaskState::Free,
        (Stage::Main, _) => TaskState::Main,
        (Stage::Polling, _) => TaskState::Polling,
        (Stage::Suspended, Some(b)) => TaskState::Suspended(b),
        (Stage::Finished, Some(b)) => TaskState::Finished(b),
        (stage, None) => unreachable!("a {stage:?} slot holds its task's block"),
    }
}

/// The end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// The slots, and the free ones as a list threaded through them (the last one freed first),
/// so that freeing a slot never allocates.
pub(crate) struct TaskTable {
    slots: Vec<Slot>,
    /// Each slot's [`Aside`] entry, by the same index.
    asides: Vec<Aside>,
    /// The free slot reused next, or [`NO_SLOT`].
    free: u32,
}

impl Default for TaskTable {
    fn default() -> Self {
        TaskTable {
            slots: Vec::new(),
            asides: Vec::new(),
            free: NO_SLOT,
        }
    }
}

impl TaskTable {
    /// The key the next [`TaskTable::insert`] of task `id` gives (a task's waker names its key,
    /// and its body holds its waker).
    pub(crate) fn next_key(&self, id: TaskId) -> TaskKey {
        let slot = match self.free {
            NO_SLOT => self.slots.len() as u32,
            i => i,
        };
        TaskKey::new(slot, id)
    }

    /// Fills a free slot with task `id` in `state`, on `host`.
    pub(crate) fn insert(
        &mut self,
        id: TaskId,
        state: TaskState,
        handle: bool,
        host: HostId,
    ) -> TaskKey {
        let raw_id = TaskKey::new(0, id).raw_id();
        let index = match self.free {
            NO_SLOT => {
                let mut slot = Slot {
                    id: raw_id,
                    handle,
                    host,
                    ..Slot::free()
                };
                slot.set_state(state);
                self.slots.push(slot);
                self.asides.push(Aside::default());
                (self.slots.len() - 1) as u32
            }
            i => {
                // A freed slot holds nothing ([`TaskTable::remove`] emptied it): its fields are
                // set in place.
                let place = &mut self.slots[i as usize];
                debug_assert!(place.stage == Stage::Free && place.body.is_none() && !place.aside);
                self.free = place.id;
                place.id = raw_id;
                place.host = host;
                place.scheduled = false;
                place.abort = false;
                place.handle = handle;
                place.noted = 0;
                place.set_state(state);
                i
            }
        };
        TaskKey::new(index, id)
    }

    /// The task `key` names, unless its slot was freed.
    pub(crate) fn get_mut(&mut self, key: TaskKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|s| s.id == key.raw_id() && s.stage != Stage::Free)
    }

    /// See [`TaskTable::get_mut`].
    pub(crate) fn get(&self, key: TaskKey) -> Option<&Slot> {
        self.slots
            .get(key.slot as usize)
            .filter(|s| s.id == key.raw_id() && s.stage != Stage::Free)
    }

    /// The task's [`Aside`] entry, made its own (emptied) if it was not yet.
    fn aside_mut(&mut self, key: TaskKey) -> Option<(&mut Slot, &mut Aside)> {
        let i = key.slot as usize;
        let slot = self
            .slots
            .get_mut(i)
            .filter(|s| s.id == key.raw_id() && s.stage != Stage::Free)?;
        let aside = &mut self.asides[i];
        if !slot.aside {
            slot.aside = true;
            *aside = Aside::default();
        }
        Some((slot, aside))
    }

    /// Keeps `waker` to wake when the task ends (unless it is the one kept already).
    pub(crate) fn set_joiner(&mut self, key: TaskKey, waker: &Waker) {
        if let Some((_, aside)) = self.aside_mut(key) {
            match &aside.joiner {
                Some(old) if old.will_wake(waker) => {}
                _ => aside.joiner = Some(waker.clone()),
            }
        }
    }

    /// Takes the waker kept to wake when the task ends.
    pub(crate) fn take_joiner(&mut self, key: TaskKey) -> Option<Waker> {
        let i = key.slot as usize;
        match self.get(key) {
            Some(s) if s.aside => self.asides[i].joiner.take(),
            _ => None,
        }
    }

    /// Notes that the task waits on `w` (its current poll's next note; at most 255 are kept).
    pub(crate) fn note_wait(&mut self, key: TaskKey, w: WaitNote) {
        if let Some((slot, aside)) = self.aside_mut(key) {
            if slot.noted < u8::MAX {
                aside.waits.note(usize::from(slot.noted), w);
                slot.noted += 1;
            }
        }
    }

    /// Frees the slot; returns its last state (to drop outside any borrow) and whether it was
    /// still scheduled.
    pub(crate) fn remove(&mut self, key: TaskKey) -> Option<(TaskState, bool)> {
        let next = self.free;
        let s = self.get_mut(key)?;
        let state = s.replace_state(TaskState::Free);
        let scheduled = std::mem::take(&mut s.scheduled);
        s.aside = false;
        s.noted = 0;
        s.id = next;
        self.free = key.slot;
        Some((state, scheduled))
    }

    /// True when no slot was ever filled since the table was emptied.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Empties the table (dropping what its slots hold, in slot order), keeping its buffers
    /// unless they grew past `keep` slots.
    pub(crate) fn clear_keeping(&mut self, keep: usize) {
        if self.slots.capacity() > keep {
            *self = TaskTable::default();
        } else {
            self.slots.clear();
            self.asides.clear();
            self.free = NO_SLOT;
        }
    }

    /// Unfinished tasks other than main, in id (spawn) order.
    pub(crate) fn unfinished_spawned(&self) -> Vec<TaskKey> {
        let mut keys: Vec<TaskKey> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.stage.is_unfinished())
            .map(|(i, s)| TaskKey::new(i as u32, TaskId::from_u64(u64::from(s.id))))
            .collect();
        keys.sort_by_key(|k| k.id());
        keys
    }

    /// Every unfinished task (main included) with what it waits on, in id order.
    pub(crate) fn unfinished_with_waits(&self) -> Vec<(TaskId, Vec<WaitNote>)> {
        let mut v: Vec<_> = self
            .slots
            .iter()
            .zip(&self.asides)
            .filter(|(s, _)| s.stage.is_unfinished() || s.stage == Stage::Main)
            .map(|(s, a)| {
                let id = TaskId::from_u64(u64::from(s.id));
                let waits = if s.aside {
                    a.waits.first(usize::from(s.noted))
                } else {
                    Vec::new()
                };
                (id, waits)
            })
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v
    }

    /// Unfinished tasks, main included.
    pub(crate) fn unfinished_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.stage.is_unfinished() || s.stage == Stage::Main)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleep_until(nanos: u64) -> WaitNote {
        WaitNote {
            kind: WaitKind::Sleep {
                until: Instant::from_nanos(nanos),
            },
            site: None,
        }
    }

    fn untils(w: &WaitNotes, n: usize) -> Vec<u64> {
        w.first(n)
            .iter()
            .map(|w| match w.kind {
                WaitKind::Sleep { until } => until.as_nanos(),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn notes_keep_every_entry_in_order_and_reuse_stale_ones() {
        let mut w = WaitNotes::default();
        assert!(untils(&w, 5).is_empty());
        for n in 1..=3 {
            w.note(n as usize - 1, sleep_until(n));
            assert_eq!(untils(&w, n as usize), (1..=n).collect::<Vec<_>>());
        }
        // The next poll notes the same first wait (kept as is: the stale ones after it stay,
        // past the poll's count), then another one, which replaces the stale second.
        w.note(0, sleep_until(1));
        assert_eq!(untils(&w, 1), [1]);
        w.note(1, sleep_until(7));
        assert_eq!(untils(&w, 2), [1, 7]);
        assert_eq!(untils(&w, 5), [1, 7]);
        // A different first note replaces everything.
        w.note(0, sleep_until(9));
        assert_eq!(untils(&w, 5), [9]);
    }

    #[test]
    fn a_note_is_the_same_only_for_the_same_resource() {
        let name: Arc<str> = "db".into();
        let other: Arc<str> = "db".into();
        let op = |name: Option<&Arc<str>>| WaitNote {
            kind: WaitKind::Resource {
                op: "Mutex::lock",
                name: name.cloned(),
            },
            site: None,
        };
        assert!(op(Some(&name)).same_as(&op(Some(&name))));
        assert!(!op(Some(&name)).same_as(&op(Some(&other))));
        assert!(!op(Some(&name)).same_as(&op(None)));
        let mut w = WaitNotes::default();
        w.note(0, op(Some(&name)));
        w.note(0, op(Some(&other)));
        match &w.first(1)[0].kind {
            WaitKind::Resource { name: Some(n), .. } => assert!(Arc::ptr_eq(n, &other)),
            k => panic!("{k:?}"),
        }
    }

    /// The free list threaded through the freed slots: the last freed is reused first, every
    /// freed slot is reused before the table grows, and a cleared table starts over.
    #[test]
    fn freed_slots_are_reused_last_freed_first_before_the_table_grows() {
        let mut t = TaskTable::default();
        let keys: Vec<TaskKey> = (0..6u64)
            .map(|id| t.insert(TaskId::from_u64(id), TaskState::Polling, true, HostId::MAIN))
            .collect();
        for &k in [keys[1], keys[4], keys[2]].iter() {
            assert!(t.remove(k).is_some());
        }
        let slots: Vec<u32> = (6..10u64)
            .map(|id| {
                let next = t.next_key(TaskId::from_u64(id));
                let k = t.insert(TaskId::from_u64(id), TaskState::Polling, true, HostId::MAIN);
                assert_eq!(next, k);
                assert!(t.get(k).is_some_and(|s| s.id == k.raw_id() && s.handle));
                k.slot
            })
            .collect();
        assert_eq!(slots, [2, 4, 1, 6]);
        assert_eq!(t.unfinished_count(), 7);
        t.clear_keeping(usize::MAX);
        let k = t.insert(TaskId::from_u64(0), TaskState::Main, false, HostId::MAIN);
        assert_eq!(k.slot, 0);
    }

    #[test]
    fn a_freed_slot_is_reused_under_a_new_key() {
        let mut t = TaskTable::default();
        let main = t.insert(TaskId::MAIN, TaskState::Main, false, HostId::MAIN);
        let a = t.insert(TaskId::from_u64(1), TaskState::Polling, true, HostId::MAIN);
        assert!(t.remove(a).is_some());
        assert!(t.get(a).is_none() && t.remove(a).is_none());
        let b = t.insert(TaskId::from_u64(2), TaskState::Polling, true, HostId::MAIN);
        assert_eq!(b.slot, a.slot);
        assert!(t.get(a).is_none() && t.get(b).is_some());
        assert_eq!(t.unfinished_spawned(), [b]);
        assert_eq!(t.unfinished_count(), 2);
        assert!(t.get(main).is_some());
    }
}

#[cfg(test)]
mod layout {
    /// The slot's size is what a parked task costs the table: keep it from growing unnoticed.
    #[test]
    fn a_slot_is_32_bytes_its_aside_64_and_a_key_8() {
        assert_eq!(std::mem::size_of::<super::Slot>(), 32);
        assert_eq!(std::mem::size_of::<super::Aside>(), 64);
        assert_eq!(std::mem::size_of::<super::TaskKey>(), 8);
    }
}
