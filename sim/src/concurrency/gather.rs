//! `gather`: run futures as child tasks, collect their outputs in argument order.
//!
//! The returned future owns its children:
//!
//! - they are spawned when it is first polled (a Rust future does nothing until polled;
//!   asyncio spawns at the call, which differs only if the gather is awaited later), in
//!   argument order, with the `gather` call as their spawn site;
//! - it resolves when every child finished, with outputs in argument order;
//! - a child panic reaches the awaiter at once: the siblings are detached (they keep running,
//!   as asyncio's "the other awaitables won't be cancelled") and the panic is resumed in the
//!   awaiting task with the child's payload;
//! - dropping it (its awaiter aborted, a timeout around it) aborts the unfinished children, at
//!   that virtual instant: their `Drop` guards run before the clock moves.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Completion;
use super::tracker::Tracker;
use crate::rt::primitives;
use crate::task::{AbortHandle, JoinError, JoinHandle, spawn_inner};

/// Runs each future as a child task (spawned at the first poll) and resolves to their outputs
/// in argument order, whatever order they finish in. asyncio's `gather(*aws)`.
///
/// A child panic is resumed in the awaiting task as soon as it happens (the other children are
/// not cancelled: they are detached and run on). Dropping the returned [`Gather`] aborts the
/// children that have not finished.
///
/// ```
/// use std::time::Duration;
/// use sim::time::sleep;
///
/// async fn after(secs: u64, name: &'static str) -> &'static str {
///     sleep(Duration::from_secs(secs)).await;
///     name
/// }
///
/// let mut sim = sim::Sim::new(3);
/// let (names, t) = sim.run(async {
///     let names = sim::gather([after(2, "A"), after(1, "B"), after(3, "C")]).await;
///     (names, sim::time::elapsed())
/// }).unwrap();
/// assert_eq!(names, ["A", "B", "C"]);
/// assert_eq!(t, Duration::from_secs(3));
/// ```
///
/// # Panics
/// Awaiting it panics (with the child's payload) when a child panicked.
#[track_caller]
pub fn gather<I>(futs: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: 'static,
{
    Gather {
        set: ChildSet::new(futs, Location::caller()),
    }
}

/// Like [`gather`] for futures that return `Result`: resolves to `Err` with the first error (in
/// completion order) as soon as it happens, or to `Ok` with every value in argument order. The
/// other children are not cancelled by an error: they are detached and run on.
///
/// ```
/// use std::time::Duration;
/// use sim::time::sleep;
///
/// async fn step(secs: u64, ok: bool) -> Result<u64, String> {
///     sleep(Duration::from_secs(secs)).await;
///     if ok { Ok(secs) } else { Err(format!("step {secs} failed")) }
/// }
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     assert_eq!(sim::try_gather([step(2, true), step(1, true)]).await, Ok(vec![2, 1]));
///
///     let failed = sim::try_gather([step(5, true), step(1, false)]).await;
///     assert_eq!(failed, Err("step 1 failed".to_string()));
///     assert_eq!(sim::time::elapsed(), Duration::from_secs(3)); // 2 s, then 1 s
///     sleep(Duration::from_secs(4)).await; // the detached sibling finishes at t=7
/// }).unwrap();
/// ```
///
/// # Panics
/// Awaiting it panics (with the child's payload) when a child panicked.
#[track_caller]
pub fn try_gather<I, T, E>(futs: I) -> TryGather<T, E>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>> + 'static,
    T: 'static,
    E: 'static,
{
    TryGather {
        set: ChildSet::new(futs, Location::caller()),
    }
}

/// Like [`gather`], but waits for every child and reports each one's outcome in argument order,
/// panics and cancellations included. asyncio's `gather(*aws, return_exceptions=True)`.
///
/// ```
/// async fn check(n: u8) -> u8 {
///     assert!(n != 2, "two is not allowed");
///     n
/// }
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let out = sim::gather_settled([check(1), check(2)]).await;
///     assert_eq!(*out[0].as_ref().unwrap(), 1);
///     assert_eq!(out[1].as_ref().unwrap_err().panic_message(), Some("two is not allowed"));
/// }).unwrap();
/// ```
///
#[track_caller]
pub fn gather_settled<I>(futs: I) -> GatherSettled<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: 'static,
{
    GatherSettled {
        set: ChildSet::new(futs, Location::caller()),
    }
}

/// Spawns the children, once.
type Spawner<T> = Box<dyn FnOnce() -> Vec<JoinHandle<T>>>;

/// The children of one gather and the outputs collected so far. Aborts the unfinished children
/// when dropped.
struct ChildSet<T, R> {
    spawner: Option<Spawner<T>>,
    site: &'static Location<'static>,
    tracker: Tracker<T>,
    /// One per child, in argument order, once they are spawned.
    aborts: Vec<AbortHandle>,
    slots: Vec<Option<R>>,
    polled: bool,
    finished: bool,
}

impl<T: 'static, R> ChildSet<T, R> {
    fn new<I>(futs: I, site: &'static Location<'static>) -> Self
    where
        I: IntoIterator,
        I::Item: Future<Output = T> + 'static,
    {
        let futs: Vec<I::Item> = futs.into_iter().collect();
        let n = futs.len();
        let spawner: Spawner<T> = Box::new(move || {
            futs.into_iter()
                .map(|fut| spawn_inner("sim::gather", fut, None, site))
                .collect()
        });
        ChildSet {
            spawner: Some(spawner),
            site,
            tracker: Tracker::new(Vec::new()),
            aborts: Vec::new(),
            slots: (0..n).map(|_| None).collect(),
            polled: false,
            finished: false,
        }
    }
}

