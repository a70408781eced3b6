//! `Semaphore`: tokio's counting semaphore, a thin layer over `sim`'s (which has closing too):
//! the layer keeps tokio's types (`u32` counts, tokio's error types, permits borrowing the
//! facade's semaphore). A borrowed permit is `sim`'s permit itself; an owned one counts its
//! permits and gives them back to `sim`'s semaphore when dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::lazy::LazySemaphore;

pub use tokio::sync::TryAcquireError;

/// A counting semaphore (tokio's `sync::Semaphore`): FIFO, and every `acquire().await` is a
/// preemption point, also when a permit is free.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::sync::Arc;
/// use tokio::sync::Semaphore;
/// let sem = Arc::new(Semaphore::new(2));
/// let a = sem.clone().acquire_owned().await.unwrap();
/// let _b = sem.acquire().await.unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(a);
/// assert_eq!(sem.available_permits(), 1);
/// sem.close();
/// assert!(sem.acquire().await.is_err());
/// # });
/// ```
pub struct Semaphore {
    sem: LazySemaphore,
}

impl Semaphore {
    /// The most permits a semaphore can hold (tokio's limit).
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// When `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        assert!(
            permits <= Self::MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits ({})",
            Self::MAX_PERMITS
        );
        Semaphore {
            sem: LazySemaphore::eager(None, permits),
        }
    }

    /// A semaphore with `permits` permits, in a `const` context (a `static`; see
    /// [`Mutex::const_new`](super::Mutex::const_new) about statics in a sweep).
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// use tokio::sync::Semaphore;
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(2);
    /// # tokio::__seedloop::doc_run(async {
    /// let _p = CONNECTIONS.acquire().await.unwrap();
    /// assert_eq!(CONNECTIONS.available_permits(), 1);
    /// # });
    /// ```
    ///
    /// # Panics
    /// When `permits` exceeds [`Semaphore::MAX_PERMITS`] (at compile time in a `static`).
    pub const fn const_new(permits: usize) -> Semaphore {
        assert!(
            permits <= Self::MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits"
        );
        Semaphore {
            sem: LazySemaphore::new(None, permits),
        }
    }

    /// Permits available now.
    pub fn available_permits(&self) -> usize {
        self.sem.available_permits()
    }

    /// Adds `n` permits, handing them to waiters in FIFO order.
    ///
    /// # Panics
    /// When the total would exceed [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        assert!(
            self.available_permits().saturating_add(n) <= Self::MAX_PERMITS,
            "number of added permits ({n}) would overflow MAX_PERMITS ({})",
            Self::MAX_PERMITS
        );
        self.sem.add_permits(n);
    }

    /// Removes up to `n` available permits for good; returns how many.
    pub fn forget_permits(&self, n: usize) -> usize {
        self.sem.forget_permits(n)
    }

    /// Waits for a permit.
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once.
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    #[track_caller]
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire {
            sem: self,
            inner: self.sem.acquire_many(n as usize),
            _pin: std::marker::PhantomPinned,
        }
    }

    /// Takes a permit if one is free and nobody waits.
    ///
    /// # Errors
    /// `Closed` or `NoPermits`.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody waits.
    ///
    /// # Errors
    /// `Closed` or `NoPermits`.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        match self.sem.try_acquire_many(n as usize) {
            Ok(inner) => Ok(SemaphorePermit { sem: self, inner }),
            Err(e) => Err(try_acquire_error(&e)),
        }
    }

    /// Waits for a permit that owns a reference to the semaphore (so it is `'static`).
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits owning a reference to the semaphore.
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many(n).await?.forget();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes a permit owning a reference to the semaphore, if one is free.
    ///
    /// # Errors
    /// `Closed` or `NoPermits`.
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits owning a reference to the semaphore, if they are free.
    ///
    /// # Errors
    /// `Closed` or `NoPermits`.
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    fn try_take(&self, n: u32) -> Result<(), TryAcquireError> {
        self.try_acquire_many(n)?.forget();
        Ok(())
    }

    /// Closes the semaphore: waiting and later acquires fail; permits held stay valid.
    pub fn close(&self) {
        self.sem.close();
    }

    /// True once [`Semaphore::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.sem.is_closed()
    }

    fn release(&self, n: u32) {
        if n > 0 {
            self.sem.add_permits(n as usize);
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// `sim`'s `TryAcquireError` as tokio's.
fn try_acquire_error(e: &sim::sync::TryAcquireError) -> TryAcquireError {
    if e.is_closed() {
        TryAcquireError::Closed
    } else {
        TryAcquireError::NoPermits
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`]; `!Unpin`, as tokio's.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Acquire<'a> {
        sem: &'a Semaphore,
        inner: sim::sync::Acquire<'a>,
        #[pin]
        _pin: std::marker::PhantomPinned,
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // sim's acquire fails by itself once the semaphore is closed.
        Pin::new(&mut *this.inner).poll(cx).map(|r| match r {
            Ok(inner) => Ok(SemaphorePermit {
                sem: this.sem,
                inner,
            }),
            Err(_) => Err(AcquireError(())),
        })
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Acquire")
    }
}

/// Permits borrowed from a [`Semaphore`]: `sim`'s permit, which gives them back when dropped.
#[must_use]
pub struct SemaphorePermit<'a> {
    /// The facade's semaphore, which `merge` compares.
    sem: &'a Semaphore,
    inner: sim::sync::SemaphorePermit<'a>,
}

impl<'a> SemaphorePermit<'a> {
    /// Keeps the permits out of the semaphore for good.
    pub fn forget(self) {
        self.inner.forget();
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.inner.num_permits()
    }

    /// Takes `other`'s permits into this one.
    ///
    /// # Panics
    /// When they come from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphore instances"
        );
        self.inner.merge(other.inner);
    }

    /// Splits `n` permits off into a new permit; `None` if this holds fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let inner = self.inner.split(n)?;
        Some(SemaphorePermit {
            sem: self.sem,
            inner,
        })
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.num_permits())
            .finish()
    }
}

/// Permits holding an `Arc` of their [`Semaphore`]; dropping gives them back.
#[must_use]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Takes `other`'s permits into this one.
    ///
    /// # Panics
    /// When they come from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphore instances"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit; `None` if this holds fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let n = u32::try_from(n).ok()?;
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            sem: self.sem.clone(),
            permits: n,
        })
    }

    /// The semaphore the permits come from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.release(self.permits);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// The semaphore was closed (tokio's `sync::AcquireError`).
#[derive(Debug, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}
