//! The simulation running on this thread, for `sim` functions called from inside tasks.
//!
//! One simulation at a time per thread: `Sim::run` installs its state here and removes it when it
//! returns; a nested `run` is refused. Functions like `spawn`, `sleep` or `now` called with no
//! simulation running panic with a message that names the function and the fix.

use std::cell::RefCell;
use std::rc::Rc;

use super::core::Core;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Removes the simulation from this thread when dropped.
pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = None;
            }
        });
    }
}

/// Installs `core` as this thread's simulation; `Err` if one is already running.
pub(crate) fn enter(core: Rc<Core>) -> Result<EnterGuard, ()> {
    CURRENT.with(|c| match c.try_borrow_mut() {
        Ok(mut slot) if slot.is_none() => {
            *slot = Some(core);
            Ok(EnterGuard(()))
        }
        _ => Err(()),
    })
}

/// Runs `f` on this thread's simulation, if one is running.
pub(crate) fn try_with<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    CURRENT.with(|c| {
        let c = c.try_borrow().ok()?;
        c.as_deref().map(f)
    })
}

/// The run on this thread, to keep across a borrow (the hosts' world).
pub(crate) fn try_current() -> Option<Rc<Core>> {
    CURRENT.with(|c| c.try_borrow().ok()?.clone())
}

/// See [`try_current`].
///
/// # Panics
/// With a message naming `api` when no simulation is running.
#[track_caller]
pub(crate) fn current(api: &str) -> Rc<Core> {
    match try_current() {
        Some(core) => core,
        None => outside(api),
    }
}

/// True when a simulation is running on this thread.
pub(crate) fn in_sim() -> bool {
    try_with(|_| ()).is_some()
}

/// Runs `f` on this thread's simulation.
///
/// # Panics
/// With a message naming `api` when no simulation is running.
#[track_caller]
pub(crate) fn with<R>(api: &str, f: impl FnOnce(&Core) -> R) -> R {
    match try_with(f) {
        Some(r) => r,
        None => outside(api),
    }
}

/// Runs `f` on run `sim` if it is the one running on this thread (for handles and timers that
/// name their run).
pub(crate) fn try_with_run<R>(sim: u64, f: impl FnOnce(&Core) -> R) -> Option<R> {
    try_with(|core| (core.sim_id() == sim).then(|| f(core))).flatten()
}

/// Runs `f` on run `sim`, which must be the one running on this thread.
///
/// # Panics
/// With a message naming `api` when it is not (the run ended, or the caller is another run or
/// another thread).
#[track_caller]
pub(crate) fn with_run<R>(api: &str, sim: u64, f: impl FnOnce(&Core) -> R) -> R {
    match try_with_run(sim, f) {
        Some(r) => r,
        None => not_its_run(api),
    }
}

/// Runs `f` on run `sim` if it runs on this thread; does nothing when no run does (the run
/// ended, so every task of it ended too: an abort then changes nothing).
///
/// # Panics
/// With a message naming `api` when another run is running on this thread.
#[track_caller]
pub(crate) fn with_run_if_any<R>(api: &str, sim: u64, f: impl FnOnce(&Core) -> R) -> Option<R> {
    match try_with(|core| (core.sim_id() == sim).then(|| f(core))) {
        None => None,
        Some(Some(r)) => Some(r),
        Some(None) => not_its_run(api),
    }
}

#[track_caller]
#[cold]
fn not_its_run(api: &str) -> ! {
    panic!(
        "`{api}` was called on a handle of a task of another run: a task and its result live as \
         long as the `Sim::run` that spawned it, so its handles work only inside that run, on its \
         thread. This one was kept past the end of its run, moved into another run, or sent to \
         another thread; await or abort the task inside the run that spawned it (return its \
         output from the run instead of the handle)."
    )
}

#[track_caller]
#[cold]
fn outside(api: &str) -> ! {
    panic!(
        "`{api}` was called outside a simulation: seedloop's primitives only work inside the \
         future passed to `Sim::run` (or a task it spawned). Wrap the code in \
         `sim::Sim::new(seed).run(async {{ ... }})`; if this is a tokio or std primitive mixed into \
         simulated code, use the `sim::` equivalent instead."
    )
}
