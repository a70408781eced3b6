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

pub(crate) struct TaskWaker {
    pub(crate) key: TaskKey,
    pub(crate) foreign: Arc<ForeignWakes>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let handled = context::try_with(|core| {
            if core.sim_id() == self.foreign.sim {
                core.wake(self.key);
                true
            } else {
                false
            }
        });
        if handled != Some(true) && std::thread::current().id() != self.foreign.owner {
            self.foreign.record();
        }
    }
}
