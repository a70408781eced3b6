//! `Mutex`: asyncio's `Lock` holding the data it protects.

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::cell::StateCell;
use super::name_of;
use super::permits::{Acquire, Permits};

/// A lock for simulated tasks, holding the value it protects (asyncio's `Lock`, tokio's
/// `Mutex`). [`lock`](Mutex::lock) waits in FIFO order; unlocking hands the lock straight to
/// the oldest waiter. The guard unlocks when dropped, also when its task is aborted or panics
/// (no poisoning).
///
/// Holding the guard across an `.await` is the point of an async mutex: other tasks run
/// meanwhile but cannot enter.
///
/// ```
/// use std::sync::Arc;
/// use sim::sync::Mutex;
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let m = Arc::new(Mutex::new(Vec::new()));
///     let m2 = m.clone();
///     let t = sim::spawn(async move { m2.lock().await.push("task") });
///     m.lock().await.push("main");
///     t.await.unwrap();
///     let mut both = m.lock().await.clone(); // in either order: lock() is a preemption point
///     both.sort();
///     assert_eq!(both, ["main", "task"]);
/// }).unwrap();
/// ```
pub struct Mutex<T> {
    sem: Arc<Permits>,
    /// The value, boxed so that a guard moves a pointer out and back; `None` while a guard has
    /// it. (A guard that owns the value is `Send` like tokio's without borrowing a lock guard.)
    value: StateCell<Option<Box<T>>>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    ///
    /// ```
    /// let m = sim::sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        Mutex {
            sem: Arc::new(Permits::new(1, None)),
            value: StateCell::new(Some(Box::new(value))),
        }
    }

    /// Like [`Mutex::new`], with a name that deadlock reports show
    /// (``waits on Mutex::lock on `db` at src/x.rs:57``).
    ///
    /// ```
    /// let m = sim::sync::Mutex::named("db", ());
    /// assert_eq!(m.name(), Some("db"));
    /// ```
    pub fn named(name: impl Into<String>, value: T) -> Self {
        Mutex {
            sem: Arc::new(Permits::new(1, name_of(name))),
            value: StateCell::new(Some(Box::new(value))),
        }
    }

    /// The name given to [`Mutex::named`].
    pub fn name(&self) -> Option<&str> {
        self.sem.name.as_deref()
    }

    /// Waits for the lock (FIFO) and returns a guard that unlocks when dropped. A preemption
    /// point even when the lock is free. Dropping the future before it completes leaves the
    /// queue; if the lock had already been handed to it, it goes to the next waiter.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let m = sim::sync::Mutex::new(1);
    ///     *m.lock().await += 1;
    ///     assert_eq!(*m.lock().await, 2);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            acq: Acquire::new(1, "Mutex::lock", Location::caller()),
        }
    }

    /// Like [`lock`](Mutex::lock) on an `Arc<Mutex>`, giving a guard that owns a reference to the
    /// mutex, so it can be moved into a spawned task.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let m = Arc::new(sim::sync::Mutex::new(0));
    ///     let mut g = m.clone().lock_owned().await;
    ///     let t = sim::spawn(async move { *g += 1; }); // the guard moves into the task
    ///     t.await.unwrap();
    ///     assert_eq!(*m.lock().await, 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> LockOwned<T> {
        LockOwned {
            mutex: self,
            acq: Acquire::new(1, "Mutex::lock", Location::caller()),
        }
    }

    /// Locks now if the lock is free and nobody waits for it (no barging past waiters).
    ///
    /// ```
    /// let m = sim::sync::Mutex::new(());
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    ///
    /// # Errors
    /// [`TryLockError`] when the lock is held or promised to a waiter.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        if self.sem.try_take(1) {
            Ok(MutexGuard::new(self))
        } else {
            Err(TryLockError {
                name: self.sem.name.clone(),
            })
        }
    }

    /// [`try_lock`](Mutex::try_lock) on an `Arc<Mutex>`, giving an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(sim::sync::Mutex::new(1));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.clone().try_lock_owned().is_err());
    /// drop(g);
    /// ```
    ///
    /// # Errors
    /// [`TryLockError`] when the lock is held or promised to a waiter.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        if self.sem.try_take(1) {
            let value = self.take_value();
            Ok(OwnedMutexGuard {
                mutex: self,
                value: Some(value),
            })
        } else {
            Err(TryLockError {
                name: self.sem.name.clone(),
            })
        }
    }

    /// How many tasks wait for the lock (asyncio tests read `len(lock._waiters)`).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let m = std::sync::Arc::new(sim::sync::Mutex::new(()));
    ///     let g = m.lock().await;
    ///     let m2 = m.clone();
    ///     let t = sim::spawn(async move { drop(m2.lock().await) });
    ///     sim::time::sleep(std::time::Duration::from_millis(1)).await; // t is queued by now
    ///     assert_eq!(m.waiting(), 1);
    ///     drop(g);
    ///     t.await.unwrap();
    ///     assert_eq!(m.waiting(), 0);
    /// }).unwrap();
    /// ```
    pub fn waiting(&self) -> usize {
        self.sem.waiting()
    }

    /// True while the lock is held (or handed to a waiter that has not run yet).
    ///
    /// ```
    /// let m = sim::sync::Mutex::new(());
    /// let g = m.try_lock().unwrap();
    /// assert!(m.is_locked());
    /// drop(g);
    /// assert!(!m.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.sem.available() == 0
    }

    /// The protected value, without locking: `&mut self` proves nobody else can.
    ///
    /// ```
    /// let mut m = sim::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    ///
    /// # Panics
    /// If an [`OwnedMutexGuard`] was leaked with `mem::forget` (the value went with it).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut().as_deref_mut().expect(LEAKED)
    }

    /// The protected value.
    ///
    /// ```
    /// let m = sim::sync::Mutex::new(vec![1, 2]);
    /// assert_eq!(m.into_inner(), [1, 2]);
    /// ```
    ///
    /// # Panics
    /// If an [`OwnedMutexGuard`] was leaked with `mem::forget`.
    pub fn into_inner(self) -> T {
        *self.value.into_inner().expect(LEAKED)
    }

    pub(crate) fn permits(&self) -> &Arc<Permits> {
        &self.sem
    }

    /// Moves the value out for a guard (the caller holds the lock).
    fn take_value(&self) -> Box<T> {
        self.value.borrow_mut().take().expect(LEAKED)
    }

    /// A guard gives the value back before it unlocks.
    fn put_value(&self, value: Option<Box<T>>) {
        if value.is_some() {
            *self.value.borrow_mut() = value;
        }
    }
}

