//! The state one run leaves to the next on the same thread.
//!
//! A seed sweep runs thousands of short runs, one after another, on one thread; each used to
//! allocate its state (a block of over a kilobyte, past the allocator's fast path), its task
//! table, ready queue, timer queue and trace from nothing and grow them step by step. A run now
//! ends by emptying its state ([`super::core::Core::retire`]) and leaving it here (`give`); the
//! next run takes it (`take`) and resets it in place. (A trace dropped in between keeps its
//! buffers for the next run's trace the same way: see `Trace`'s `Drop`.)
//! Only capacity carries over: the state handed on holds nothing of the run that left it, so a
//! run behaves exactly as on fresh state. A buffer that grew past [`KEEP`] entries is not kept
//! (one huge run must not pin its memory for the rest of the thread's life).

use std::cell::Cell;
use std::rc::Rc;

use super::core::Core;

/// Entries past which a buffer is dropped instead of kept.
pub(super) const KEEP: usize = 4096;

thread_local! {
    static SPARE: Cell<Option<Rc<Core>>> = const { Cell::new(None) };
}

/// The state the last run on this thread left, if any.
pub(super) fn take() -> Option<Rc<Core>> {
    SPARE.try_with(Cell::take).ok().flatten()
}

/// Keeps an ended run's emptied state for the next run on this thread.
pub(super) fn give(core: Rc<Core>) {
    // At thread exit there is no next run: the state is dropped with the thread's locals.
    let _ = SPARE.try_with(|s| s.set(Some(core)));
}
