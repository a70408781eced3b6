//! `Semaphore`: asyncio's `Semaphore` with RAII permits.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::name_of;
use super::permits::{self, Permits};

/// A counting semaphore for simulated tasks (asyncio's `Semaphore`, tokio's `Semaphore`).
///
/// Requests are served strictly in FIFO order: a request at the front of the queue that asks
/// for more permits than are available blocks every later request, even a smaller one that
/// would fit. This keeps large requests from starving; it also means one huge
/// [`acquire_many`](Semaphore::acquire_many) can hold up everybody behind it.
///
/// ```
/// use std::{rc::Rc, cell::Cell, time::Duration};
/// use sim::sync::Semaphore;
///
/// let mut sim = sim::Sim::new(0);
/// let peak = sim.run(async {
///     let sem = Rc::new(Semaphore::new(2));
///     let (inside, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
///     let tasks: Vec<_> = (0..5).map(|_| {
///         let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
///         sim::spawn(async move {
///             let _permit = sem.acquire().await;
///             inside.set(inside.get() + 1);
///             peak.set(peak.get().max(inside.get()));
///             sim::time::sleep(Duration::from_secs(1)).await;
///             inside.set(inside.get() - 1);
///         })
///     }).collect();
///     for t in tasks { t.await.unwrap(); }
///     assert_eq!(sem.available_permits(), 2);
///     peak.get()
/// }).unwrap();
/// assert_eq!(peak, 2);
/// ```
pub struct Semaphore {
    permits: Permits,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::new(3).available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        Semaphore {
            permits: Permits::new(permits, None),
        }
    }

    /// Like [`Semaphore::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Semaphore::named("pool", 1).name(), Some("pool"));
    /// ```
    pub fn named(name: impl Into<String>, permits: usize) -> Self {
        Semaphore {
            permits: Permits::new(permits, name_of(name)),
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
    ///     let p = sem.acquire().await;
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(p);
    ///     assert_eq!(sem.available_permits(), 1);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once (FIFO: see the type's docs). Dropping the future before it
    /// completes gives back any permits it had been handed.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let sem = sim::sync::Semaphore::new(5);
    ///     let p = sem.acquire_many(3).await;
    ///     assert_eq!((p.num_permits(), sem.available_permits()), (3, 2));
    /// }).unwrap();
    /// ```
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

    /// Takes one permit now, if one is free and nobody waits.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(p);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] when no permit is free or other tasks wait.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits now, if they are free and nobody waits.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    ///
    /// # Errors
    /// [`TryAcquireError`] when fewer than `n` are free or other tasks wait.
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        if self.permits.try_take(n) {
            Ok(SemaphorePermit { sem: self, n })
        } else {
            Err(TryAcquireError {
                wanted: n,
                available: self.permits.available(),
                waiting: self.permits.waiting(),
            })
        }
    }

    /// Adds `n` permits, handing them to waiters in FIFO order.
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    ///
    /// # Panics
    /// If the count would overflow `usize`.
    pub fn add_permits(&self, n: usize) {
        self.permits.release(n);
    }

    /// Permits free now (permits handed to a waiter that has not run yet are not free).
    ///
    /// ```
    /// let sem = sim::sync::Semaphore::new(2);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.permits.available()
    }

    /// Tasks waiting for permits.
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
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphorePermit<'a>> {
        let this = &mut *self;
        ready!(this.acq.poll(&this.sem.permits, cx));
        Poll::Ready(SemaphorePermit {
            sem: this.sem,
            n: this.n,
        })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.acq.cancel(&self.sem.permits);
    }
}

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

impl SemaphorePermit<'_> {
    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits out of the semaphore for good.
    pub fn forget(mut self) {
        self.n = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
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

/// [`Semaphore::try_acquire`] failed: not enough permits free, or other tasks wait first.
#[derive(Clone, PartialEq, Eq)]
pub struct TryAcquireError {
    wanted: usize,
    available: usize,
    waiting: usize,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
