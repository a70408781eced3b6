//! Task wakers, built on `std::task::Wake`.
//!
//! A waker names its simulation (a process-unique number), its owner thread and its task. Waking
//! on the owner thread while that simulation runs schedules the task. Waking after the run ended
//! does nothing (a stale waker kept by user code is harmless). Waking from any other thread means
//! something outside the simulation (a real thread, another runtime) holds a simulated task's
//! waker: that would make runs nondeterministic, so it is recorded and the run fails with
//! [`crate::SimError::is_foreign_wake`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{RawWakerVTable, Wake, Waker};
use std::thread::ThreadId;

use super::context;
use super::ready::TaskKey;

/// What every waker of one run shares: the run's identity, and the wakes that came from another
/// thread while it ran. (Shared rather than copied into each task's waker, which stays small.)
pub(crate) struct ForeignWakes {
    sim: u64,
    owner: ThreadId,
    flagged: AtomicBool,
    thread: Mutex<Option<String>>,
}

impl ForeignWakes {
    pub(crate) fn new(sim: u64, owner: ThreadId) -> Self {
        ForeignWakes {
            sim,
            owner,
            flagged: AtomicBool::new(false),
            thread: Mutex::new(None),
        }
    }

    /// Serves another run (no waker of the last one is left: the caller holds the only
    /// reference).
    pub(crate) fn reset(&mut self, sim: u64, owner: ThreadId) {
        self.sim = sim;
        self.owner = owner;
        *self.flagged.get_mut() = false;
        self.thread = Mutex::new(None);
    }

    #[inline]
    pub(crate) fn is_flagged(&self) -> bool {
        self.flagged.load(Ordering::Relaxed)
    }

    pub(crate) fn thread(&self) -> String {
        self.thread
            .lock()
            .map(|t| t.clone())
            .ok()
            .flatten()
            .unwrap_or_else(|| "?".into())
    }

    fn record(&self) {
        let t = std::thread::current();
        let name = t
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{:?}", t.id()));
        if let Ok(mut slot) = self.thread.lock() {
            slot.get_or_insert(name);
        }
        self.flagged.store(true, Ordering::Relaxed);
    }
}

/// Which waker a `Waker` is (its data and vtable addresses, as `Waker::will_wake` compares
/// them), kept without a reference count: the run notes the polled task's own so that a task
/// waking itself (`yield_now`, a preemption point that switches) is rescheduled directly
/// instead of through its waker and this thread's simulation lookup. Never dereferenced and
/// never part of a trace: a waker it fails to recognize takes the usual way, with the same
/// effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WakerId(*const (), *const RawWakerVTable);

impl WakerId {
    /// No waker.
    pub(crate) const NONE: WakerId = WakerId(std::ptr::null(), std::ptr::null());

    #[inline]
    pub(crate) fn of(waker: &Waker) -> WakerId {
        WakerId(waker.data(), waker.vtable())
    }
}

/// A task's waker. Its allocation is kept for the next task of the same slot, in this run or a
/// later one on the same thread, when nothing else holds it any more (see [`WakerPool`]).
pub(crate) struct TaskWaker {
    key: TaskKey,
    /// The run's; `None` only while the waker lies unused in a retired run's pool (so that
    /// the pool does not keep the run's [`ForeignWakes`] shared).
    foreign: Option<Arc<ForeignWakes>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // A waker handed out always names its run: the pool empties only wakers it alone holds.
        let Some(foreign) = &self.foreign else {
            return;
        };
        let handled = context::try_with(|core| {
            if core.sim_id() == foreign.sim {
                core.wake(self.key);
                true
            } else {
                false
            }
        });
        if handled != Some(true) && std::thread::current().id() != foreign.owner {
            foreign.record();
        }
    }
}

/// The task wakers of a run by slot, kept from task to task and from run to run (with the
/// state that holds them), so that spawning a task does not allocate its waker.
///
/// A slot's waker is reused only when the pool holds the one reference to it: then no task,
/// future or user code can wake it any more, and pointing it at the slot's new task changes
/// nothing anybody can observe. A waker somebody kept (a stale clone of an ended task's waker)
/// stays theirs, still naming its old task (which its run no longer finds): the slot gets a new
/// one.
///
/// Only the first [`POOLED`] slots have a pooled waker: a run of a million parked tasks would
/// otherwise pay eight bytes per task for a pool that saves nothing once the slots stop being
/// reused (the wakers of slots past it are allocated per task, as a task's own).
#[derive(Default)]
pub(crate) struct WakerPool {
    wakers: Vec<Arc<TaskWaker>>,
}

/// Slots with a pooled waker: as many as a retired run's state keeps.
pub(crate) const POOLED: usize = super::spare::KEEP;

impl WakerPool {
    /// The waker of the task `key`, of the run whose foreign wakes are `foreign`.
    pub(crate) fn waker(&mut self, key: TaskKey, foreign: &Arc<ForeignWakes>) -> Waker {
        let i = key.slot as usize;
        if let Some(pooled) = self.wakers.get_mut(i) {
            match Arc::get_mut(pooled) {
                Some(w) => {
                    w.key = key;
                    if !w.foreign.as_ref().is_some_and(|f| Arc::ptr_eq(f, foreign)) {
                        w.foreign = Some(foreign.clone());
                    }
                }
                None => *pooled = fresh(key, foreign),
            }
            return Waker::from(pooled.clone());
        }
        let waker = fresh(key, foreign);
        if i == self.wakers.len() && i < POOLED {
            self.wakers.push(waker.clone());
        }
        Waker::from(waker)
    }

    /// The run is over: the wakers only the pool holds let go of its [`ForeignWakes`] (the next
    /// run resets it in place when nothing else holds it). The pool itself is kept whole: it
    /// never holds more than [`POOLED`] wakers.
    pub(crate) fn retire(&mut self) {
        for pooled in &mut self.wakers {
            if let Some(w) = Arc::get_mut(pooled) {
                w.foreign = None;
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Task wakers allocated on this thread (tests check that runs reuse them).
    pub(crate) static MADE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn fresh(key: TaskKey, foreign: &Arc<ForeignWakes>) -> Arc<TaskWaker> {
    #[cfg(test)]
    MADE.with(|m| m.set(m.get() + 1));
    Arc::new(TaskWaker {
        key,
        foreign: Some(foreign.clone()),
    })
}
