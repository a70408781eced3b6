//! `Semaphore`: asyncio's `Semaphore` and `BoundedSemaphore` with RAII permits, and what tokio's
//! adds (owned permits, closing).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use super::name_of;
use super::permits::{self, Permits};
pub use super::semaphore_permit::{
    AcquireError, OwnedSemaphorePermit, SemaphorePermit, TryAcquireError,
};

/// A counting semaphore for simulated tasks (asyncio's `Semaphore` and `BoundedSemaphore`,
/// tokio's `Semaphore`).
///
/// Requests are served strictly in FIFO order: a request at the front of the queue that asks
/// for more permits than are available blocks every later request, even a smaller one that
/// would fit. This keeps large requests from starving; it also means one huge
/// [`acquire_many`](Semaphore::acquire_many) can hold up everybody behind it.
///
/// Acquiring fails only once the semaphore is [`close`](Semaphore::close)d (tokio's model;
/// asyncio's semaphores never close, so there `acquire().await.unwrap()` never panics).
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
/// use std::time::Duration;
/// use sim::sync::Semaphore;
///
/// let mut sim = sim::Sim::new(0);
/// let peak = sim.run(async {
///     let sem = Arc::new(Semaphore::new(2));
///     let (inside, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
///     let tasks: Vec<_> = (0..5).map(|_| {
///         let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
///         sim::spawn(async move {
///             let _permit = sem.acquire().await.unwrap();
///             let now = inside.fetch_add(1, SeqCst) + 1;
///             peak.fetch_max(now, SeqCst);
///             sim::time::sleep(Duration::from_secs(1)).await;
///             inside.fetch_sub(1, SeqCst);
///         })
///     }).collect();
///     for t in tasks { t.await.unwrap(); }
///     assert_eq!(sem.available_permits(), 2);
///     peak.load(SeqCst)
/// }).unwrap();
/// assert_eq!(peak, 2);
/// ```
pub struct Semaphore {
    pub(super) permits: Permits,
    /// A bounded semaphore's initial count: no more permits than that may exist.
    bound: Option<usize>,
    /// Permits in existence (available or held): what a bounded semaphore checks.
    total: AtomicUsize,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::new(3).available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        Semaphore::make(permits, None, None)
    }

    /// Like [`Semaphore::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::named("pool", 1).name(), Some("pool"));
    /// ```
    pub fn named(name: impl Into<String>, permits: usize) -> Self {
        Semaphore::make(permits, name_of(name), None)
    }

    /// asyncio's `BoundedSemaphore`: [`add_permits`](Semaphore::add_permits) beyond the initial
    /// count is an error (it panics, naming the semaphore), which catches a release without an
    /// acquire. Permits held count as existing: since they come back by themselves when
    /// dropped, adding one while one is held is refused at once, not later at the drop (where
    /// asyncio's second `release()` would raise). A [`forget`](SemaphorePermit::forget)ten
    /// permit no longer exists and may be replaced.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::bounded(1);
    /// let p = sem.try_acquire().unwrap();
    /// drop(p);                       // a permit going back is fine
    /// assert!(sem.try_add_permits(1).is_err()); // one too many
    /// ```
    pub fn bounded(permits: usize) -> Self {
        Semaphore::make(permits, None, Some(permits))
    }

    /// [`Semaphore::bounded`] with a name.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::bounded_named("slots", 2).name(), Some("slots"));
    /// ```
    pub fn bounded_named(name: impl Into<String>, permits: usize) -> Self {
        Semaphore::make(permits, name_of(name), Some(permits))
    }

    fn make(permits: usize, name: Option<Arc<str>>, bound: Option<usize>) -> Self {
        Semaphore {
            permits: Permits::new(permits, name),
            bound,
            total: AtomicUsize::new(permits),
        }
    }

    /// The name given to [`Semaphore::named`].
    pub fn name(&self) -> Option<&str> {
        self.permits.name.as_deref()
    }

    /// Waits for one permit (FIFO). A preemption point even when a permit is free.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = sim::sync::Semaphore::new(1);
    ///     let p = sem.acquire().await.unwrap();
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(p);
    ///     assert_eq!(sem.available_permits(), 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed (also while waiting).
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once, FIFO: a big request at the front blocks later ones.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = sim::sync::Semaphore::new(3);
    ///     let p = sem.acquire_many(2).await.unwrap();
    ///     assert_eq!(p.num_permits(), 2);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn acquire_many(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            n,
            acq: permits::Acquire::new(n, "Semaphore::acquire", Location::caller()),
        }
    }

    /// Like [`acquire`](Semaphore::acquire) on an `Arc<Semaphore>`: the permit owns a reference
    /// to the semaphore, so it can move into a spawned task.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = Arc::new(sim::sync::Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     sim::spawn(async move { drop(permit) }).await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// [`acquire_many`](Semaphore::acquire_many) with an owned permit.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = Arc::new(sim::sync::Semaphore::new(2));
    ///     assert_eq!(sem.clone().acquire_many_owned(2).await.unwrap().num_permits(), 2);
    /// }).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            n,
            acq: permits::Acquire::new(n, "Semaphore::acquire", Location::caller()),
        }
    }

    /// Takes a permit now if one is free and nobody waits.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(p);
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] when no permit is free now, somebody waits first, or it is closed.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits now if they are free and nobody waits.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] as for [`try_acquire`](Semaphore::try_acquire).
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n).map(|()| SemaphorePermit::new(self, n))
    }

    /// [`try_acquire`](Semaphore::try_acquire) with an owned permit.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(sim::sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(p);
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] as for [`try_acquire`](Semaphore::try_acquire).
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// [`try_acquire_many`](Semaphore::try_acquire_many) with an owned permit.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(sim::sync::Semaphore::new(2));
    /// assert_eq!(sem.try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] as for [`try_acquire`](Semaphore::try_acquire).
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: usize,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n)
            .map(|()| OwnedSemaphorePermit::new(self, n))
    }

    fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        if self.permits.try_take(n) {
            Ok(())
        } else {
            Err(TryAcquireError::new(
                n,
                self.permits.available(),
                self.permits.waiting(),
                self.permits.is_closed(),
            ))
        }
    }

    /// Adds `n` permits (asyncio's `release()`), handing them to waiters in order.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    ///
    /// # Panics
    /// On a [`bounded`](Semaphore::bounded) semaphore, when that would make more permits than
    /// it started with (use [`try_add_permits`](Semaphore::try_add_permits) to get an error).
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        crate::rt::primitives::signal(
            "Semaphore::add_permits",
            self.permits.name.as_ref(),
            std::panic::Location::caller(),
        );
        if let Err(e) = self.try_add_permits(n) {
            panic!("{e}");
        }
    }

    /// [`add_permits`](Semaphore::add_permits) that reports a bounded semaphore's overflow as
    /// an error instead of panicking (nothing is added then).
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::bounded(1);
    /// let e = sem.try_add_permits(1).unwrap_err();
    /// assert!(e.to_string().contains("released more often than acquired"));
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    ///
    /// # Errors
    /// [`TooManyPermits`] when a bounded semaphore would exceed its initial count.
    pub fn try_add_permits(&self, n: usize) -> Result<(), TooManyPermits> {
        let total = self.total.load(Ordering::Relaxed);
        if let Some(bound) = self.bound {
            if total.saturating_add(n) > bound {
                return Err(TooManyPermits {
                    name: self.permits.name.clone(),
                    bound,
                    total,
                    adding: n,
                });
            }
        }
        self.total.store(total.saturating_add(n), Ordering::Relaxed);
        self.permits.release(n);
        Ok(())
    }

    /// Removes up to `n` available permits for good; returns how many it removed.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(5), 3);
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        let n = self.permits.forget(n);
        self.total.fetch_sub(n, Ordering::Relaxed);
        n
    }

    /// A held permit is forgotten: it no longer exists.
    pub(super) fn forgot(&self, n: usize) {
        self.total.fetch_sub(n, Ordering::Relaxed);
    }

    /// Closes the semaphore (tokio's `close`): every waiting and later `acquire` fails with
    /// [`AcquireError`], every `try_acquire` with a closed [`TryAcquireError`]. Permits held
    /// still come back when dropped.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = sim::sync::Semaphore::new(0);
    ///     sem.close();
    ///     assert!(sem.is_closed());
    ///     assert!(sem.acquire().await.is_err());
    ///     assert!(sem.try_acquire().unwrap_err().is_closed());
    /// }).unwrap();
    /// ```
    pub fn close(&self) {
        self.permits.close();
    }

    /// True once [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.permits.is_closed()
    }

    /// Permits free now.
    pub fn available_permits(&self) -> usize {
        self.permits.available()
    }

    /// How many tasks wait for permits.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::new(1).waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.permits.waiting()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("name", &self.name())
            .field("available", &self.available_permits())
            .field("waiting", &self.waiting())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    n: usize,
    acq: permits::Acquire,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        Poll::Ready(match ready!(this.acq.poll(&this.sem.permits, cx)) {
            Ok(()) => Ok(SemaphorePermit::new(this.sem, this.n)),
            Err(_) => Err(AcquireError::new(this.sem.permits.name.clone())),
        })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.acq.cancel(&self.sem.permits);
    }
}

