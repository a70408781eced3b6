//! `TaskGroup`: structured concurrency (asyncio's `TaskGroup`, trio's nursery).
//!
//! The decisions behind its design are documented on [`TaskGroup`] itself.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::group_error::{Failure, FailureKind, GroupError, SpawnError};
use crate::rt::primitives;
use crate::task::{JoinHandle, TaskId};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Open,
    ShuttingDown,
    Finished,
}

enum Recorded<E> {
    Error(E),
    Panic,
}

struct Shared<T, E> {
    phase: Cell<Phase>,
    /// `TaskGroup::cancel` was called.
    cancelled: Cell<bool>,
    /// Children aborted one by one (`TaskGroup::abort`): they may have no output.
    aborted: RefCell<Vec<usize>>,
    handles: RefCell<Vec<JoinHandle<()>>>,
    outputs: RefCell<Vec<Option<T>>>,
    /// Each failed child's index, what it failed with, and its label (taken while it ran: the
    /// run lets go of an ended task's name once nothing it keeps names it).
    failures: RefCell<Vec<(usize, Recorded<E>, String)>>,
    live: Cell<usize>,
    joiner: RefCell<Option<Waker>>,
}

impl<T, E> Shared<T, E> {
    /// Records a failure of the child being polled; the first one aborts every other child,
    /// now.
    fn fail(&self, index: usize, what: Recorded<E>) {
        let label = crate::task::label();
        self.failures.borrow_mut().push((index, what, label));
        if self.phase.get() == Phase::Open {
            self.phase.set(Phase::ShuttingDown);
            self.abort_all(Some(index));
        }
    }

    fn abort_all(&self, except: Option<usize>) {
        // `abort` only marks and schedules; no user code runs, so the borrow may stay.
        for (i, h) in self.handles.borrow().iter().enumerate() {
            if Some(i) != except {
                h.abort_if_in_run();
            }
        }
    }

    fn child_exited(&self) {
        self.live.set(self.live.get() - 1);
        if self.live.get() == 0 {
            let w = self.joiner.borrow_mut().take();
            if let Some(w) = w {
                w.wake();
            }
        }
    }

    #[track_caller]
    fn spawn<F>(self: &Rc<Self>, fut: F, name: Option<String>) -> Result<TaskId, SpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
        E: 'static,
    {
        match self.phase.get() {
            Phase::Open => {}
            Phase::ShuttingDown => return Err(SpawnError::ShuttingDown),
            Phase::Finished => return Err(SpawnError::Finished),
        }
        let index = self.handles.borrow().len();
        // Counted before the child exists: if `spawn` panics (outside a simulation), dropping
        // the child un-counts it.
        self.live.set(self.live.get() + 1);
        let child = Child {
            fut,
            index,
            shared: self.clone(),
            exit: ExitGuard {
                shared: self.clone(),
            },
        };
        let handle = match name {
            Some(n) => crate::spawn_named(n, child),
            None => crate::spawn(child),
        };
        let id = handle.id();
        self.handles.borrow_mut().push(handle);
        self.outputs.borrow_mut().push(None);
        Ok(id)
    }
}

pin_project! {
    /// A child's future: records its output or failure in the group.
    struct Child<F, T, E> {
        #[pin]
        fut: F,
        index: usize,
        shared: Rc<Shared<T, E>>,
        // Declared last so it drops after `fut`: the group hears of the exit after the
        // child's own `Drop` guards ran.
        exit: ExitGuard<T, E>,
    }
}

struct ExitGuard<T, E> {
    shared: Rc<Shared<T, E>>,
}

impl<T, E> Drop for ExitGuard<T, E> {
    fn drop(&mut self) {
        self.shared.child_exited();
    }
}

impl<F, T, E> Future for Child<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let fut = this.fut;
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Ok(v))) => {
                this.shared.outputs.borrow_mut()[*this.index] = Some(v);
                Poll::Ready(())
            }
            Ok(Poll::Ready(Err(e))) => {
                this.shared.fail(*this.index, Recorded::Error(e));
                Poll::Ready(())
            }
            Err(payload) => {
                // Cancel the siblings now, then let the executor record the panic as usual;
                // `join` collects it from the child's handle.
                this.shared.fail(*this.index, Recorded::Panic);
                resume_unwind(payload)
            }
        }
    }
}

