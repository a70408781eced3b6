//! `Beacon`: where a run is, readable from another thread while the run goes on.
//!
//! A watchdog (the harness's real-time hang guard, `SEEDLOOP_HANG_SECS`) needs to say which
//! task a stuck run is polling, and since when. The run is single-threaded and its state is not
//! `Sync`, so it publishes a copy: give [`SimBuilder::beacon`](crate::SimBuilder::beacon) an
//! `Arc<Beacon>`, and the run writes the task, step and virtual time into it before every poll.
//!
//! Nothing in `sim` ever reads a beacon back, and writing one takes no decision and records
//! nothing: a run with a beacon is the same run (same decisions, same trace) as without.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::{Instant, TaskId, TaskInfo};

/// The progress of one run, for other threads.
///
/// A watchdog (the harness's real-time hang guard, `SEEDLOOP_HANG_SECS`) needs to say which
/// task a stuck run is polling, and since when. The run is single-threaded and its state is not
/// `Sync`, so it publishes a copy: give [`SimBuilder::beacon`](crate::SimBuilder::beacon) an
/// `Arc<Beacon>`, and the run writes the task, step and virtual time into it before every poll.
///
/// Nothing in `sim` ever reads a beacon back, and writing one takes no decision and records
/// nothing: a run with a beacon is the same run (same decisions, same trace) as without.
///
/// ```
/// use std::sync::Arc;
/// let beacon = Arc::new(sim::Beacon::default());
/// assert!(beacon.read().is_none()); // nothing polled yet
/// let mut sim = sim::Sim::builder().beacon(beacon.clone()).build();
/// sim.run(async {
///     sim::time::sleep(std::time::Duration::from_secs(2)).await;
///     sim::spawn(async {}).await.unwrap();
/// }).unwrap();
/// let last = beacon.read().unwrap();
/// assert_eq!(last.task.id, sim::task::TaskId::MAIN); // main's poll came last
/// assert_eq!(last.time.as_nanos(), 2_000_000_000);
/// assert_eq!(last.polls, 4);
/// ```
#[derive(Debug, Default)]
pub struct Beacon {
    /// Polls noted so far: a watcher that sees it unchanged knows the run is inside one poll.
    polls: AtomicU64,
    task: AtomicU64,
    step: AtomicU64,
    time: AtomicU64,
    /// The polled task's description, replaced only when the polled task changes.
    info: Mutex<Option<TaskInfo>>,
}

/// What a [`Beacon`] last received: the poll a run is in, or its last one.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Polls so far in the run (the current one included).
    pub polls: u64,
    /// The task being polled, with its name and spawn site.
    pub task: TaskInfo,
    /// The run's step at that poll.
    pub step: u64,
    /// The virtual time at that poll.
    pub time: Instant,
}

impl Progress {
    /// Where the polled task was spawned (for main: where the run was started).
    pub fn site(&self) -> &'static Location<'static> {
        self.task.spawned_at
    }
}

impl Beacon {
    /// The last poll noted, or `None` before the first.
    ///
    /// The fields are written one by one while the run goes on, so a read taken during a
    /// switch between two tasks may mix them; a run stuck in one poll reads consistently.
    pub fn read(&self) -> Option<Progress> {
        let polls = self.polls.load(Ordering::Acquire);
        if polls == 0 {
            return None;
        }
        let task = self
            .info
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        Some(Progress {
            polls,
            task,
            step: self.step.load(Ordering::Relaxed),
            time: Instant::from_nanos(self.time.load(Ordering::Relaxed)),
        })
    }

    /// Called by the run loop before each poll. `info` is asked only when the polled task
    /// changed, so a task polled again and again costs three stores and a swap.
    pub(crate) fn note_poll(
        &self,
        task: TaskId,
        step: u64,
        time: Instant,
        info: impl FnOnce() -> Option<TaskInfo>,
    ) {
        let id = task.as_u64();
        let first = self.polls.load(Ordering::Relaxed) == 0;
        if self.task.swap(id, Ordering::Relaxed) != id || first {
            *self.info.lock().unwrap_or_else(PoisonError::into_inner) = info();
        }
        self.step.store(step, Ordering::Relaxed);
        self.time.store(time.as_nanos(), Ordering::Relaxed);
        self.polls.fetch_add(1, Ordering::Release);
    }
}
