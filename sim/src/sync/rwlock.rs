//! `RwLock`: many readers or one writer, served in FIFO order.

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::name_of;
use super::permits::{Acquire, Permits};

/// A reader takes one permit, a writer all of them.
const WRITE: usize = usize::MAX >> 3;

/// A reader-writer lock for simulated tasks (tokio's `RwLock`): any number of readers, or one
/// writer. Fair: requests are served in FIFO order, so a waiting writer blocks readers that come
/// after it, and readers queued together are let in together.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let lock = sim::sync::RwLock::new(1);
///     {
///         let (a, b) = (lock.read().await, lock.read().await); // readers share
///         assert_eq!(*a + *b, 2);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 2);
/// }).unwrap();
/// ```
pub struct RwLock<T> {
    permits: Permits,
    value: RefCell<T>,
}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn new(value: T) -> Self {
        RwLock {
            permits: Permits::new(WRITE, None),
            value: RefCell::new(value),
        }
    }

    /// Like [`RwLock::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::named("config", 0).name(), Some("config"));
    /// ```
    pub fn named(name: impl Into<String>, value: T) -> Self {
        RwLock {
            permits: Permits::new(WRITE, name_of(name)),
            value: RefCell::new(value),
        }
    }

    /// The name given to [`RwLock::named`].
    pub fn name(&self) -> Option<&str> {
        self.permits.name.as_deref()
    }

    /// Waits for shared access (behind any earlier waiter, writer or reader). A preemption
    /// point even when the lock is free.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let lock = sim::sync::RwLock::new("v1");
    ///     let (a, b) = (lock.read().await, lock.read().await);
    ///     assert_eq!((*a, *b), ("v1", "v1"));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            acq: Acquire::new(1, "RwLock::read", Location::caller()),
        }
    }

    /// Waits for exclusive access.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let lock = sim::sync::RwLock::new(vec![1]);
    ///     lock.write().await.push(2);
    ///     assert_eq!(lock.read().await.len(), 2);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            acq: Acquire::new(WRITE, "RwLock::write", Location::caller()),
        }
    }

    /// Shared access now, if no writer holds or waits and nobody queues.
    ///
    /// ```
    /// let lock = sim::sync::RwLock::new(0);
    /// let r = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_none());
    /// drop(r);
    /// assert!(lock.try_write().is_some());
    /// ```
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.permits.try_take(1).then(|| RwLockReadGuard::new(self))
    }

    /// Exclusive access now, if the lock is free and nobody queues.
    ///
    /// ```
    /// let lock = sim::sync::RwLock::new(0);
    /// *lock.try_write().unwrap() += 1;
    /// assert_eq!(*lock.try_read().unwrap(), 1);
    /// ```
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.permits
            .try_take(WRITE)
            .then(|| RwLockWriteGuard::new(self))
    }

    /// The value, without locking: `&mut self` proves nobody else can.
    ///
    /// ```
    /// let mut lock = sim::sync::RwLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let free = self.permits.available();
        f.debug_struct("RwLock")
            .field("name", &self.name())
            .field("readers", &(WRITE - free))
            .field("waiting", &self.permits.waiting())
            .finish_non_exhaustive()
    }
}

/// Future of [`RwLock::read`].
#[must_use = "futures do nothing unless awaited"]
pub struct Read<'a, T> {
    lock: &'a RwLock<T>,
    acq: Acquire,
}

impl<'a, T> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockReadGuard<'a, T>> {
        let this = &mut *self;
        ready!(this.acq.poll(&this.lock.permits, cx));
        Poll::Ready(RwLockReadGuard::new(this.lock))
    }
}

impl<T> Drop for Read<'_, T> {
    fn drop(&mut self) {
        self.acq.cancel(&self.lock.permits);
    }
}

/// Future of [`RwLock::write`].
#[must_use = "futures do nothing unless awaited"]
pub struct Write<'a, T> {
    lock: &'a RwLock<T>,
    acq: Acquire,
}

impl<'a, T> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockWriteGuard<'a, T>> {
        let this = &mut *self;
        ready!(this.acq.poll(&this.lock.permits, cx));
        Poll::Ready(RwLockWriteGuard::new(this.lock))
    }
}

impl<T> Drop for Write<'_, T> {
    fn drop(&mut self) {
        self.acq.cancel(&self.lock.permits);
    }
}

/// Shared access to an [`RwLock`]'s value; released when dropped.
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Ref<'a, T>,
}

impl<'a, T> RwLockReadGuard<'a, T> {
    fn new(lock: &'a RwLock<T>) -> Self {
        RwLockReadGuard {
            lock,
            value: lock.value.borrow(),
        }
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.permits.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

/// Exclusive access to an [`RwLock`]'s value; released when dropped.
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: RefMut<'a, T>,
}

impl<'a, T> RwLockWriteGuard<'a, T> {
    fn new(lock: &'a RwLock<T>) -> Self {
        RwLockWriteGuard {
            lock,
            value: lock.value.borrow_mut(),
        }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.permits.release(WRITE);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}
