//! The simulation running on this thread, for `sim` functions called from inside tasks.
//!
//! One simulation at a time per thread: `Sim::run` installs its state here and removes it when it
//! returns; a nested `run` is refused. Functions like `spawn`, `sleep` or `now` called with no
//! simulation running panic with a message that names the function and the fix.

use std::cell::RefCell;
use std::rc::Rc;

use crate::core::Core;

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
