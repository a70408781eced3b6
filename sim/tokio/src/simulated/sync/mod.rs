//! Synchronisation with tokio's API, built on `sim::sync`: every `.await` on these types is a
//! preemption point (an exploring strategy may switch tasks there, even when the lock is free or
//! a value is waiting), and every wait is one the simulation knows and names in deadlock
//! reports. That is what lets a race between two critical sections be found: under tokio's own
//! runtime an uncontended `lock().await` never yields.

pub mod broadcast;
mod lazy;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
pub mod oneshot;
mod rwlock;
mod semaphore;
pub mod watch;

pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Barrier, BarrierWaitResult, Notify};
pub use once_cell::{OnceCell, SetError};
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// Named futures of this module (tokio's `sync::futures`).
pub mod futures {
    pub use super::notify::Notified;
}
