//! `Mutex`: tokio's async mutex over a one-permit `sim` semaphore.
//!
//! The value lives in a `std::sync::Mutex<Option<T>>` that nobody holds across an await: a guard
//! takes the value out while the lock is held and puts it back when dropped, so guards need no
//! borrow of a standard lock and have tokio's auto traits (`Send` when `T: Send`).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use super::lazy::LazySemaphore;

/// An async mutex (tokio's `sync::Mutex`): FIFO, no poisoning, and every `lock().await` is a
/// preemption point, also when the lock is free, so an exploring strategy can interleave other
/// tasks between two critical sections.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::sync::Arc;
/// use tokio::sync::Mutex;
/// let count = Arc::new(Mutex::new(0));
/// let c = count.clone();
/// let h = tokio::spawn(async move { *c.lock().await += 1 });
/// *count.lock().await += 1;
/// h.await.unwrap();
/// assert_eq!(*count.lock().await, 2);
/// # });
/// ```
pub struct Mutex<T> {
    sem: LazySemaphore,
    value: std::sync::Mutex<Option<T>>,
}

/// The guard's marker: `Send` and `Sync` exactly when tokio's guard is (`T: Send`, and
/// `T: Send + Sync`).
type GuardMarker<T> = PhantomData<std::sync::Mutex<T>>;

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: LazySemaphore::eager(Some(NAME), 1),
            value: std::sync::Mutex::new(Some(value)),
        }
    }

    /// An unlocked mutex holding `value`, in a `const` context (a `static`). The simulation's
    /// parts are made on first use. A static keeps its value from one run of a sweep to the
    /// next, so a test that leaves it changed is not deterministic.
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// use tokio::sync::Mutex;
    /// static HITS: Mutex<u32> = Mutex::const_new(0);
    /// # tokio::__seedloop::doc_run(async {
    /// *HITS.lock().await += 1;
    /// assert_eq!(*HITS.lock().await, 1);
    /// # });
    /// ```
    pub const fn const_new(value: T) -> Mutex<T> {
        Mutex {
            sem: LazySemaphore::new(Some(NAME), 1),
            value: std::sync::Mutex::new(Some(value)),
        }
    }

    /// Waits for the lock (FIFO) and returns a guard that unlocks when dropped.
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            acquire: self.sem.acquire(),
            _pin: std::marker::PhantomPinned,
        }
    }

    /// Like [`Mutex::lock`] on an `Arc<Mutex>`: the guard owns an `Arc`, so it is `'static`.
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.sem
            .acquire()
            .await
            .expect("the facade never closes this semaphore")
            .forget();
        let value = self.take();
        OwnedMutexGuard {
            lock: self,
            value: Some(value),
            _marker: PhantomData,
        }
    }

    /// Locks now if the lock is free and nobody waits.
    ///
    /// # Errors
    /// [`TryLockError`] when it is held.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        let permit = self.sem.try_acquire().map_err(|_| TryLockError::new())?;
        permit.forget();
        Ok(self.guard())
    }

    /// Like [`Mutex::try_lock`] on an `Arc<Mutex>`.
    ///
    /// # Errors
    /// [`TryLockError`] when it is held.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        let permit = self.sem.try_acquire().map_err(|_| TryLockError::new())?;
        permit.forget();
        let value = self.take();
        Ok(OwnedMutexGuard {
            lock: self,
            value: Some(value),
            _marker: PhantomData,
        })
    }

    /// Locks from synchronous code. The simulated thread cannot block: this works when the
    /// lock is free.
    ///
    /// # Panics
    /// When the lock is held (waiting would block the whole simulation).
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        self.try_lock().unwrap_or_else(|_| {
            panic!(
                "Mutex::blocking_lock on a held lock: the simulation runs on one thread, which \
                 cannot block; use `lock().await` in an async task"
            )
        })
    }

    /// The value, without locking: `&mut self` proves nobody else can.
    pub fn get_mut(&mut self) -> &mut T {
        self.value
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .expect(LEAKED)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.value
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .expect(LEAKED)
    }

    fn take(&self) -> T {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect(LEAKED)
    }

    fn put_back(&self, value: Option<T>) {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = value;
        self.sem.add_permits(1);
    }

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            lock: self,
            value: Some(self.take()),
            _marker: PhantomData,
        }
    }
}

const NAME: &str = "tokio::sync::Mutex";

const LEAKED: &str = "the Mutex's value is gone: a guard holding it was leaked with mem::forget";

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Mutex::lock`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Lock<'a, T> {
        mutex: &'a Mutex<T>,
        acquire: sim::sync::Acquire<'a>,
        #[pin]
        _pin: std::marker::PhantomPinned,
    }
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.project();
        match Pin::new(&mut *this.acquire).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(p) => {
                p.expect("the facade never closes this semaphore").forget();
                Poll::Ready(this.mutex.guard())
            }
        }
    }
}

/// Access to a [`Mutex`]'s value; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
    value: Option<T>,
    _marker: GuardMarker<T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_ref().expect(LEAKED)
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_mut().expect(LEAKED)
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.put_back(self.value.take());
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

/// A guard of [`Mutex::lock_owned`]: holds an `Arc` of its mutex.
pub struct OwnedMutexGuard<T> {
    lock: Arc<Mutex<T>>,
    value: Option<T>,
    _marker: GuardMarker<T>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_ref().expect(LEAKED)
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_mut().expect(LEAKED)
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.put_back(self.value.take());
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The lock is held (tokio's `sync::TryLockError`).
#[derive(Debug)]
pub struct TryLockError(());

impl TryLockError {
    pub(crate) fn new() -> TryLockError {
        TryLockError(())
    }
}

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}
