//! Synchronization primitives for simulated tasks: asyncio's toolkit with Rust types.
//!
//! ## The model
//!
//! Every primitive here is used through `&self` and is `Send + Sync` like tokio's (its state sits
//! behind a never-contended `std::sync::Mutex`: a run is single-threaded), so tasks share one by
//! `Arc` (which the owned forms `lock_owned`, `acquire_owned`, `read_owned` take), by `Rc` when
//! nothing needs `Send`, or by borrowing it from a longer-lived owner. Their invariants:
//!
//! - **FIFO with direct hand-off, no barging.** A task that has to wait joins the primitive's
//!   queue. A released resource is handed straight to the oldest waiter, which owns it from that
//!   moment, before it even runs again; a newcomer that happens to run first cannot take it (the
//!   `try_*` methods fail while anybody waits). The one exception is what a real primitive
//!   allows and a test must explore: a [`Condvar`]'s notified waiter may barge under an
//!   exploring strategy (see there).
//! - **Every operation is in the trace** at the Full level: its first poll (``Mutex::lock at
//!   src/x.rs:12``), a wait (``waits on Mutex::lock on `db` at ...``), and signals such as
//!   `notify_one`, so a snapshot changes when a lock is added.
//! - **Cancellation is drop.** A waiting future that is dropped (its task aborted, a `timeout`
//!   expired, a `select` took another branch) leaves the queue. If it had already been handed
//!   the resource, it passes it on to the next waiter: nothing is lost or duplicated.
//! - **Guards release on drop**, including when the task holding them is aborted or panics.
//!   There is no poisoning: a panic while holding a [`MutexGuard`] simply unlocks.
//! - **Every async operation is a preemption point** at its first poll, even when it could
//!   complete at once: an exploring strategy may run another task there, `Fifo` never does.
//!   Synchronous operations (unlock, `notify_*`, `set`, `cancel`, `try_*`) never suspend.
//! - **Every blocked wait names its resource** for deadlock reports: the operation, the name
//!   given to the `named` constructor, and the line that created the future, e.g.
//!   ``waits on Mutex::lock on `db` at src/db.rs:57``.
//!
//! ## asyncio → seedloop
//!
//! | asyncio | `sim::sync` |
//! |---|---|
//! | `Lock`, `async with lock:` | [`Mutex`], `let g = m.lock().await;` (unlocks when `g` drops) |
//! | `Semaphore(n)`, `BoundedSemaphore(n)` | [`Semaphore::new`], [`Semaphore::bounded`]; [`SemaphorePermit`] returns on drop |
//! | `Event` | [`Event`] |
//! | `Condition` | [`Condvar`] with a [`Mutex`]: `g = cv.wait(g).await` |
//! | `Barrier(n)` | [`Barrier`] (no `abort()`/broken state: an aborted waiter just leaves) |
//! | `task.cancel()` caught as `CancelledError` | [`CancelToken`]: cooperative, observed by `cancelled().await` |
//! | — (tokio) | [`Notify`], [`RwLock`], owned guards and permits, [`Semaphore::close`] |
//!
//! Rust's cancellation is drop, not an exception: an aborted task cannot catch anything and run
//! more `await`s; its `Drop` guards run at the abort's virtual instant. For cleanup that has to
//! await, or for a task that may refuse to stop, pass it a [`CancelToken`].
//!
//! ```
//! use std::rc::Rc;
//! use sim::sync::Mutex;
//!
//! let mut sim = sim::Sim::new(3);
//! let total = sim.run(async {
//!     let counter = Rc::new(Mutex::named("counter", 0));
//!     let tasks: Vec<_> = (0..4).map(|_| {
//!         let counter = counter.clone();
//!         sim::spawn(async move {
//!             let mut g = counter.lock().await;
//!             let v = *g;
//!             sim::task::yield_now().await; // others run, but cannot enter
//!             *g = v + 1;
//!         })
//!     }).collect();
//!     for t in tasks { t.await.unwrap(); }
//!     let v = *counter.lock().await;
//!     v
//! }).unwrap();
//! assert_eq!(total, 4);
//! ```

mod barrier;
mod cancel_token;
pub(crate) mod cell;
mod condvar;
mod event;
mod mutex;
mod notify;
mod permits;
mod rwlock;
mod rwlock_guards;
mod semaphore;
mod semaphore_permit;

pub use barrier::{Barrier, BarrierWait, BarrierWaitResult};
pub use cancel_token::{CancelGuard, CancelToken, Cancelled};
pub use condvar::{Condvar, CondvarWait};
pub use event::{Event, EventWait};
pub use mutex::{Lock, LockOwned, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, Read, ReadOwned, RwLock, RwLockReadGuard,
    RwLockWriteGuard, Write, WriteOwned,
};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TooManyPermits, TryAcquireError,
};

use std::sync::Arc;

fn name_of(name: impl Into<String>) -> Option<Arc<str>> {
    Some(Arc::from(name.into()))
}