/// Future of [`Semaphore::acquire_owned`] and [`Semaphore::acquire_many_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    sem: Arc<Semaphore>,
    n: usize,
    acq: permits::Acquire,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        Poll::Ready(match ready!(this.acq.poll(&this.sem.permits, cx)) {
            Ok(()) => Ok(OwnedSemaphorePermit::new(this.sem.clone(), this.n)),
            Err(_) => Err(AcquireError::new(this.sem.permits.name.clone())),
        })
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        self.acq.cancel(&self.sem.permits);
    }
}

/// [`Semaphore::try_add_permits`] on a bounded semaphore would exceed its initial count.
#[derive(Clone, PartialEq, Eq)]
pub struct TooManyPermits {
    name: Option<Arc<str>>,
    bound: usize,
    total: usize,
    adding: usize,
}

impl fmt::Display for TooManyPermits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = match &self.name {
            Some(n) => format!("bounded semaphore `{n}`"),
            None => "a bounded semaphore".to_string(),
        };
        write!(
            f,
            "{which} was released more often than acquired: adding {} permit(s) to the {} that \
             exist would exceed its initial {}",
            self.adding, self.total, self.bound
        )
    }
}

impl fmt::Debug for TooManyPermits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TooManyPermits({self})")
    }
}

impl std::error::Error for TooManyPermits {}
