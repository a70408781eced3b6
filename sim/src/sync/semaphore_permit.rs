//! The permits a [`Semaphore`] hands out, borrowed or owning an `Arc` of it, and its errors.

use std::fmt;
use std::sync::Arc;

use super::semaphore::Semaphore;

/// Permits taken from a [`Semaphore`]; they go back when this is dropped.
///
/// ```
/// let sem = sim::sync::Semaphore::new(2);
/// let p = sem.try_acquire_many(2).unwrap();
/// assert_eq!(p.num_permits(), 2);
/// p.forget(); // never given back
/// assert_eq!(sem.available_permits(), 0);
/// ```
#[must_use = "permits go back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    n: usize,
}

/// Permits taken from an `Arc<Semaphore>` ([`Semaphore::acquire_owned`]); `'static`, so they
/// can move into a spawned task. They go back when this is dropped.
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(sim::sync::Semaphore::new(3));
/// let mut p = sem.clone().try_acquire_many_owned(3).unwrap();
/// let q = p.split(1).unwrap();
/// assert_eq!((p.num_permits(), q.num_permits()), (2, 1));
/// p.merge(q);
/// assert!(Arc::ptr_eq(p.semaphore(), &sem));
/// ```
#[must_use = "permits go back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    n: usize,
}

impl<'a> SemaphorePermit<'a> {
    pub(super) fn new(sem: &'a Semaphore, n: usize) -> Self {
        SemaphorePermit { sem, n }
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits taken for good: they are not given back (tokio's `forget`).
    pub fn forget(mut self) {
        self.sem.forgot(self.n);
        self.n = 0;
    }

    /// Takes `other`'s permits into this one.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(2);
    /// let mut a = sem.try_acquire().unwrap();
    /// a.merge(sem.try_acquire().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    ///
    /// # Panics
    /// When the two come from different semaphores.
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "SemaphorePermit::merge: the permits come from different semaphores"
        );
        self.n += std::mem::take(&mut other.n);
    }

    /// Splits `n` permits off into a new permit (`None` when this holds fewer).
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(2);
    /// let mut a = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(a.split(1).unwrap().num_permits(), 1);
    /// assert!(a.split(2).is_none());
    /// ```
    pub fn split(&mut self, n: usize) -> Option<Self> {
        (n <= self.n).then(|| {
            self.n -= n;
            SemaphorePermit { sem: self.sem, n }
        })
    }
}

impl OwnedSemaphorePermit {
    pub(super) fn new(sem: Arc<Semaphore>, n: usize) -> Self {
        OwnedSemaphorePermit { sem, n }
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits taken for good.
    pub fn forget(mut self) {
        self.sem.forgot(self.n);
        self.n = 0;
    }

    /// Takes `other`'s permits into this one.
    ///
    /// # Panics
    /// When the two come from different semaphores.
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "OwnedSemaphorePermit::merge: the permits come from different semaphores"
        );
        self.n += std::mem::take(&mut other.n);
    }

    /// Splits `n` permits off into a new permit (`None` when this holds fewer).
    pub fn split(&mut self, n: usize) -> Option<Self> {
        (n <= self.n).then(|| {
            self.n -= n;
            OwnedSemaphorePermit {
                sem: self.sem.clone(),
                n,
            }
        })
    }

    /// The semaphore these permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.n > 0 {
            self.sem.permits.release(self.n);
        }
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.n > 0 {
            self.sem.permits.release(self.n);
        }
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}

/// [`Semaphore::acquire`] failed: the semaphore was closed.
#[derive(Clone, PartialEq, Eq)]
pub struct AcquireError {
    name: Option<Arc<str>>,
}

impl AcquireError {
    pub(super) fn new(name: Option<Arc<str>>) -> Self {
        AcquireError { name }
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "semaphore `{n}` is closed: no permit can be acquired"),
            None => write!(f, "the semaphore is closed: no permit can be acquired"),
        }
    }
}

impl fmt::Debug for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AcquireError({self})")
    }
}

impl std::error::Error for AcquireError {}

/// [`Semaphore::try_acquire`] failed: too few permits free now, somebody waits first, or the
/// semaphore is closed.
#[derive(Clone, PartialEq, Eq)]
pub struct TryAcquireError {
    wanted: usize,
    available: usize,
    waiting: usize,
    closed: bool,
}

impl TryAcquireError {
    pub(super) fn new(wanted: usize, available: usize, waiting: usize, closed: bool) -> Self {
        TryAcquireError {
            wanted,
            available,
            waiting,
            closed,
        }
    }

    /// True when it failed because the semaphore is closed (tokio's `TryAcquireError::Closed`).
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.try_acquire().unwrap_err().is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True when it failed for want of permits (tokio's `TryAcquireError::NoPermits`).
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(0);
    /// assert!(sem.try_acquire().unwrap_err().is_no_permits());
    /// ```
    pub fn is_no_permits(&self) -> bool {
        !self.closed
    }
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.closed {
            return write!(f, "the semaphore is closed: no permit can be acquired");
        }
        write!(
            f,
            "cannot take {} semaphore permit(s) now: {} free, {} task(s) waiting first; use \
             `acquire().await` to wait",
            self.wanted, self.available, self.waiting
        )
    }
}

impl fmt::Debug for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TryAcquireError({self})")
    }
}

impl std::error::Error for TryAcquireError {}
