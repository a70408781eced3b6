//! `RwLock`: many readers or one writer, served in FIFO order.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::cell::StateCell;
use super::name_of;
use super::permits::{Acquire, Permits};
pub use super::rwlock_guards::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};

/// A reader takes one permit, a writer all of them: by default, more readers than can exist.
const MAX_READERS: usize = usize::MAX >> 3;

const NEVER_CLOSED: &str = "an RwLock's permits are never closed";

/// A reader-writer lock for simulated tasks (tokio's `RwLock`): any number of readers, or one
/// writer. Fair: requests are served in FIFO order, so a waiting writer blocks readers that come
/// after it, and readers queued together are let in together.
///
/// `Send` and `Sync` like tokio's (`T: Send + Sync`), so it can sit in an `Arc` shared by tasks
/// whose futures must be `Send`.
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
    pub(super) permits: Permits,
    /// How many readers may hold it at once; a writer takes that many permits.
    pub(super) max: usize,
    /// Readers share the `Arc`; a writer takes it out (it is then the only one) and puts it
    /// back. `None` while a writer has it.
    value: StateCell<Option<Arc<T>>>,
}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn new(value: T) -> Self {
        RwLock::make(value, MAX_READERS, None)
    }

    /// A lock that lets at most `max_readers` readers in at once (tokio's `with_max_readers`);
    /// more wait in line.
    ///
    /// ```
    /// let lock = sim::sync::RwLock::with_max_readers(0, 1);
    /// let r = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_none());
    /// drop(r);
    /// ```
    ///
    /// # Panics
    /// When `max_readers` is 0.
    pub fn with_max_readers(value: T, max_readers: usize) -> Self {
        assert!(
            max_readers > 0,
            "RwLock::with_max_readers(_, 0): at least one reader must be able to read"
        );
        RwLock::make(value, max_readers.min(MAX_READERS), None)
    }

    fn make(value: T, max: usize, name: Option<Arc<str>>) -> Self {
        RwLock {
            permits: Permits::new(max, name),
            max,
            value: StateCell::new(Some(Arc::new(value))),
        }
    }

    /// Like [`RwLock::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::named("config", 0).name(), Some("config"));
    /// ```
    pub fn named(name: impl Into<String>, value: T) -> Self {
        RwLock::make(value, MAX_READERS, name_of(name))
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
            acq: Acquire::new(self.max, "RwLock::write", Location::caller()),
        }
    }

    /// Like [`read`](RwLock::read) on an `Arc<RwLock>`: the guard owns a reference to the lock,
    /// so it can move into a spawned task.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let lock = Arc::new(sim::sync::RwLock::new(7));
    ///     let r = lock.clone().read_owned().await;
    ///     let t = sim::spawn(async move { *r });
    ///     assert_eq!(t.await.unwrap(), 7);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn read_owned(self: Arc<Self>) -> ReadOwned<T> {
        ReadOwned {
            lock: self,
            acq: Acquire::new(1, "RwLock::read", Location::caller()),
        }
    }

    /// Like [`write`](RwLock::write) on an `Arc<RwLock>`, with a guard that owns a reference.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let lock = Arc::new(sim::sync::RwLock::new(7));
    ///     let mut w = lock.clone().write_owned().await;
    ///     sim::spawn(async move { *w += 1 }).await.unwrap();
    ///     assert_eq!(*lock.read().await, 8);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn write_owned(self: Arc<Self>) -> WriteOwned<T> {
        WriteOwned {
            acq: Acquire::new(self.max, "RwLock::write", Location::caller()),
            lock: self,
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
        self.permits
            .try_take(1)
            .then(|| RwLockReadGuard::new(self, self.share()))
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
            .try_take(self.max)
            .then(|| RwLockWriteGuard::new(self, self.take()))
    }

    /// [`try_read`](RwLock::try_read) with an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(sim::sync::RwLock::new(1));
    /// let r = lock.clone().try_read_owned().unwrap();
    /// assert_eq!(*r, 1);
    /// ```
    ///
    /// # Errors
    /// Gives the `Arc` back when shared access is not free now.
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, Arc<Self>> {
        if self.permits.try_take(1) {
            let value = self.share();
            Ok(OwnedRwLockReadGuard::new(self, value))
        } else {
            Err(self)
        }
    }

    /// [`try_write`](RwLock::try_write) with an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(sim::sync::RwLock::new(1));
    /// let w = lock.clone().try_write_owned().unwrap();
    /// assert!(lock.clone().try_write_owned().is_err());
    /// drop(w);
    /// ```
    ///
    /// # Errors
    /// Gives the `Arc` back when the lock is not free now.
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, Arc<Self>> {
        if self.permits.try_take(self.max) {
            let value = self.take();
            Ok(OwnedRwLockWriteGuard::new(self, value))
        } else {
            Err(self)
        }
    }

    /// How many tasks wait for the lock (readers and writers).
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::new(()).waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.permits.waiting()
    }

    /// The value, without locking: `&mut self` proves nobody else can.
    ///
    /// ```
    /// let mut lock = sim::sync::RwLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    ///
    /// # Panics
    /// If a guard was leaked with `mem::forget` (the value went with it).
    pub fn get_mut(&mut self) -> &mut T {
        let arc = self.value.get_mut().as_mut().expect(LEAKED);
        Arc::get_mut(arc).expect(LEAKED)
    }

    /// The value.
    ///
    /// ```
    /// assert_eq!(sim::sync::RwLock::new("x").into_inner(), "x");
    /// ```
    ///
    /// # Panics
    /// If a guard was leaked with `mem::forget`.
    pub fn into_inner(self) -> T {
        let arc = self.value.into_inner().expect(LEAKED);
        Arc::into_inner(arc).expect(LEAKED)
    }

    /// A reader's share of the value (the caller holds a read permit).
    pub(super) fn share(&self) -> Arc<T> {
        self.value.borrow().as_ref().expect(LEAKED).clone()
    }

    /// The writer's value (the caller holds every permit).
    pub(super) fn take(&self) -> Arc<T> {
        self.value.borrow_mut().take().expect(LEAKED)
    }

    /// A writer gives the value back.
    pub(super) fn put(&self, value: Arc<T>) {
        *self.value.borrow_mut() = Some(value);
    }
}

