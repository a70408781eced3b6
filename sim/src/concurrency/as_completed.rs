//! `as_completed`: a stream of task outcomes in completion order, cancelling nothing.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;

use super::Completion;
use super::tracker::Tracker;
use crate::rt::primitives;
use crate::task::JoinHandle;
use crate::time::{Sleep, sleep};

/// A stream of the tasks' outcomes in the order they finish (asyncio's `as_completed`). Tasks
/// already finished when it is first polled come first, in argument order; tasks finishing in
/// the same round come in the order the executor finished them (under Fifo: the order their
/// timers were registered).
///
/// It implements [`futures::Stream`]; [`AsCompleted::next`] awaits the next item without
/// `StreamExt`. With [`AsCompleted::timeout`], the stream ends when the deadline passes;
/// [`AsCompleted::timed_out`] tells, and [`AsCompleted::into_pending`] gives back the handles of
/// the tasks still running. Nothing is ever cancelled: dropping the stream detaches them.
///
/// ```
/// use std::time::Duration;
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(2);
/// let order = sim.run(async {
///     let handles: Vec<_> = (0..3u64)
///         .map(|i| sim::spawn(async move { sleep(Duration::from_secs(3 - i)).await; i }))
///         .collect();
///     let mut stream = sim::concurrency::as_completed(handles);
///     let mut order = Vec::new();
///     while let Some(c) = stream.next().await {
///         order.push(c.result.unwrap());
///     }
///     order
/// }).unwrap();
/// assert_eq!(order, [2, 1, 0]);
/// ```
#[track_caller]
pub fn as_completed<T, I>(handles: I) -> AsCompleted<T>
where
    I: IntoIterator<Item = JoinHandle<T>>,
{
    AsCompleted {
        tracker: Tracker::new(handles.into_iter().collect()),
        timer: None,
        timed_out: false,
        polled: false,
        site: Location::caller(),
    }
}

/// Stream of [`as_completed`]. Dropping it cancels nothing.
///
/// ```
/// use sim::concurrency::{AsCompleted, as_completed};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let mut s: AsCompleted<u8> = as_completed([sim::spawn(async { 1 }), sim::spawn(async { 2 })]);
///     assert_eq!(s.remaining(), 2);
///     s.next().await.unwrap();
///     assert_eq!(s.remaining(), 1);
/// }).unwrap();
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<T> {
    tracker: Tracker<T>,
    timer: Option<Sleep>,
    timed_out: bool,
    polled: bool,
    site: &'static Location<'static>,
}

impl<T> AsCompleted<T> {
    /// Ends the stream once `duration` of virtual time (from now) has passed. The tasks still
    /// running are not cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sim::time::sleep;
    ///
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let fast = sim::spawn(async { sleep(Duration::from_millis(100)).await; "fast" });
    ///     let slow = sim::spawn(async { sleep(Duration::from_millis(150)).await; "slow" });
    ///     let mut s = sim::concurrency::as_completed([fast, slow])
    ///         .timeout(Duration::from_millis(110));
    ///     assert_eq!(s.next().await.unwrap().result.unwrap(), "fast");
    ///     assert!(s.next().await.is_none());
    ///     assert!(s.timed_out());
    ///     let slow = s.into_pending().pop().unwrap();
    ///     assert_eq!(slow.await.unwrap(), "slow");
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timer = Some(sleep(duration));
        self
    }

    /// The next outcome, `None` once every task was reported or the timeout passed.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let mut s = sim::concurrency::as_completed([sim::spawn(async { 1 })]);
    ///     assert_eq!(s.next().await.unwrap().result.unwrap(), 1);
    ///     assert!(s.next().await.is_none());
    /// }).unwrap();
    /// ```
    #[allow(
        clippy::should_implement_trait,
        reason = "the Stream's next, usable without futures::StreamExt"
    )]
    pub fn next(&mut self) -> Next<'_, T> {
        Next { stream: self }
    }

    /// True when the stream ended because its timeout passed.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Tasks not reported yet.
    pub fn remaining(&self) -> usize {
        self.tracker.remaining()
    }

    /// The handles of the tasks not reported yet, in argument order.
    pub fn into_pending(mut self) -> Vec<JoinHandle<T>> {
        self.tracker.take_pending()
    }
}

// Never pinned structurally: outputs are moved out, never polled in place.
impl<T> Unpin for AsCompleted<T> {}

impl<T: 'static> Stream for AsCompleted<T> {
    type Item = Completion<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Completion<T>>> {
        let this = self.get_mut();
        if this.timed_out {
            return Poll::Ready(None);
        }
        if !std::mem::replace(&mut this.polled, true)
            && this.tracker.all_finished()
            && primitives::preemption_point(cx)
        {
            return Poll::Pending;
        }
        if let Poll::Ready(item) = this.tracker.poll_next(cx) {
            return Poll::Ready(item);
        }
        if let Some(timer) = this.timer.as_mut() {
            if Pin::new(timer).poll(cx).is_ready() {
                this.timer = None;
                this.timed_out = true;
                return Poll::Ready(None);
            }
        }
        primitives::wait_on("as_completed", None, Some(this.site));
        Poll::Pending
    }
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.tracker.remaining())
            .field("timed_out", &self.timed_out)
            .finish()
    }
}

/// Future of [`AsCompleted::next`]; see there for an example.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Next<'a, T> {
    stream: &'a mut AsCompleted<T>,
}

impl<T: 'static> Future for Next<'_, T> {
    type Output = Option<Completion<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().stream).poll_next(cx)
    }
}
