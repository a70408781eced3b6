//! `RwLock`: tokio's fair reader-writer lock over a `sim` semaphore (a read takes one permit, a
//! write all of them, served in FIFO order so writers are not starved).
//!
//! The value sits in an `Arc` that readers share and a writer holds alone (every reader has
//! released its clone before the writer's permits are granted), so no guard borrows a standard
//! lock across an await. A borrowed guard holds `sim`'s permit itself; an owned one counts on
//! giving its permits back when dropped.

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll};

use super::lazy::LazySemaphore;

/// Concurrent readers allowed by default (tokio's limit).
const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock (tokio's `sync::RwLock`); every `read().await` and
/// `write().await` is a preemption point.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let lock = tokio::sync::RwLock::new(5);
/// {
///     let r1 = lock.read().await;
///     let r2 = lock.read().await;
///     assert_eq!(*r1 + *r2, 10);
/// }
/// *lock.write().await += 1;
/// assert_eq!(*lock.read().await, 6);
/// # });
/// ```
pub struct RwLock<T> {
    sem: LazySemaphore,
    max: u32,
    value: std::sync::Mutex<Option<Arc<T>>>,
    /// The value of a `const_new` lock until its first use (`Arc::new` is not `const`).
    fresh: std::sync::Mutex<Option<T>>,
}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`.
    pub fn new(value: T) -> RwLock<T> {
        RwLock::with_max_readers(value, MAX_READS)
    }

    /// An unlocked lock allowing at most `max_reads` concurrent readers.
    ///
    /// # Panics
    /// When `max_reads` is 0 or above tokio's limit.
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "a RwLock may not be created with fewer than one or more than {MAX_READS} readers"
        );
        RwLock {
            sem: LazySemaphore::eager(Some("tokio::sync::RwLock"), max_reads as usize),
            max: max_reads,
            value: std::sync::Mutex::new(Some(Arc::new(value))),
            fresh: std::sync::Mutex::new(None),
        }
    }

    /// An unlocked lock holding `value`, in a `const` context (a `static`; see
    /// [`Mutex::const_new`](super::Mutex::const_new) about statics in a sweep).
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// use tokio::sync::RwLock;
    /// static LIMIT: RwLock<u32> = RwLock::const_new(10);
    /// # tokio::__seedloop::doc_run(async {
    /// assert_eq!(*LIMIT.read().await, 10);
    /// # });
    /// ```
    pub const fn const_new(value: T) -> RwLock<T> {
        RwLock::const_with_max_readers(value, MAX_READS)
    }

    /// [`RwLock::with_max_readers`] in a `const` context.
    ///
    /// # Panics
    /// When `max_reads` is 0 or above tokio's limit (at compile time in a `static`).
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "a RwLock may not be created with fewer than one or more than u32::MAX >> 3 readers"
        );
        RwLock {
            sem: LazySemaphore::new(Some("tokio::sync::RwLock"), max_reads as usize),
            max: max_reads,
            value: std::sync::Mutex::new(None),
            fresh: std::sync::Mutex::new(Some(value)),
        }
    }

    /// Waits for shared access.
    #[track_caller]
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            acquire: self.sem.acquire(),
            _pin: std::marker::PhantomPinned,
        }
    }

    /// Waits for exclusive access.
    #[track_caller]
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            acquire: self.sem.acquire_many(self.max as usize),
            _pin: std::marker::PhantomPinned,
        }
    }

    /// Like [`RwLock::read`] on an `Arc<RwLock>`.
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.sem
            .acquire()
            .await
            .expect("the facade never closes this semaphore")
            .forget();
        let value = self.share();
        OwnedRwLockReadGuard {
            lock: self,
            value: Some(value),
        }
    }

    /// Like [`RwLock::write`] on an `Arc<RwLock>`.
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.sem
            .acquire_many(self.max as usize)
            .await
            .expect("the facade never closes this semaphore")
            .forget();
        let value = self.take();
        OwnedRwLockWriteGuard {
            lock: self,
            value: Some(value),
        }
    }

    /// Shared access now, if no writer holds or waits for the lock.
    ///
    /// # Errors
    /// [`TryLockError`](super::TryLockError) otherwise.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, super::TryLockError> {
        let permit = self.try_permit(1)?;
        Ok(self.read_guard(permit))
    }

    /// Exclusive access now, if nobody holds or waits for the lock.
    ///
    /// # Errors
    /// [`TryLockError`](super::TryLockError) otherwise.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, super::TryLockError> {
        let permit = self.try_permit(self.max)?;
        Ok(self.write_guard(permit))
    }

    /// Like [`RwLock::try_read`] on an `Arc<RwLock>`.
    ///
    /// # Errors
    /// [`TryLockError`](super::TryLockError) when a writer holds or waits for it.
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, super::TryLockError> {
        self.try_take(1)?;
        let value = self.share();
        Ok(OwnedRwLockReadGuard {
            lock: self,
            value: Some(value),
        })
    }

    /// Like [`RwLock::try_write`] on an `Arc<RwLock>`.
    ///
    /// # Errors
    /// [`TryLockError`](super::TryLockError) when it is held.
    pub fn try_write_owned(
        self: Arc<Self>,
    ) -> Result<OwnedRwLockWriteGuard<T>, super::TryLockError> {
        self.try_take(self.max)?;
        let value = self.take();
        Ok(OwnedRwLockWriteGuard {
            lock: self,
            value: Some(value),
        })
    }

    /// Reads from synchronous code: works when no writer holds or waits for the lock.
    ///
    /// # Panics
    /// Otherwise (the simulated thread cannot block).
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        self.try_read().unwrap_or_else(|_| panic!("{BLOCKING}"))
    }

    /// Writes from synchronous code: works when the lock is free.
    ///
    /// # Panics
    /// Otherwise (the simulated thread cannot block).
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        self.try_write().unwrap_or_else(|_| panic!("{BLOCKING}"))
    }

    /// The value, without locking.
    pub fn get_mut(&mut self) -> &mut T {
        drop(self.slot());
        let slot = self.value.get_mut().unwrap_or_else(PoisonError::into_inner);
        Arc::get_mut(slot.as_mut().expect(LEAKED)).expect(SHARED)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        drop(self.slot());
        let arc = self
            .value
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .expect(LEAKED);
        Arc::into_inner(arc).expect(SHARED)
    }

    fn try_take(&self, n: u32) -> Result<(), super::TryLockError> {
        self.try_permit(n)?.forget();
        Ok(())
    }

    fn try_permit(&self, n: u32) -> Result<sim::sync::SemaphorePermit<'_>, super::TryLockError> {
        self.sem
            .try_acquire_many(n as usize)
            .map_err(|_| super::TryLockError::new())
    }

    /// The value's slot, the value of a `const_new` lock moved in on first use.
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<T>>> {
        let mut slot = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            let fresh = self
                .fresh
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(v) = fresh {
                *slot = Some(Arc::new(v));
            }
        }
        slot
    }

    fn share(&self) -> Arc<T> {
        self.slot().as_ref().expect(LEAKED).clone()
    }

    fn take(&self) -> Arc<T> {
        self.slot().take().expect(LEAKED)
    }

    fn read_guard<'a>(&'a self, permit: sim::sync::SemaphorePermit<'a>) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            value: Some(self.share()),
            _permit: permit,
        }
    }

    fn write_guard<'a>(
        &'a self,
        permit: sim::sync::SemaphorePermit<'a>,
    ) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            lock: self,
            value: Some(self.take()),
            permit: Some(permit),
        }
    }

    /// A reader is done: its clone goes before its permit, so a writer finds the value alone.
    fn end_read(&self, value: Option<Arc<T>>) {
        if let Some(v) = value {
            drop(v);
            self.sem.add_permits(1);
        }
    }

    /// A writer is done (a downgraded writer has nothing left to give back).
    fn end_write(&self, value: Option<Arc<T>>) {
        if let Some(v) = value {
            *self.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(v);
            self.sem.add_permits(self.max as usize);
        }
    }
}