pub(super) const LEAKED: &str =
    "the RwLock's value is gone: a guard was leaked (mem::forget) while holding it";

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let free = self.permits.available();
        f.debug_struct("RwLock")
            .field("name", &self.name())
            .field("readers", &(self.max - free))
            .field("waiting", &self.permits.waiting())
            .finish_non_exhaustive()
    }
}

macro_rules! lock_future {
    ($(#[$doc:meta])* $name:ident [$($lt:lifetime)?] $lock:ty => $out:ty, $make:expr) => {
        $(#[$doc])*
        #[must_use = "futures do nothing unless awaited"]
        pub struct $name<$($lt,)? T> {
            lock: $lock,
            acq: Acquire,
        }

        impl<$($lt,)? T> Future for $name<$($lt,)? T> {
            type Output = $out;

            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<$out> {
                let this = &mut *self;
                ready!(this.acq.poll(&this.lock.permits, cx)).expect(NEVER_CLOSED);
                let make: fn(&$lock) -> $out = $make;
                Poll::Ready(make(&this.lock))
            }
        }

        impl<$($lt,)? T> Drop for $name<$($lt,)? T> {
            fn drop(&mut self) {
                self.acq.cancel(&self.lock.permits);
            }
        }
    };
}

lock_future!(
    /// Future of [`RwLock::read`].
    Read['a] &'a RwLock<T> => RwLockReadGuard<'a, T>, |l| RwLockReadGuard::new(*l, l.share())
);
lock_future!(
    /// Future of [`RwLock::write`].
    Write['a] &'a RwLock<T> => RwLockWriteGuard<'a, T>, |l| RwLockWriteGuard::new(*l, l.take())
);
lock_future!(
    /// Future of [`RwLock::read_owned`].
    ReadOwned[] Arc<RwLock<T>> => OwnedRwLockReadGuard<T>,
    |l| OwnedRwLockReadGuard::new(l.clone(), l.share())
);
lock_future!(
    /// Future of [`RwLock::write_owned`].
    WriteOwned[] Arc<RwLock<T>> => OwnedRwLockWriteGuard<T>,
    |l| OwnedRwLockWriteGuard::new(l.clone(), l.take())
);