impl<T: 'static, R> ChildSet<T, R> {
    /// Feeds completions to `on_done` until it returns `Some` (an early result) or every child
    /// finished (then `Ready(None)`).
    fn poll_with<O>(
        &mut self,
        cx: &mut Context<'_>,
        op: &'static str,
        mut on_done: impl FnMut(&mut Self, Completion<T>) -> Option<O>,
    ) -> Poll<Option<O>> {
        assert!(!self.finished, "a gather was polled after it returned");
        self.spawn_now();
        // Awaiting a gather with nothing to wait for completes at once: a preemption point.
        if !std::mem::replace(&mut self.polled, true)
            && self.tracker.all_finished()
            && primitives::preemption_point(cx)
        {
            return Poll::Pending;
        }
        loop {
            match self.tracker.poll_next(cx) {
                Poll::Ready(Some(c)) => {
                    if let Some(out) = on_done(self, c) {
                        self.finished = true;
                        return Poll::Ready(Some(out));
                    }
                }
                Poll::Ready(None) => {
                    self.finished = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    primitives::wait_on(op, None, Some(self.site));
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<T: 'static, R> ChildSet<T, R> {
    /// Spawns the children if that was not done yet (at the first poll, or for abort handles).
    fn spawn_now(&mut self) {
        if let Some(spawn) = self.spawner.take() {
            let handles = spawn();
            self.aborts = handles.iter().map(JoinHandle::abort_handle).collect();
            self.tracker = Tracker::new(handles);
        }
    }

    fn abort_handles(&mut self) -> Vec<AbortHandle> {
        self.spawn_now();
        self.aborts.clone()
    }
}

impl<T, R> ChildSet<T, R> {
    fn take_slots(&mut self) -> Vec<R> {
        std::mem::take(&mut self.slots)
            .into_iter()
            .map(|s| s.expect("every child of a finished gather has an output"))
            .collect()
    }

    /// A child failed: detach the siblings, then re-raise a panic in the awaiting task.
    fn child_failed(&mut self, err: JoinError) -> ! {
        self.tracker.detach_all();
        let err = match err.try_into_panic() {
            Ok(panic) => primitives::resume_panic(panic),
            Err(cancelled) => cancelled,
        };
        // Aborted through one of `abort_handles` (asyncio: the gathered task was cancelled, and
        // the gather raises `CancelledError`): the awaiting task fails, saying which.
        panic!(
            "a child of a gather was aborted from outside the gather ({err}); use \
             gather_settled to get a cancelled child's outcome and go on"
        )
    }
}

impl<T, R> Drop for ChildSet<T, R> {
    fn drop(&mut self) {
        self.tracker.abort_all();
    }
}

/// Future of [`gather`]: resolves to the children's outputs in argument order. Dropping it
/// aborts the children that have not finished.
///
/// ```
/// use std::time::Duration;
/// use sim::time::{sleep, timeout};
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let slow: sim::concurrency::Gather<()> =
///         sim::gather([sleep(Duration::from_secs(5)), sleep(Duration::from_secs(9))]);
///     // The timeout drops the gather at t=1, which aborts both children then.
///     assert!(timeout(Duration::from_secs(1), slow).await.is_err());
/// }).unwrap();
/// assert_eq!(sim.trace().stats().end_time.as_nanos(), 1_000_000_000);
/// ```
#[must_use = "futures do nothing unless awaited; dropping a Gather aborts its children"]
pub struct Gather<T> {
    set: ChildSet<T, T>,
}

// Never pinned structurally: outputs are moved out, never polled in place.
impl<T> Unpin for Gather<T> {}

impl<T: 'static> Gather<T> {
    /// A handle per child, in argument order, to abort one of them (asyncio: cancelling one
    /// gathered task). The children are spawned now if the gather was not polled yet (they
    /// start when this task next waits, as they would have at its first poll). See
    /// [`GatherSettled::abort_handles`] for an example.
    ///
    /// An aborted child fails a `gather` or a `try_gather` as a panicking one would: the
    /// awaiting task panics, saying the child was aborted (asyncio's gather raises
    /// `CancelledError`). In a `gather_settled` it is an `Err` whose
    /// [`is_cancelled`](JoinError::is_cancelled) is true, and the others go on.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn abort_handles(&mut self) -> Vec<AbortHandle> {
        self.set.abort_handles()
    }
}

impl<T: 'static> Future for Gather<T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let set = &mut self.get_mut().set;
        let res = set.poll_with(cx, "gather", |set, c| {
            match c.result {
                Ok(v) => set.slots[c.index] = Some(v),
                Err(e) => set.child_failed(e),
            }
            None::<()>
        });
        res.map(|_| set.take_slots())
    }
}