const LEAKED: &str = "the Mutex's value is gone: a guard was leaked (mem::forget) while holding it";
const NEVER_CLOSED: &str = "a Mutex's permits are never closed";
const HELD: &str = "a Mutex guard holds its value until dropped";

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("name", &self.name())
            .field("locked", &self.is_locked())
            .field("waiting", &self.sem.waiting())
            .finish_non_exhaustive()
    }
}

/// Future of [`Mutex::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T> {
    mutex: &'a Mutex<T>,
    acq: Acquire,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = &mut *self;
        ready!(this.acq.poll(&this.mutex.sem, cx)).expect(NEVER_CLOSED);
        Poll::Ready(MutexGuard::new(this.mutex))
    }
}

impl<T> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        self.acq.cancel(&self.mutex.sem);
    }
}

/// Future of [`Mutex::lock_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct LockOwned<T> {
    mutex: Arc<Mutex<T>>,
    acq: Acquire,
}

impl<T> Future for LockOwned<T> {
    type Output = OwnedMutexGuard<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        let this = &mut *self;
        ready!(this.acq.poll(&this.mutex.sem, cx)).expect(NEVER_CLOSED);
        let value = this.mutex.take_value();
        Poll::Ready(OwnedMutexGuard {
            mutex: this.mutex.clone(),
            value: Some(value),
        })
    }
}

impl<T> Drop for LockOwned<T> {
    fn drop(&mut self) {
        self.acq.cancel(&self.mutex.sem);
    }
}

/// Access to a [`Mutex`]'s value; unlocks when dropped, handing the lock to the oldest waiter.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let m = sim::sync::Mutex::new(String::new());
///     let mut g = m.lock().await;
///     g.push_str("hi");
///     drop(g); // unlock
///     assert_eq!(*m.lock().await, "hi");
/// }).unwrap();
/// ```
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    value: Option<Box<T>>,
}

impl<'a, T> MutexGuard<'a, T> {
    pub(crate) fn new(mutex: &'a Mutex<T>) -> Self {
        MutexGuard {
            mutex,
            value: Some(mutex.take_value()),
        }
    }

    /// The mutex this guard locks (what a [`Condvar`](super::Condvar) re-locks after a wait).
    ///
    /// ```
    /// use sim::sync::{Mutex, MutexGuard};
    /// let m = Mutex::named("m", ());
    /// let g = m.try_lock().unwrap();
    /// assert_eq!(MutexGuard::mutex(&g).name(), Some("m"));
    /// ```
    pub fn mutex(guard: &Self) -> &'a Mutex<T> {
        guard.mutex
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(HELD)
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_deref_mut().expect(HELD)
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.put_value(self.value.take());
        self.mutex.sem.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A guard of [`Mutex::lock_owned`]: owns an `Arc` of its mutex, so it is `'static` when `T` is.
///
/// ```
/// use std::sync::Arc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let m = Arc::new(sim::sync::Mutex::new(1));
///     let g: sim::sync::OwnedMutexGuard<i32> = m.clone().lock_owned().await;
///     assert_eq!(*g, 1);
///     assert!(m.try_lock().is_err());
/// }).unwrap();
/// ```
pub struct OwnedMutexGuard<T> {
    mutex: Arc<Mutex<T>>,
    /// The value, moved out of the mutex while this guard lives.
    value: Option<Box<T>>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sim::sync::{Mutex, OwnedMutexGuard};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let m = Arc::new(Mutex::new(()));
    ///     let g = m.clone().lock_owned().await;
    ///     assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&g), &m));
    /// }).unwrap();
    /// ```
    pub fn mutex(guard: &Self) -> &Arc<Mutex<T>> {
        &guard.mutex
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(HELD)
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_deref_mut().expect(HELD)
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.put_value(self.value.take());
        self.mutex.sem.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// [`Mutex::try_lock`] failed: the lock is held, or promised to a waiter.
#[derive(Clone, PartialEq, Eq)]
pub struct TryLockError {
    name: Option<Arc<str>>,
}

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(
                f,
                "Mutex `{n}` is locked; use `lock().await` to wait for it"
            ),
            None => write!(f, "the Mutex is locked; use `lock().await` to wait for it"),
        }
    }
}

impl fmt::Debug for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TryLockError({self})")
    }
}

impl std::error::Error for TryLockError {}
