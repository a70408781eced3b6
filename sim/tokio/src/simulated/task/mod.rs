//! Tasks with tokio's API: `spawn`, `JoinHandle`, `JoinSet`, `AbortHandle`, `LocalSet`,
//! `yield_now`, `task_local!`.
//!
//! Every task is a `sim` task on the simulation's one thread: spawning is lazy (the new task
//! first runs when the spawner suspends), aborting drops the task's future before its next poll,
//! and a panic is caught and reaches the joiner as a [`JoinError`].
//!
//! `spawn_blocking` runs its closure on the simulated thread, as a task of its own: the closure
//! must not block for real (a `std::thread::sleep` or a blocking receive stalls the whole
//! simulation). `block_in_place` runs its closure at once.

mod error;
mod handle;
mod join_set;
mod local;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use error::JoinError;
pub use handle::{AbortHandle, JoinHandle};
pub use join_set::JoinSet;
pub use local::{LocalEnterGuard, LocalSet};
pub use tokio::task::LocalKey;

/// Task-local futures (tokio's `task::futures`).
pub mod futures {
    pub use tokio::task::futures::TaskLocalFuture;
}

/// Spawns `future` as a new task and returns its [`JoinHandle`] (tokio's `spawn`). The task
/// first runs when the caller suspends. Dropping the handle detaches the task.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let h = tokio::spawn(async { 6 * 7 });
/// assert_eq!(h.await.unwrap(), 42);
/// # });
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    handle::spawn_task(future)
}

/// Spawns a task that is not `Send` (every simulated task runs on one thread, so this is
/// [`spawn`]; no `LocalSet` is needed).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let rc = std::rc::Rc::new(5);
/// let h = tokio::task::spawn_local(async move { *rc + 1 });
/// assert_eq!(h.await.unwrap(), 6);
/// # });
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    handle::spawn_task(future)
}

/// Runs `f` as a task of its own on the simulated thread (tokio runs it on its blocking pool).
/// It starts when the caller suspends and runs to its end without interruption; it must not
/// block for real.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let h = tokio::task::spawn_blocking(|| (1..=10).sum::<u32>());
/// assert_eq!(h.await.unwrap(), 55);
/// # });
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + 'static,
    R: 'static,
{
    handle::spawn_task(async move { f() })
}

/// Runs `f` at once on the simulated thread (tokio moves the worker's other tasks away first;
/// here nothing else runs meanwhile anyway).
///
/// ```
/// assert_eq!(seedloop_tokio::task::block_in_place(|| 2 + 2), 4);
/// ```
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    f()
}

/// Suspends the current task once, letting the other runnable tasks run (tokio's `yield_now`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// tokio::task::yield_now().await;
/// # });
/// ```
pub async fn yield_now() {
    sim::task::yield_now().await;
}

/// A preemption point: an exploring strategy may switch tasks here (tokio's
/// `consume_budget`, which yields when the task's budget is spent).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// tokio::task::consume_budget().await;
/// # });
/// ```
pub async fn consume_budget() {
    sim::task::maybe_yield().await;
}

/// Runs `inner` without a cooperative budget (there is none in the simulation: this only
/// wraps it).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// assert_eq!(tokio::task::unconstrained(async { 3 }).await, 3);
/// # });
/// ```
pub fn unconstrained<F: Future>(inner: F) -> Unconstrained<F> {
    Unconstrained { inner }
}

pin_project_lite::pin_project! {
    /// Future of [`unconstrained`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Unconstrained<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

/// A task's id, unique within a run (tokio's `task::Id`). The same program and seed give every
/// task the same id.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let h = tokio::spawn(async { tokio::task::id() });
/// let id = h.id();
/// assert_eq!(h.await.unwrap(), id);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(u64);

impl Id {
    pub(crate) fn from_sim(id: sim::task::TaskId) -> Id {
        Id(id.as_u64())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

/// The id of the running task.
///
/// # Panics
/// Outside a task (in the body of `#[tokio::test]`, `#[tokio::main]` or `block_on`, which tokio
/// does not run as a task either), or outside a simulation.
#[track_caller]
pub fn id() -> Id {
    try_id().expect("can't get a task id when not inside a task")
}

/// The id of the running task, or `None` outside a task.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// assert_eq!(tokio::task::try_id(), None); // the body of block_on is no task
/// let h = tokio::spawn(async { tokio::task::try_id() });
/// assert!(h.await.unwrap().is_some());
/// # });
/// ```
pub fn try_id() -> Option<Id> {
    if !sim::in_simulation() {
        return None;
    }
    let id = sim::task::id();
    (id != sim::task::TaskId::MAIN).then(|| Id::from_sim(id))
}