/// Future of [`try_gather`]: the first error, or every value in argument order.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// let r = sim.run(async {
///     let g: sim::concurrency::TryGather<u8, String> =
///         sim::try_gather((1..=2).map(|i| async move { Ok(i) }));
///     g.await
/// }).unwrap();
/// assert_eq!(r, Ok(vec![1, 2]));
/// ```
#[must_use = "futures do nothing unless awaited; dropping a TryGather aborts its children"]
pub struct TryGather<T, E> {
    set: ChildSet<Result<T, E>, T>,
}

// Never pinned structurally: outputs are moved out, never polled in place.
impl<T, E> Unpin for TryGather<T, E> {}

impl<T: 'static, E: 'static> TryGather<T, E> {
    /// A handle per child, in argument order, to abort one of them (asyncio: cancelling one
    /// gathered task). The children are spawned now if the gather was not polled yet (they
    /// start when this task next waits, as they would have at its first poll). See
    /// [`GatherSettled::abort_handles`] for an example.
    ///
    /// An aborted child fails a `gather` or a `try_gather` as a panicking one would: the
    /// awaiting task panics, saying the child was aborted (asyncio's gather raises
    /// `CancelledError`). In a `gather_settled` it is an `Err` whose
    /// [`is_cancelled`](JoinError::is_cancelled) is true, and the others go on.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn abort_handles(&mut self) -> Vec<AbortHandle> {
        self.set.abort_handles()
    }
}

impl<T: 'static, E: 'static> Future for TryGather<T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, E>> {
        let set = &mut self.get_mut().set;
        let res = set.poll_with(cx, "try_gather", |set, c| match c.result {
            Ok(Ok(v)) => {
                set.slots[c.index] = Some(v);
                None
            }
            Ok(Err(e)) => {
                set.tracker.detach_all();
                Some(e)
            }
            Err(e) => set.child_failed(e),
        });
        res.map(|early| match early {
            Some(e) => Err(e),
            None => Ok(set.take_slots()),
        })
    }
}

/// Future of [`gather_settled`]: every child's outcome in argument order.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// let n = sim.run(async {
///     let g: sim::concurrency::GatherSettled<u8> =
///         sim::gather_settled((1..=2).map(|i| async move { i }));
///     g.await.into_iter().filter(Result::is_ok).count()
/// }).unwrap();
/// assert_eq!(n, 2);
/// ```
#[must_use = "futures do nothing unless awaited; dropping a GatherSettled aborts its children"]
pub struct GatherSettled<T> {
    set: ChildSet<T, Result<T, JoinError>>,
}

// Never pinned structurally: outputs are moved out, never polled in place.
impl<T> Unpin for GatherSettled<T> {}

impl<T: 'static> GatherSettled<T> {
    /// A handle per child, in argument order, to abort one of them (asyncio: cancelling one
    /// gathered task). The children are spawned now if the gather was not polled yet (they
    /// start when this task next waits, as they would have at its first poll).
    ///
    /// An aborted child fails a `gather` or a `try_gather` as a panicking one would: the
    /// awaiting task panics, saying the child was aborted (asyncio's gather raises
    /// `CancelledError`). In a `gather_settled` it is an `Err` whose
    /// [`is_cancelled`](JoinError::is_cancelled) is true, and the others go on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sim::time::sleep;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let mut all = sim::gather_settled([
    ///         sleep(Duration::from_secs(1)),
    ///         sleep(Duration::from_secs(9)),
    ///     ]);
    ///     let handles = all.abort_handles();
    ///     assert!(handles[1].abort());
    ///     let out = all.await;
    ///     assert!(out[0].is_ok() && out[1].as_ref().unwrap_err().is_cancelled());
    ///     assert_eq!(sim::time::elapsed(), Duration::from_secs(1));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn abort_handles(&mut self) -> Vec<AbortHandle> {
        self.set.abort_handles()
    }
}

impl<T: 'static> Future for GatherSettled<T> {
    type Output = Vec<Result<T, JoinError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let set = &mut self.get_mut().set;
        let res = set.poll_with(cx, "gather_settled", |set, c| {
            set.slots[c.index] = Some(c.result);
            None::<()>
        });
        res.map(|_| set.take_slots())
    }
}

impl<T> std::fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gather")
            .field("children", &self.set.tracker.len())
            .field("unfinished", &self.set.tracker.remaining())
            .finish()
    }
}
