//! [`StateCell`]: the interior mutability every toolkit primitive keeps its state in.
//!
//! A run is single-threaded, but the primitives are `Send + Sync` like tokio's (so code with
//! `Send` bounds compiles against them), which rules out `RefCell`. A `std::sync::Mutex` that is
//! never contended costs one atomic exchange to lock and one to unlock. Taking it twice is a bug
//! in `sim` (a borrow held across a call back into the primitive): it panics, as a `RefCell`
//! would, instead of deadlocking; so does a use from a thread other than the run's while the run
//! holds it. Poisoning is ignored: the primitives restore their invariants before any user code
//! (a waker, a `Drop`) runs, so a panic never leaves a half-updated state behind.

use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// A `RefCell`-like cell that is `Sync`: see the module docs.
#[derive(Default)]
pub(crate) struct StateCell<T>(Mutex<T>);

impl<T> StateCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        StateCell(Mutex::new(value))
    }

    /// Exclusive access to the state.
    ///
    /// # Panics
    /// When the state is already borrowed (a re-entrant call; a bug in `sim`).
    #[inline]
    #[track_caller]
    pub(crate) fn borrow_mut(&self) -> MutexGuard<'_, T> {
        match self.0.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => already_borrowed(),
        }
    }

    /// The same as [`borrow_mut`](Self::borrow_mut): a mutex has no shared borrow.
    #[inline]
    #[track_caller]
    pub(crate) fn borrow(&self) -> MutexGuard<'_, T> {
        self.borrow_mut()
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cold]
#[track_caller]
fn already_borrowed() -> ! {
    panic!(
        "a sim primitive's state was borrowed twice: a re-entrant call, or a use from another \
         thread while the run was using it (sim's primitives belong to one simulation thread)"
    )
}