/// A group of child tasks that succeed or fail together: asyncio's `TaskGroup`, trio's nursery.
///
/// [`join`](TaskGroup::join) waits for every child and returns their outputs in spawn order.
/// The first child to fail (return `Err` or panic) aborts all its siblings at that virtual
/// instant; `join` then returns a [`GroupError`] with the failures. Dropping the group or its
/// `join` future aborts the children.
///
/// ```
/// use std::time::Duration;
/// use sim::concurrency::TaskGroup;
/// use sim::time::sleep;
///
/// let mut sim = sim::Sim::new(9);
/// sim.run(async {
///     let group: TaskGroup<u32> = TaskGroup::new();
///     group.spawn(async { sleep(Duration::from_millis(100)).await; Ok(42) }).unwrap();
///     group.spawn(async { sleep(Duration::from_millis(200)).await; Ok(11) }).unwrap();
///     assert_eq!(group.join().await.unwrap(), [42, 11]);
///     assert_eq!(sim::time::elapsed(), Duration::from_millis(200));
/// }).unwrap();
/// ```
///
/// # Design decisions, and why
///
/// - **Children return `Result<T, E>`.** A failure is a child returning `Err` or panicking; `E`
///   defaults to [`Infallible`] for groups whose children cannot fail (they return `Ok(v)`).
///   Outputs come back from [`TaskGroup::join`] in spawn order.
/// - **The first failure cancels at that instant.** The failing child aborts its siblings in
///   its own step, so their `Drop` guards run at the same virtual time, before the clock moves
///   and before any of them is polled again. An aborted task is never polled again, so in
///   practice a group's error holds exactly one failure; it is still a list, in the order the
///   failures happened, because that is the contract asyncio's `ExceptionGroup` gives.
/// - **The body is not aborted.** asyncio cancels the body of `async with TaskGroup()` too;
///   Rust code cannot be cancelled from outside except by dropping its future, and the body is
///   the caller's own future. The body learns of the failure from
///   [`is_shutting_down`](TaskGroup::is_shutting_down) or a [`SpawnError`], and `join` returns
///   the error at once, the aborted siblings being gone by then. To have the body cancelled
///   too, spawn it into the group as a child.
/// - **Outputs of children that succeeded before a failure are dropped** with the group, as
///   asyncio discards them; collect them through a channel if they matter.
/// - **A failure's panic is observed by `join`.** If the group is dropped without `join`, a
///   child's panic stays unobserved and fails the run, like any task panic nobody awaited.
/// - **Spawning is `spawn(&self)`, and [`GroupHandle`] lets children spawn siblings.** Spawning
///   into a group that is shutting down or finished is an `Err` naming which, not a panic: a
///   child spawning a sibling while another child fails is a race, not misuse.
/// - **Dropping the group (or its [`Join`] future) aborts its children**, like dropping a
///   [`Gather`](crate::concurrency::Gather): the group owns them.
/// - Children cancelled by the group (or by the executor's shutdown) are not failures.
pub struct TaskGroup<T, E = Infallible> {
    shared: Rc<Shared<T, E>>,
    joined: bool,
}

impl<T: 'static, E: 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static, E: 'static> TaskGroup<T, E> {
    /// An empty, open group.
    pub fn new() -> Self {
        TaskGroup {
            shared: Rc::new(Shared {
                phase: Cell::new(Phase::Open),
                cancelled: Cell::new(false),
                aborted: RefCell::default(),
                handles: RefCell::default(),
                outputs: RefCell::default(),
                failures: RefCell::default(),
                live: Cell::new(0),
                joiner: RefCell::new(None),
            }),
            joined: false,
        }
    }

    /// Spawns `fut` as a child task of the group and returns its id.
    ///
    /// # Errors
    /// [`SpawnError::ShuttingDown`] once a child failed, [`SpawnError::Finished`] once `join`
    /// returned.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> Result<TaskId, SpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
    {
        self.shared.spawn(fut, None)
    }

    /// Like [`spawn`](TaskGroup::spawn), naming the task for traces and reports.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<()> = sim::TaskGroup::new();
    ///     group.spawn_named("fetcher", async { Ok(()) }).unwrap();
    ///     group.join().await.unwrap();
    /// }).unwrap();
    /// assert!(sim.trace().to_string().contains("spawn fetcher#1"));
    /// ```
    ///
    /// # Errors
    /// As [`spawn`](TaskGroup::spawn).
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn_named<F>(&self, name: impl Into<String>, fut: F) -> Result<TaskId, SpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
    {
        self.shared.spawn(fut, Some(name.into()))
    }

    /// A cloneable handle that spawns into this group, for children that spawn siblings.
    pub fn handle(&self) -> GroupHandle<T, E> {
        GroupHandle {
            shared: self.shared.clone(),
        }
    }