const NEVER_CLOSED: &str = "the facade never closes this semaphore";
const LEAKED: &str = "the RwLock's value is gone: a write guard was leaked with mem::forget";
const SHARED: &str = "a RwLock read guard outlived the lock's readers (leaked with mem::forget?)";
const BLOCKING: &str = "RwLock::blocking_read/blocking_write on a held lock: the simulation runs \
                        on one thread, which cannot block; use `.await` in an async task";

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

pin_project_lite::pin_project! {
    /// Future of [`RwLock::read`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Read<'a, T> {
        lock: &'a RwLock<T>,
        acquire: sim::sync::Acquire<'a>,
        #[pin]
        _pin: std::marker::PhantomPinned,
    }
}

impl<'a, T> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match Pin::new(&mut *this.acquire).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(p) => Poll::Ready(this.lock.read_guard(p.expect(NEVER_CLOSED))),
        }
    }
}

pin_project_lite::pin_project! {
    /// Future of [`RwLock::write`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Write<'a, T> {
        lock: &'a RwLock<T>,
        acquire: sim::sync::Acquire<'a>,
        #[pin]
        _pin: std::marker::PhantomPinned,
    }
}

impl<'a, T> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match Pin::new(&mut *this.acquire).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(p) => Poll::Ready(this.lock.write_guard(p.expect(NEVER_CLOSED))),
        }
    }
}

