//! `wait`: block until some condition over a set of tasks holds, cancelling nothing.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Completion;
use super::tracker::Tracker;
use crate::rt::primitives;
use crate::task::JoinHandle;
use crate::time::{Sleep, sleep};

/// When [`wait`] returns (asyncio's `return_when`).
///
/// ```
/// use std::time::Duration;
/// use sim::concurrency::{WaitFor, wait};
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let ok = sim::spawn(async { sleep(Duration::from_secs(1)).await });
///     let bad = sim::spawn(async { sleep(Duration::from_secs(2)).await; panic!("bad") });
///     let late = sim::spawn(async { sleep(Duration::from_secs(3)).await });
///     let (done, pending) = wait([ok, bad, late], WaitFor::FirstError, None).await;
///     assert_eq!(sim::time::elapsed(), Duration::from_secs(2));
///     assert!(done[1].result.as_ref().unwrap_err().is_panic());
///     assert_eq!(pending.len(), 1);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// As soon as any task finished (asyncio `FIRST_COMPLETED`).
    FirstCompleted,
    /// As soon as a task finished with a [`JoinError`](crate::JoinError) (it panicked or was
    /// aborted), or when all finished (asyncio `FIRST_EXCEPTION`). A task returning
    /// `Result::Err` completed normally: its output is a value like any other.
    FirstError,
    /// When every task finished (asyncio `ALL_COMPLETED`).
    AllCompleted,
}

/// Waits on spawned tasks until `when` holds or `timeout` of virtual time passed, and returns
/// `(done, pending)`: the finished tasks with their outcomes in the order they finished (tasks
/// already finished when `wait` was first polled come first, in argument order), and the
/// handles of the unfinished ones in argument order. asyncio's `wait`.
///
/// Nothing is cancelled, not even by the timeout or by dropping the [`Wait`]: the pending tasks
/// run on and their handles come back to the caller. When `when` holds, every task that has
/// finished by then is in `done`, not just the first. An empty list returns `([], [])` at once.
///
/// ```
/// use std::time::Duration;
/// use sim::concurrency::{WaitFor, wait};
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(5);
/// sim.run(async {
///     let a = sim::spawn(async { sleep(Duration::from_secs(10)).await; "a" });
///     let b = sim::spawn(async { sleep(Duration::from_millis(100)).await; "b" });
///     let (done, pending) = wait([a, b], WaitFor::FirstCompleted, None).await;
///     assert_eq!(sim::time::elapsed(), Duration::from_millis(100));
///     assert_eq!(done.len(), 1);
///     assert_eq!(done[0].result.as_ref().unwrap(), &"b");
///     assert_eq!(pending.len(), 1);
///     let a = pending.into_iter().next().unwrap();
///     assert_eq!(a.await.unwrap(), "a"); // not cancelled
/// }).unwrap();
/// ```
#[track_caller]
pub fn wait<T, I>(handles: I, when: WaitFor, timeout: Option<Duration>) -> Wait<T>
where
    I: IntoIterator<Item = JoinHandle<T>>,
{
    // Not `Option::map`: `sleep` must see this function's caller for its report site.
    let mut timer = None;
    if let Some(d) = timeout {
        timer = Some(sleep(d));
    }
    Wait {
        tracker: Tracker::new(handles.into_iter().collect()),
        when,
        timer,
        done: Vec::new(),
        polled: false,
        finished: false,
        site: Location::caller(),
    }
}

/// Future of [`wait`]: `(done, pending)`. Dropping it cancels nothing.
///
/// ```
/// use sim::concurrency::{Wait, WaitFor, wait};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let w: Wait<u8> = wait([sim::spawn(async { 3 })], WaitFor::AllCompleted, None);
///     let (done, pending) = w.await;
///     assert_eq!((done.len(), pending.len()), (1, 0));
/// }).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    tracker: Tracker<T>,
    when: WaitFor,
    timer: Option<Sleep>,
    done: Vec<Completion<T>>,
    polled: bool,
    finished: bool,
    site: &'static Location<'static>,
}

impl<T: 'static> Wait<T> {
    fn finish(&mut self, cx: &mut Context<'_>) -> (Vec<Completion<T>>, Vec<JoinHandle<T>>) {
        // Everything already finished belongs in `done`.
        while let Poll::Ready(Some(c)) = self.tracker.poll_next(cx) {
            self.done.push(c);
        }
        self.finished = true;
        self.timer = None;
        (std::mem::take(&mut self.done), self.tracker.take_pending())
    }
}

// Never pinned structurally: outputs are moved out, never polled in place.
impl<T> Unpin for Wait<T> {}

impl<T: 'static> Future for Wait<T> {
    type Output = (Vec<Completion<T>>, Vec<JoinHandle<T>>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "a Wait was polled after it returned");
        if !std::mem::replace(&mut this.polled, true)
            && this.tracker.all_finished()
            && primitives::preemption_point(cx)
        {
            return Poll::Pending;
        }
        loop {
            match this.tracker.poll_next(cx) {
                Poll::Ready(Some(c)) => {
                    let failed = c.result.is_err();
                    this.done.push(c);
                    let stop = match this.when {
                        WaitFor::FirstCompleted => true,
                        WaitFor::FirstError => failed,
                        WaitFor::AllCompleted => false,
                    };
                    if stop {
                        return Poll::Ready(this.finish(cx));
                    }
                }
                Poll::Ready(None) => return Poll::Ready(this.finish(cx)),
                Poll::Pending => break,
            }
        }
        if let Some(timer) = this.timer.as_mut() {
            if Pin::new(timer).poll(cx).is_ready() {
                return Poll::Ready(this.finish(cx));
            }
        }
        primitives::wait_on("wait", None, Some(this.site));
        Poll::Pending
    }
}

impl<T> std::fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("when", &self.when)
            .field("unfinished", &self.tracker.remaining())
            .finish()
    }
}