    /// Cancels the group (trio's `cancel_scope.cancel()`): every unfinished child is aborted
    /// (its `Drop` guards run when it is next scheduled), later spawns are refused, and
    /// [`join`](TaskGroup::join) returns a [`GroupError`] whose
    /// [`is_cancelled`](GroupError::is_cancelled) is true. Children that already finished keep
    /// their outcome; a failure among them is in the error's failures.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<u8> = sim::TaskGroup::new();
    ///     group.spawn(async { sim::time::sleep(Duration::from_secs(5)).await; Ok(1) }).unwrap();
    ///     sim::time::sleep(Duration::from_secs(1)).await;
    ///     group.cancel();
    ///     assert!(group.is_shutting_down());
    ///     assert!(group.join().await.unwrap_err().is_cancelled());
    ///     assert_eq!(sim::time::elapsed(), Duration::from_secs(1));
    /// }).unwrap();
    /// ```
    pub fn cancel(&self) {
        self.shared.cancelled.set(true);
        shut_down(&self.shared);
    }

    /// Aborts one child, by the id [`spawn`](TaskGroup::spawn) returned (asyncio: cancelling
    /// one task of a group). The group goes on: the aborted child is no failure, and it is left
    /// out of [`join`](TaskGroup::join)'s outputs if it had not finished. Returns whether it
    /// took effect (false for a finished child or an id that is not this group's).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<u8> = sim::TaskGroup::new();
    ///     let slow = group.spawn(std::future::pending()).unwrap();
    ///     group.spawn(async { Ok(2) }).unwrap();
    ///     assert!(group.abort(slow));
    ///     assert_eq!(group.join().await.unwrap(), [2]);
    /// }).unwrap();
    /// ```
    pub fn abort(&self, child: TaskId) -> bool {
        let handles = self.shared.handles.borrow();
        // Children are pushed in spawn order, so their ids increase: a search, not a scan
        // (aborting every child of a large group one by one stays linear).
        let Ok(index) = handles.binary_search_by_key(&child, JoinHandle::id) else {
            return false;
        };
        let took = handles[index].abort();
        if took {
            self.shared.aborted.borrow_mut().push(index);
        }
        took
    }

    /// True once a child failed (or the group was dropped): its children are being aborted.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<(), &str> = sim::TaskGroup::new();
    ///     group.spawn(async { Err("no") }).unwrap();
    ///     assert!(!group.is_shutting_down());
    ///     sim::time::sleep(Duration::from_secs(1)).await; // the child runs and fails
    ///     assert!(group.is_shutting_down());
    ///     assert!(group.join().await.is_err());
    /// }).unwrap();
    /// ```
    pub fn is_shutting_down(&self) -> bool {
        self.shared.phase.get() == Phase::ShuttingDown
    }

    /// Number of children spawned so far.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let group: sim::TaskGroup<()> = sim::TaskGroup::new();
    ///     assert!(group.is_empty());
    ///     group.spawn(async { Ok(()) }).unwrap();
    ///     assert_eq!(group.len(), 1);
    ///     group.join().await.unwrap();
    /// }).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.shared.handles.borrow().len()
    }

    /// True when no child was spawned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits for every child (including those spawned while waiting) and returns their outputs
    /// in spawn order, or the failures that cancelled the group. The failure is returned once
    /// every aborted sibling was dropped, which happens at the instant of the failure.
    #[track_caller]
    pub fn join(mut self) -> Join<T, E> {
        self.joined = true;
        Join {
            shared: self.shared.clone(),
            polled: false,
            done: false,
            site: Location::caller(),
        }
    }
}

impl<T, E> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        if !self.joined {
            shut_down(&self.shared);
        }
    }
}

fn shut_down<T, E>(shared: &Shared<T, E>) {
    if shared.phase.get() == Phase::Open {
        shared.phase.set(Phase::ShuttingDown);
    }
    shared.abort_all(None);
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("children", &self.shared.handles.borrow().len())
            .field("live", &self.shared.live.get())
            .field("phase", &self.shared.phase.get())
            .finish()
    }
}

/// Spawns into a [`TaskGroup`] from anywhere, e.g. from inside one of its children. Holding one
/// does not keep the group open: it only spawns while the group is open.
///
/// ```
/// use sim::concurrency::TaskGroup;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let group: TaskGroup<u32> = TaskGroup::new();
///     let h = group.handle();
///     group.spawn(async move {
///         h.spawn(async { Ok(2) }).unwrap();
///         Ok(1)
///     }).unwrap();
///     assert_eq!(group.join().await.unwrap(), [1, 2]);
/// }).unwrap();
/// ```
pub struct GroupHandle<T, E = Infallible> {
    shared: Rc<Shared<T, E>>,
}

impl<T, E> Clone for GroupHandle<T, E> {
    fn clone(&self) -> Self {
        GroupHandle {
            shared: self.shared.clone(),
        }
    }
}

impl<T: 'static, E: 'static> GroupHandle<T, E> {
    /// As [`TaskGroup::spawn`].
    ///
    /// # Errors
    /// As [`TaskGroup::spawn`].
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> Result<TaskId, SpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
    {
        self.shared.spawn(fut, None)
    }

