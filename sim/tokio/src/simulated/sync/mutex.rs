//! `Mutex`: tokio's async mutex, a thin layer over `sim`'s: the guards are `sim`'s guards (which
//! own the value while the lock is held, so they have tokio's auto traits in safe Rust).
//!
//! `sim`'s mutex is not `const`-constructible: a [`Mutex::const_new`] keeps its value aside and
//! makes `sim`'s mutex on first use.

use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::{Arc, OnceLock, PoisonError};
use std::task::{Context, Poll};

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
    /// `sim`'s mutex (in an `Arc` for the owned guards), made at once by [`Mutex::new`], on
    /// first use after [`Mutex::const_new`].
    cell: OnceLock<Arc<sim::sync::Mutex<T>>>,
    /// A `const_new` mutex's value until first use; it also makes `Mutex<T>` `Unpin` exactly
    /// when `T` is, as tokio's.
    init: std::sync::Mutex<Option<T>>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            cell: OnceLock::from(Arc::new(sim::sync::Mutex::new(value))),
            init: std::sync::Mutex::new(None),
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
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(value)),
        }
    }

    /// `sim`'s mutex.
    #[inline]
    fn sim(&self) -> &Arc<sim::sync::Mutex<T>> {
        self.cell.get_or_init(|| {
            let value = self
                .init
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("a const_new Mutex keeps its value until first use");
            Arc::new(sim::sync::Mutex::new(value))
        })
    }

    /// Waits for the lock (FIFO) and returns a guard that unlocks when dropped.
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            inner: self.sim().lock(),
            _pin: PhantomPinned,
        }
    }

    /// Like [`Mutex::lock`] on an `Arc<Mutex>`: the guard owns an `Arc`, so it is `'static`.
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> impl Future<Output = OwnedMutexGuard<T>> {
        let lock = self.sim().clone().lock_owned();
        async move {
            let inner = lock.await;
            OwnedMutexGuard { lock: self, inner }
        }
    }

    /// Locks now if the lock is free and nobody waits.
    ///
    /// # Errors
    /// [`TryLockError`] when it is held.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sim().try_lock() {
            Ok(inner) => Ok(MutexGuard { lock: self, inner }),
            Err(_) => Err(TryLockError::new()),
        }
    }

    /// Like [`Mutex::try_lock`] on an `Arc<Mutex>`.
    ///
    /// # Errors
    /// [`TryLockError`] when it is held.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.sim().clone().try_lock_owned() {
            Ok(inner) => Ok(OwnedMutexGuard { lock: self, inner }),
            Err(_) => Err(TryLockError::new()),
        }
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
        match self.cell.get_mut() {
            Some(m) => Arc::get_mut(m).expect(LEAKED).get_mut(),
            None => self
                .init
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
                .expect(LEAKED),
        }
    }

    /// The value.
    pub fn into_inner(self) -> T {
        match self.cell.into_inner() {
            Some(m) => Arc::try_unwrap(m)
                .unwrap_or_else(|_| panic!("{LEAKED}"))
                .into_inner(),
            None => self
                .init
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect(LEAKED),
        }
    }
}

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
    /// Future of [`Mutex::lock`]: `sim`'s, which is a preemption point on its first poll;
    /// `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Lock<'a, T> {
        mutex: &'a Mutex<T>,
        inner: sim::sync::Lock<'a, T>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.project();
        let lock = *this.mutex;
        Pin::new(this.inner)
            .poll(cx)
            .map(|inner| MutexGuard { lock, inner })
    }
}

/// Access to a [`Mutex`]'s value: `sim`'s guard, which unlocks when dropped.
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
    inner: sim::sync::MutexGuard<'a, T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
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

/// A guard of [`Mutex::lock_owned`]: holds an `Arc` of its mutex, and `sim`'s owned guard.
pub struct OwnedMutexGuard<T> {
    lock: Arc<Mutex<T>>,
    inner: sim::sync::OwnedMutexGuard<T>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
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
