//! `JoinSet`: a set of tasks joined in completion order.

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::resume_unwind;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::{AbortHandle, Id, JoinError, JoinHandle, LocalSet};
use crate::runtime::Handle;

/// Tasks spawned together and joined as they finish (tokio's `task::JoinSet`). Dropping the
/// set aborts every task still in it.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use tokio::task::JoinSet;
/// use tokio::time::{sleep, Duration};
/// let mut set = JoinSet::new();
/// for i in [3u64, 1, 2] {
///     set.spawn(async move { sleep(Duration::from_secs(i)).await; i });
/// }
/// let mut order = Vec::new();
/// while let Some(r) = set.join_next().await {
///     order.push(r.unwrap());
/// }
/// assert_eq!(order, [1, 2, 3]);
/// # });
/// ```
pub struct JoinSet<T> {
    tasks: Vec<JoinHandle<T>>,
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet { tasks: Vec::new() }
    }

    /// How many tasks are in the set (finished ones not yet joined included).
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Aborts every task in the set (they stay in it until joined).
    pub fn abort_all(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }

    /// Removes every task from the set without aborting them: they keep running, detached.
    pub fn detach_all(&mut self) {
        self.tasks.clear();
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns `task` into the set.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::handle::spawn_task(task))
    }

    /// Spawns `task` into the set "on the runtime of `handle`" (there is one runtime).
    #[track_caller]
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        let _ = handle;
        self.spawn(task)
    }

    /// Spawns a `!Send` task into the set (every simulated task may be `!Send`).
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.spawn(task)
    }

    /// Spawns a `!Send` task into the set, on `local_set`.
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, task: F, local_set: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(task))
    }

    /// Runs `f` as a task of the set on the simulated thread (see
    /// [`spawn_blocking`](super::spawn_blocking)).
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + 'static,
    {
        self.insert(super::spawn_blocking(f))
    }

    /// Like [`JoinSet::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + 'static,
    {
        let _ = handle;
        self.spawn_blocking(f)
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.tasks.push(handle);
        abort
    }
}

// `T: 'static`: joining reads a task's output back by type (see `JoinHandle`'s `Future`).
impl<T: 'static> JoinSet<T> {
    /// Waits for the next task to finish and returns its result; `None` when the set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Like [`JoinSet::join_next`], with the finished task's id.
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// The result of a task that has already finished, without waiting; `None` if none has.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id().map(|r| r.map(|(_, v)| v))
    }

    /// Like [`JoinSet::try_join_next`], with the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        let i = self.tasks.iter().position(JoinHandle::is_finished)?;
        let mut cx = Context::from_waker(Waker::noop());
        match self.take_if_ready(i, &mut cx) {
            Poll::Ready(r) => Some(r),
            Poll::Pending => None,
        }
    }

    /// Aborts every task and waits for them all to end.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    /// When a task panicked (its panic is resumed) or was aborted; the remaining tasks are
    /// aborted first.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(r) = self.join_next().await {
            match r {
                Ok(v) => out.push(v),
                Err(e) if e.is_panic() => {
                    self.abort_all();
                    resume_unwind(e.into_panic())
                }
                Err(e) => panic!("{e}"),
            }
        }
        out
    }

    /// Polls for the next finished task.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|o| o.map(|r| r.map(|(_, v)| v)))
    }

    /// Polls for the next finished task, with its id.
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        for i in 0..self.tasks.len() {
            if let Poll::Ready(r) = self.take_if_ready(i, cx) {
                return Poll::Ready(Some(r));
            }
        }
        Poll::Pending
    }

    fn take_if_ready(
        &mut self,
        i: usize,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(Id, T), JoinError>> {
        let h = &mut self.tasks[i];
        let id = h.id();
        match Pin::new(h).poll(cx) {
            Poll::Ready(r) => {
                self.tasks.remove(i);
                Poll::Ready(r.map(|v| (id, v)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T: 'static, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + 'static,
{
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

impl<T: 'static, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for f in iter {
            self.spawn(f);
        }
    }
}