/// Shared access to a [`RwLock`]'s value.
pub struct RwLockReadGuard<'a, T> {
    value: Option<Arc<T>>,
    /// `sim`'s permit: it goes back when the guard is dropped, after the value's clone.
    _permit: sim::sync::SemaphorePermit<'a>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(LEAKED)
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        // The clone goes first: a writer handed the permits finds the value alone.
        drop(self.value.take());
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to a [`RwLock`]'s value.
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Option<Arc<T>>,
    /// `sim`'s permits (all of them): they go back when the guard is dropped, after the value.
    permit: Option<sim::sync::SemaphorePermit<'a>>,
}

impl<'a, T> RwLockWriteGuard<'a, T> {
    /// Turns exclusive access into shared access without letting a writer in between.
    pub fn downgrade(mut self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        *lock.value.lock().unwrap_or_else(PoisonError::into_inner) = self.value.take();
        let mut permit = self.permit.take().expect("a write guard holds its permits");
        drop(self);
        let others = permit.split(lock.max as usize - 1);
        let guard = lock.read_guard(permit);
        // Readers waiting behind the writer may come in now.
        drop(others);
        guard
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(LEAKED)
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::get_mut(self.value.as_mut().expect(LEAKED)).expect(SHARED)
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take() {
            *self
                .lock
                .value
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(v);
        }
        // Then the permits go back (the field is dropped after this).
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Shared access holding an `Arc` of its [`RwLock`].
pub struct OwnedRwLockReadGuard<T> {
    lock: Arc<RwLock<T>>,
    value: Option<Arc<T>>,
}

impl<T> OwnedRwLockReadGuard<T> {
    /// The lock this guard reads.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(LEAKED)
    }
}

impl<T> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.end_read(self.value.take());
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access holding an `Arc` of its [`RwLock`].
pub struct OwnedRwLockWriteGuard<T> {
    lock: Arc<RwLock<T>>,
    value: Option<Arc<T>>,
}

impl<T> OwnedRwLockWriteGuard<T> {
    /// The lock this guard writes.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Turns exclusive access into shared access without letting a writer in between.
    pub fn downgrade(mut self) -> OwnedRwLockReadGuard<T> {
        let lock = self.lock.clone();
        *lock.value.lock().unwrap_or_else(PoisonError::into_inner) = self.value.take();
        drop(self);
        let value = Some(lock.share());
        lock.sem.add_permits(lock.max as usize - 1);
        OwnedRwLockReadGuard { lock, value }
    }
}

impl<T> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect(LEAKED)
    }
}

impl<T> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::get_mut(self.value.as_mut().expect(LEAKED)).expect(SHARED)
    }
}

impl<T> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.end_write(self.value.take());
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
