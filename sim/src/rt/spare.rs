//! The buffers one run leaves to the next on the same thread.
//!
//! A seed sweep runs thousands of short runs, one after another, on one thread; each used to
//! allocate its task table, ready queue and timer queue from nothing and grow them step by step.
//! A run now takes the emptied buffers of the run before it (`take`) and gives its own back when
//! it ends (`give`). Only capacity carries over: every buffer is empty when handed on, so a run
//! behaves exactly as on fresh ones. A buffer that grew past [`KEEP`] entries is not kept (one
//! huge run must not pin its memory for the rest of the thread's life).

use std::cell::Cell;
use std::sync::Arc;

use super::ready::ReadyQueue;
use super::table::TaskTable;
use super::timers::TimerQueue;
use super::waker::ForeignWakes;

/// Entries past which a buffer is dropped instead of kept.
const KEEP: usize = 4096;

/// Emptied buffers of an ended run.
#[derive(Default)]
pub(super) struct Spare {
    pub(super) tasks: TaskTable,
    pub(super) ready: ReadyQueue,
    pub(super) timers: TimerQueue,
    /// What the run's wakers shared; the next run reuses it only if no waker of this one is
    /// left by then.
    pub(super) foreign: Option<Arc<ForeignWakes>>,
}

thread_local! {
    static SPARE: Cell<Option<Box<Spare>>> = const { Cell::new(None) };
}

/// The buffers the last run on this thread left, or new ones.
pub(super) fn take() -> Box<Spare> {
    SPARE.with(Cell::take).unwrap_or_default()
}

/// Keeps what is small enough of an ended run's buffers for the next run, emptied.
pub(super) fn give(mut spare: Box<Spare>) {
    spare.tasks.clear_keeping(KEEP);
    spare.ready.clear_keeping(KEEP);
    spare.timers.clear_keeping(KEEP);
    SPARE.with(|s| s.set(Some(spare)));
}