    /// True once a child failed (or the group was dropped).
    pub fn is_shutting_down(&self) -> bool {
        self.shared.phase.get() == Phase::ShuttingDown
    }
}

impl<T, E> fmt::Debug for GroupHandle<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupHandle")
            .field("phase", &self.shared.phase.get())
            .finish()
    }
}

/// Future of [`TaskGroup::join`]. Dropping it before it finished aborts the children.
///
/// ```
/// use std::time::Duration;
/// use sim::time::{sleep, timeout};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let group: sim::TaskGroup<()> = sim::TaskGroup::new();
///     group.spawn(async { sleep(Duration::from_secs(60)).await; Ok(()) }).unwrap();
///     let join: sim::concurrency::Join<()> = group.join();
///     // Giving up on the join after 1 s aborts the child then.
///     assert!(timeout(Duration::from_secs(1), join).await.is_err());
/// }).unwrap();
/// assert_eq!(sim.trace().stats().end_time.as_nanos(), 1_000_000_000);
/// ```
#[must_use = "futures do nothing unless awaited; dropping a Join aborts the group's children"]
pub struct Join<T, E = Infallible> {
    shared: Rc<Shared<T, E>>,
    polled: bool,
    done: bool,
    site: &'static Location<'static>,
}

impl<T, E> Future for Join<T, E> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "TaskGroup's Join polled after it returned");
        let first = !std::mem::replace(&mut this.polled, true);
        let shared = &*this.shared;
        if shared.live.get() > 0 {
            *shared.joiner.borrow_mut() = Some(cx.waker().clone());
            primitives::wait_on("TaskGroup::join", None, Some(this.site));
            return Poll::Pending;
        }
        if first && primitives::preemption_point(cx) {
            return Poll::Pending;
        }
        this.done = true;
        shared.phase.set(Phase::Finished);
        let failures = std::mem::take(&mut *shared.failures.borrow_mut());
        let cancelled = shared.cancelled.get();
        if failures.is_empty() && !cancelled {
            let outputs = std::mem::take(&mut *shared.outputs.borrow_mut());
            // By index, rather than a search of the aborted list per output.
            let mut aborted = vec![false; outputs.len()];
            for &i in shared.aborted.borrow().iter() {
                if let Some(a) = aborted.get_mut(i) {
                    *a = true;
                }
            }
            return Poll::Ready(Ok(outputs
                .into_iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    if o.is_none() && aborted[i] {
                        return None;
                    }
                    Some(o.expect("a child of a finished group without failures has an output"))
                })
                .collect()));
        }
        let mut handles = shared.handles.borrow_mut();
        let failures = failures
            .into_iter()
            .map(|(index, what, label)| {
                let handle = &mut handles[index];
                let task = handle.id();
                let kind = match what {
                    Recorded::Error(e) => FailureKind::Error(e),
                    Recorded::Panic => match Pin::new(handle).poll(cx) {
                        Poll::Ready(Err(e)) => FailureKind::Panic(e),
                        _ => unreachable!("a child that panicked has finished with an error"),
                    },
                };
                Failure {
                    index,
                    task,
                    label,
                    kind,
                }
            })
            .collect();
        Poll::Ready(Err(if cancelled {
            GroupError::cancelled(failures)
        } else {
            GroupError::new(failures)
        }))
    }
}

impl<T, E> Drop for Join<T, E> {
    fn drop(&mut self) {
        if !self.done {
            shut_down(&self.shared);
        }
    }
}

impl<T, E> fmt::Debug for Join<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("live", &self.shared.live.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `abort` finds a child by id among many (children interleaved with tasks that are not
    /// the group's), and `join` leaves out exactly the aborted unfinished ones, in spawn order.
    #[test]
    fn aborting_many_children_by_id_keeps_the_others_in_order() {
        let mut sim = crate::Sim::new(0);
        let (kept, answers_right) = sim
            .run(async {
                let group: TaskGroup<u32> = TaskGroup::new();
                let mut ids = Vec::new();
                let mut strangers = Vec::new();
                for i in 0..40u32 {
                    let child = if i % 2 == 1 {
                        group.spawn(std::future::pending()).unwrap()
                    } else {
                        group.spawn(async move { Ok(i) }).unwrap()
                    };
                    ids.push(child);
                    strangers.push(crate::spawn(async {}).id());
                }
                // Tasks that are not the group's are refused; every aborted child took effect.
                let mut right = strangers.iter().all(|s| !group.abort(*s));
                for (i, id) in ids.iter().enumerate().rev() {
                    if i % 2 == 1 {
                        right &= group.abort(*id);
                    }
                }
                (group.join().await.unwrap(), right)
            })
            .unwrap();
        assert!(answers_right);
        assert_eq!(kept, (0..40).step_by(2).collect::<Vec<u32>>());
    }
}
